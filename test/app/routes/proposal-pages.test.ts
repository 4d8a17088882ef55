/**
 * The proposal pages over HTTP and the proposal room over Socket.io, against the real server: who
 * may see, open, take part in and close a proposal (denials as carefully as grants), forms
 * answering 400 or 409 with their message, and live tallies pushed as `proposal:changed`.
 */
import { io as connectSocket, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadActor } from "../../../app/models/actor.server.js";
import { closeProposal } from "../../../app/models/proposal-closing.server.js";
import { takePart } from "../../../app/models/proposals.server.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";

describe("the proposal pages", () => {
  let server: TestServer;
  let groupId: string;
  const cookies = new Map<string, string>();
  const get = (path: string, who: string | null) => fetch(`${server.url}${path}`, { redirect: "manual", headers: who ? { Cookie: cookies.get(who)! } : {} });
  const post = (path: string, who: string, fields: Record<string, string>) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { Cookie: cookies.get(who)!, Origin: server.origin, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });
  const opening = {
    title: "Letter to the Minister",
    verb: "agreed",
    resolution: "that the chair write to the Minister supporting the plan",
    process: "consent",
    closesOn: "30 December 2026",
    closesTime: "17:00",
    results: "visible",
    ballot: "named",
  };

  beforeAll(async () => {
    server = await startTestServer();
    groupId = (await server.services.db.selectFrom("groups").select("id").executeTakeFirstOrThrow()).id;
    for (const who of ["chair", "secretary", "member", "minister", "ngo", "admin"]) cookies.set(who, await signIn(server, `${who}@example.org`));
  });
  afterAll(async () => {
    await server?.close();
  });

  it("lets the chair and the secretary open a proposal, refuses everyone else, and answers a bad form with 400", async () => {
    expect((await get(`/groups/${groupId}/proposals/new`, "secretary")).status).toBe(200);
    for (const who of ["member", "minister"]) expect((await get(`/groups/${groupId}/proposals/new`, who)).status, who).toBe(403);
    expect((await post(`/groups/${groupId}/proposals/new`, "member", opening)).status).toBe(403);
    expect((await post(`/groups/${groupId}/proposals/new`, "ngo", opening)).status).toBe(403);
    const bad = await post(`/groups/${groupId}/proposals/new`, "secretary", { ...opening, title: "", closesOn: "31 February 2027", process: "lottery" });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain("Give the proposal a title");
    expect(html).toContain("Choose how it is decided");
    const past = await post(`/groups/${groupId}/proposals/new`, "secretary", { ...opening, closesOn: "1 December 2026" });
    expect(past.status).toBe(400);
    expect(await past.text()).toContain("Choose a closing time at least an hour from now");
  });

  it("shows proposals to group readers only, takes stances from seats only, and pushes live tallies", async () => {
    const opened = await post(`/groups/${groupId}/proposals/new`, "secretary", opening);
    expect(opened.status).toBe(302);
    const path = opened.headers.get("location")!;
    const proposalId = path.split("/").at(-1)!;
    for (const who of ["chair", "secretary", "member", "minister"]) expect((await get(path, who)).status, who).toBe(200);
    expect((await get(`/groups/${groupId}/proposals`, "ngo")).status).toBe(403);
    expect((await get(path, "ngo")).status).toBe(403);
    expect((await get(path, "admin")).status).toBe(403);
    expect((await get(`/groups/${groupId}/proposals/00000000-0000-4000-8000-000000000000`, "member")).status).toBe(404);

    const member = connectSocket(server.url, { transports: ["websocket"], extraHeaders: { cookie: cookies.get("member")! }, reconnection: false });
    const ngo = connectSocket(server.url, { transports: ["websocket"], extraHeaders: { cookie: cookies.get("ngo")! }, reconnection: false });
    const join = (socket: Socket, payload: unknown) => new Promise<{ ok: boolean; error?: string }>((resolve) => socket.emit("proposal:join", payload, resolve));
    const changes: unknown[] = [];
    member.on("proposal:changed", (payload: unknown) => changes.push(payload));
    try {
      expect(await join(member, { proposalId })).toEqual({ ok: true });
      expect(await join(ngo, { proposalId })).toEqual({ ok: false, error: "NOT_FOUND" });
      expect(await join(member, { proposalId: "nonsense" })).toEqual({ ok: false, error: "BAD_REQUEST" });

      const noReason = await post(path, "member", { intent: "stance", choice: "object" });
      expect(noReason.status).toBe(400);
      expect(await noReason.text()).toContain("Give your reason for objecting");
      expect((await post(path, "secretary", { intent: "stance", choice: "consent" })).status).toBe(403);
      expect((await post(path, "minister", { intent: "stance", choice: "consent" })).status).toBe(403);
      expect((await post(path, "member", { intent: "stance", choice: "yes" })).status).toBe(400);
      expect((await post(path, "member", { intent: "stance", choice: "object", reason: "Too soon" })).status).toBe(302);
      await vi.waitFor(() => expect(changes).toContainEqual({ proposalId }));
      const page = await (await get(path, "chair")).text();
      expect(page).toContain("Too soon");
      expect(page).toContain("1 objection");

      // Closing early waits for everyone; only the chair may.
      expect((await post(path, "secretary", { intent: "close" })).status).toBe(403);
      const early = await post(path, "chair", { intent: "close" });
      expect(early.status).toBe(409);
      expect(await early.text()).toContain("It can close early once every seat has taken part");
      // Settings only in the safe direction.
      const earlier = await post(path, "secretary", { intent: "settings", closesOn: "29 December 2026", closesTime: "17:00", results: "visible", ballot: "named" });
      expect(earlier.status).toBe(400);
      expect(await earlier.text()).toContain("The closing time can only be moved later");
      expect((await post(path, "member", { intent: "settings", closesOn: "31 December 2026", closesTime: "17:00", results: "visible", ballot: "named" })).status).toBe(403);
      expect((await post(path, "secretary", { intent: "nonsense" })).status).toBe(400);
    } finally {
      member.disconnect();
      ngo.disconnect();
    }
  });

  it("puts a passed proposal in the between-meetings minute, which the secretary confirms on its page, and the register finds it", async () => {
    const opened = await post(`/groups/${groupId}/proposals/new`, "secretary", { ...opening, title: "Whānau-centred contracts", resolution: "that whānau-centred contracts be the default from 2027" });
    const path = opened.headers.get("location")!;
    const proposalId = path.split("/").at(-1)!;
    for (const who of ["chair", "member"]) expect((await post(path, who, { intent: "stance", choice: "consent" })).status).toBe(302);
    // A third seat takes part, and the closing job fires at the closing time.
    const db = server.services.db;
    const priya = await db.selectFrom("users").select(["id", "email", "display_name"]).where("email", "=", "priya.naidu@example.org").executeTakeFirstOrThrow();
    await takePart(db, server.services, await loadActor(db, { id: priya.id, email: priya.email, displayName: priya.display_name, isPlatformAdmin: false }), { proposalId, choice: "consent" });
    expect(await closeProposal(db, server.services, null, { proposalId, now: new Date("2026-12-31T00:00:00Z") })).toBe("passed");
    const page = await (await get(path, "member")).text();
    expect(page).toContain("Outcome: <!-- -->Passed");
    const minuteLink = new RegExp(`/groups/${groupId}/meetings/([0-9a-f-]{36})/minutes`).exec(page);
    expect(minuteLink).not.toBeNull();
    const minutePath = minuteLink![0];
    const minute = await (await get(minutePath, "secretary")).text();
    expect(minute).toContain("Decisions made between meetings");
    expect(minute).toContain("whānau-centred contracts be the default from 2027; decided by consent on 31 December 2026 (3 of 6 seats took part; no objection)");
    expect(minute).not.toContain("Attendance not recorded");
    // The record is listed with the group's past meetings, so the secretary finds its minute there too.
    expect(await (await get(`/groups/${groupId}/meetings`, "secretary")).text()).toContain("Decisions made between meetings");
    expect((await get(minutePath.replace(/\/minutes$/, ""), "secretary")).status).toBe(200);
    expect((await post(minutePath, "member", { intent: "confirm" })).status).toBe(403);
    const confirmed = await post(minutePath, "secretary", { intent: "confirm" });
    expect(confirmed.status).toBe(302);
    const register = await (await get(`/groups/${groupId}/decisions?words=${encodeURIComponent("whanau-centred contracts")}`, "member")).text();
    expect(register).toContain("be the default from 2027");
    expect(register).toMatch(/-26-MIN-\d{4}/);
  });
});
