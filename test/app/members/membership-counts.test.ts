/**
 * "The members" counted three ways, each named for what it is, with the same figures on the
 * members page (today and on a date) as the quorum counts: in the demo on 8 December 2026, 6
 * member seats (the quorum's), 7 people with a seat or alternate (Ana Tupou stands in for Tama
 * Ngata) and 10 people with access (the secretary, the Lead Minister's office and the consultee
 * included).
 */
import type { Kysely } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { computeQuorum } from "../../../app/meetings/quorum.js";
import { countMemberships } from "../../../app/members/membership-counts.js";
import { membersOnDate } from "../../../app/models/memberships.server.js";
import type { DatabaseHandle } from "../../../db/connect.js";
import type { Database } from "../../../db/database.js";
import { describeEachDatabase } from "../../support/database.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";

const counted = "6 member seats · 7 people with a seat or alternate · 10 people with access";

/**
 * Starts a server on the suite's database for the suite's tests; gives the demo group's id and its
 * members page on a date as the secretary sees it.
 */
function membersPageAsSecretary(getDb: () => Kysely<Database>, getHandle: () => DatabaseHandle) {
  let server: TestServer | undefined;
  let groupId = "";
  let cookie = "";
  beforeAll(async () => {
    server = await startTestServer({ database: getHandle() });
    groupId = (await getDb().selectFrom("groups").select("id").executeTakeFirstOrThrow()).id;
    cookie = await signIn(server, "secretary@example.org");
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    groupId: () => groupId,
    membersOn: (on: string) => fetch(`${server!.url}/groups/${groupId}/members?${new URLSearchParams({ on })}`, { headers: { cookie } }),
  };
}

describeEachDatabase("membership counts", (getDb, getHandle) => {
  const { groupId, membersOn } = membersPageAsSecretary(getDb, getHandle);

  it("counts the same seats as the quorum does", async () => {
    const members = await membersOnDate(getDb(), groupId(), "2026-12-08");
    const counts = countMemberships(members);
    const quorum = computeQuorum(
      members.map((member) => ({ membershipId: member.id, role: member.role, alternateForId: member.alternateForId, status: null })),
      4,
    );
    expect(counts).toEqual({ seats: quorum.seats, seatsAndAlternates: 7, withAccess: 10 });
  });

  it("names each count on the members page, for a date asked about", async () => {
    const response = await membersOn("2026-12-08");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`On 8 December 2026: ${counted}`);
    expect(html).not.toMatch(/\d+ memberships on/);
  });
});

describeEachDatabase("dates typed the New Zealand way", (getDb, getHandle) => {
  const { membersOn } = membersPageAsSecretary(getDb, getHandle);

  it("accepts day month year, 8/12/2026 and 2026-12-08 for the same day", async () => {
    for (const on of ["8 December 2026", "8 Dec 2026", "8/12/2026", "2026-12-08"]) {
      const response = await membersOn(on);
      expect(response.status, on).toBe(200);
      expect(await response.text(), on).toContain(`On 8 December 2026: ${counted}`);
    }
  });

  it("answers a date that does not exist with 400 and a message in the same form as the hint", async () => {
    for (const on of ["31 February 2026", "13/13/2026", "next Tuesday"]) {
      const response = await membersOn(on);
      expect(response.status, on).toBe(400);
      expect(await response.text(), on).toContain("Enter a date like 8 December 2026");
    }
  });
});
