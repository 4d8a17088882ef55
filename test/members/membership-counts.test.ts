/**
 * "The members" counted three ways, each named for what it is, with the same figures on the
 * members page (today and on a date) as the quorum counts: in the demo on 8 December 2026, 6
 * member seats (the quorum's), 7 people with a seat or alternate (Ana Tupou stands in for Tama
 * Ngata) and 10 people with access (the secretary, the Lead Minister's office and the consultee
 * included).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { computeQuorum } from "../../app/meetings/quorum.js";
import { countMemberships } from "../../app/members/membership-counts.js";
import { membersOnDate } from "../../app/models/memberships.server.js";
import { describeEachDatabase } from "../support/database.js";
import { type TestServer, signIn, startTestServer } from "../support/server.js";

const counted = "6 member seats · 7 people with a seat or alternate · 10 people with access";

describeEachDatabase("membership counts", (getDb, getHandle) => {
  let server: TestServer;
  let groupId: string;
  let cookie: string;

  beforeAll(async () => {
    server = await startTestServer({ database: getHandle() });
    groupId = (await getDb().selectFrom("groups").select("id").executeTakeFirstOrThrow()).id;
    cookie = await signIn(server, "secretary@example.org");
  });
  afterAll(async () => {
    await server?.close();
  });

  it("counts the same seats as the quorum does", async () => {
    const members = await membersOnDate(getDb(), groupId, "2026-12-08");
    const counts = countMemberships(members);
    const quorum = computeQuorum(
      members.map((member) => ({ membershipId: member.id, role: member.role, alternateForId: member.alternateForId, status: null })),
      4,
    );
    expect(counts).toEqual({ seats: quorum.seats, seatsAndAlternates: 7, withAccess: 10 });
  });

  it("names each count on the members page, for a date asked about", async () => {
    const response = await fetch(`${server.url}/groups/${groupId}/members?on=2026-12-08`, { headers: { cookie } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`On 8 December 2026: ${counted}`);
    expect(html).not.toMatch(/\d+ memberships on/);
  });
});
