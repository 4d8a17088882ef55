/**
 * Proposals at a meeting over HTTP, against the real server (docs/decisions/021): the meeting
 * page's proposal intents (open live, put live, stance, show of hands, close the vote) granted
 * and refused for every role, bad forms answering 400 with their message, the Now panel showing
 * the live proposal, and `meeting:changed` pushed to the meeting room as members vote.
 */
import { io as connectSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadActor } from "../../../app/models/actor.server.js";
import { recordAttendance } from "../../../app/models/attendance.server.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";

describe("proposals at a meeting, over HTTP", () => {
  let server: TestServer;
  let groupId: string;
  let meetingId: string;
  const cookies = new Map<string, string>();
  const roles = ["chair", "secretary", "member", "minister", "ngo", "admin"];
  const get = (path: string, who: string) => fetch(`${server.url}${path}`, { redirect: "manual", headers: { Cookie: cookies.get(who)! } });
  const post = (who: string, fields: Record<string, string>) =>
    fetch(`${server.url}/groups/${groupId}/meetings/${meetingId}?index`, {
      method: "POST",
      redirect: "manual",
      headers: { Cookie: cookies.get(who)!, Origin: server.origin, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });
  const page = (who: string) => get(`/groups/${groupId}/meetings/${meetingId}`, who);
  const opening = { intent: "proposal.openLive", title: "Support the commissioning plan", verb: "agreed", resolution: "that the chair write to the Minister", process: "consent" };
  const liveId = async () =>
    (await server.services.db.selectFrom("proposals").select("id").where("meeting_id", "=", meetingId).where("status", "=", "open").where("live_at", "is not", null).executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    server = await startTestServer();
    const db = server.services.db;
    groupId = (await db.selectFrom("groups").select("id").executeTakeFirstOrThrow()).id;
    meetingId = (await db.selectFrom("meetings").select("id").executeTakeFirstOrThrow()).id;
    for (const who of roles) cookies.set(who, await signIn(server, `${who}@example.org`));
  });
  afterAll(async () => {
    await server?.close();
  });

  it("refuses the proposal intents before the meeting has started", async () => {
    expect((await post("chair", opening)).status).toBe(409);
  });

  it("lets only the chair put a proposal live, and answers a bad form with 400", async () => {
    expect((await post("chair", { intent: "live.start", offSchedule: "confirmed" })).status).toBe(302);
    const db = server.services.db;
    const secretary = await db.selectFrom("users").select(["id", "email", "display_name", "is_platform_admin"]).where("email", "=", "secretary@example.org").executeTakeFirstOrThrow();
    const present = await db
      .selectFrom("memberships")
      .innerJoin("users", "users.id", "memberships.user_id")
      .select("memberships.id")
      .where("memberships.group_id", "=", groupId)
      .where("users.email", "in", ["chair@example.org", "member@example.org", "priya.naidu@example.org", "mereana.henare@example.org", "secretary@example.org"])
      .where("memberships.ends_on", "is", null)
      .execute();
    await recordAttendance(db, null, await loadActor(db, { id: secretary.id, email: secretary.email, displayName: secretary.display_name, isPlatformAdmin: false }), {
      meetingId,
      entries: present.map((row) => ({ membershipId: row.id, status: "present" as const })),
    });
    // The chair sees the form; nobody else does.
    expect(await (await page("chair")).text()).toContain("Put a proposal to the meeting");
    for (const who of ["secretary", "member", "minister"]) expect(await (await page(who)).text(), who).not.toContain("Put a proposal to the meeting");

    const bad = await post("chair", { ...opening, title: "", verb: "directed", process: "lottery" });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain("Give the proposal a title");
    expect(html).toContain("Choose the verb the decision opens with");
    expect(html).toContain("Choose how it is decided");
    for (const who of ["secretary", "member", "minister"]) expect((await post(who, opening)).status, who).toBe(403);
    for (const who of ["ngo", "admin"]) expect((await post(who, opening)).status, who).toBe(404);
    expect((await post("chair", opening)).status).toBe(302);
    expect((await post("chair", opening)).status).toBe(409);
    const shown = await (await page("member")).text();
    expect(shown).toContain("Proposal before the meeting");
    expect(shown).toContain("Give my stance");
  });

  it("takes stances from members present, pushes the change to the meeting room, and refuses everyone else", async () => {
    const proposalId = await liveId();
    const member = connectSocket(server.url, { transports: ["websocket"], extraHeaders: { cookie: cookies.get("member")! }, reconnection: false });
    const changes: unknown[] = [];
    member.on("meeting:changed", (payload: unknown) => changes.push(payload));
    try {
      expect(await new Promise((resolve) => member.emit("meeting:join", { meetingId }, resolve))).toEqual({ ok: true });
      const noReason = await post("member", { intent: "proposal.stance", proposalId, choice: "object" });
      expect(noReason.status).toBe(400);
      expect(await noReason.text()).toContain("Give your reason for objecting");
      expect((await post("member", { intent: "proposal.stance", proposalId, choice: "yes" })).status).toBe(400);
      for (const who of ["secretary", "minister"]) expect((await post(who, { intent: "proposal.stance", proposalId, choice: "consent" })).status, who).toBe(403);
      for (const who of ["ngo", "admin"]) expect((await post(who, { intent: "proposal.stance", proposalId, choice: "consent" })).status, who).toBe(404);
      expect((await post("member", { intent: "proposal.stance", proposalId, choice: "consent" })).status).toBe(302);
      await vi.waitFor(() => expect(changes).toContainEqual({ meetingId, what: "proposal" }));
      const shown = await (await page("chair")).text();
      expect(shown).toContain("1 of 6 seats have taken part");
      expect(shown).toContain("Close the vote");
      expect(await (await page("member")).text()).toContain("Change my stance");
      expect(await (await page("secretary")).text()).not.toContain("Close the vote");
    } finally {
      member.disconnect();
    }
  });

  it("takes a show of hands from the secretary or the chair only, as counts, and the chair closes the vote into the minute", async () => {
    const proposalId = await liveId();
    for (const who of ["member", "minister"]) expect((await post(who, { intent: "proposal.hands", proposalId, "hands.consent": "3" })).status, who).toBe(403);
    for (const who of ["ngo", "admin"]) expect((await post(who, { intent: "proposal.hands", proposalId, "hands.consent": "3" })).status, who).toBe(404);
    const negative = await post("secretary", { intent: "proposal.hands", proposalId, "hands.consent": "-2" });
    expect(negative.status).toBe(400);
    expect(await negative.text()).toContain("Each count is a whole number, 0 or more");
    const none = await post("secretary", { intent: "proposal.hands", proposalId, "hands.consent": "", "hands.object": "" });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("Count at least one hand");
    const tooMany = await post("secretary", { intent: "proposal.hands", proposalId, "hands.consent": "9" });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toContain("only 4 seats present");
    expect((await post("secretary", { intent: "proposal.hands", proposalId, "hands.consent": "4", "hands.object": "0" })).status).toBe(302);
    expect(await (await page("member")).text()).toContain("Show of hands recorded: no objection");
    for (const who of ["secretary", "member", "minister"]) expect((await post(who, { intent: "proposal.closeLive", proposalId })).status, who).toBe(403);
    for (const who of ["ngo", "admin"]) expect((await post(who, { intent: "proposal.closeLive", proposalId })).status, who).toBe(404);
    expect((await post("chair", { intent: "proposal.closeLive", proposalId })).status).toBe(302);
    const shown = await (await page("member")).text();
    expect(shown).toMatch(/decided by consent by a show of hands on [^(]+\(4 of 6 seats took part; no objection\)/);
    expect((await post("chair", { intent: "proposal.closeLive", proposalId })).status).toBe(409);
  });

  it("puts an existing proposal of the meeting live from the Now panel, for the chair only", async () => {
    const opened = await fetch(`${server.url}/groups/${groupId}/proposals/new`, {
      method: "POST",
      redirect: "manual",
      headers: { Cookie: cookies.get("secretary")!, Origin: server.origin, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ title: "Endorse the engagement plan", verb: "endorsed", resolution: "the engagement plan", process: "consent", closesOn: "30 December 2026", closesTime: "17:00", results: "visible", ballot: "named" }),
    });
    expect(opened.status).toBe(302);
    const proposalId = opened.headers.get("location")!.split("/").at(-1)!;
    // Opened between meetings, it is not this meeting's: not found here.
    expect((await post("chair", { intent: "proposal.putLive", proposalId })).status).toBe(404);
    // The new-proposal form has no meeting field: tie it to this meeting as a proposal opened for it.
    await server.services.db.updateTable("proposals").set({ meeting_id: meetingId }).where("id", "=", proposalId).execute();
    expect(await (await page("chair")).text()).toContain("Put live: Endorse the engagement plan");
    for (const who of ["secretary", "member", "minister"]) expect((await post(who, { intent: "proposal.putLive", proposalId })).status, who).toBe(403);
    for (const who of ["ngo", "admin"]) expect((await post(who, { intent: "proposal.putLive", proposalId })).status, who).toBe(404);
    expect((await post("chair", { intent: "proposal.putLive", proposalId: "not-an-id" })).status).toBe(404);
    expect((await post("chair", { intent: "proposal.putLive", proposalId })).status).toBe(302);
    expect(await liveId()).toBe(proposalId);
  });
});
