/**
 * Consultations (journey 3): the chair or secretary opens a document to named consultees until
 * 11:59 pm New Zealand time on the closing day; a consultee then sees and reads only that
 * document, read-only, and may comment until the closing instant and not after.
 */
import fs from "node:fs/promises";
import { io as connectSocket } from "socket.io-client";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { loadActor } from "../../../app/models/actor.server.js";
import { isOpenToConsultee } from "../../../app/models/consultation-access.server.js";
import { closeConsultationEarly, openConsultation } from "../../../app/models/consultation-commands.server.js";
import { findDocument } from "../../../app/models/document-access.server.js";
import { documentResource } from "../../../app/models/policy-resources.server.js";
import { can } from "../../../app/policy/policy.js";
import { nzCalendarDate, nzEndOfDay } from "../../../app/utils/dates.js";
import { announceConsultationClosings } from "../../../server/consultation-closings.js";
import { connectClient } from "../../server/collab/collab-clients.js";
import { describeEachDatabase } from "../../support/database.js";
import { linkPath, makeTempDataDir, readOutbox } from "../../support/outbox.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";
import { type AppError } from "../../../app/errors.js";

/** A calendar date `days` after today in New Zealand. */
function nzDatePlus(days: number): string {
  return nzCalendarDate(new Date(Date.now() + days * 86_400_000));
}

it("closes at 11:59 pm New Zealand time, in daylight time and in standard time", () => {
  // 5 March 2027: daylight time (UTC+13).
  expect(nzEndOfDay("2027-03-05").toISOString()).toBe("2027-03-05T10:59:59.999Z");
  // 4 April 2027: daylight time ends at 3 am that morning, so the evening is UTC+12.
  expect(nzEndOfDay("2027-04-04").toISOString()).toBe("2027-04-04T11:59:59.999Z");
  // 27 September 2026: daylight time starts at 2 am, so the evening is UTC+13.
  expect(nzEndOfDay("2026-09-27").toISOString()).toBe("2026-09-27T10:59:59.999Z");
  expect(nzEndOfDay("2026-07-01").toISOString()).toBe("2026-07-01T11:59:59.999Z");
  expect(() => nzEndOfDay("2027-02-30")).toThrow(RangeError);
});

describeEachDatabase("consultations", (getDb, getHandle) => {
  let server: TestServer;
  let dataDir: string;
  let groupId: string;
  let torId: string;
  let agendaId: string;
  const ids = new Map<string, string>();
  const cookies = new Map<string, string>();

  const get = (path: string, who: string) =>
    fetch(`${server.url}${path}`, { redirect: "manual", headers: { Cookie: cookies.get(who)! } });
  const post = (path: string, who: string, body: URLSearchParams) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { Cookie: cookies.get(who)!, Origin: server.origin, "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });
  const actorOf = async (email: string) =>
    loadActor(getDb(), { id: ids.get(email)!, email, displayName: email, isPlatformAdmin: false } as Parameters<typeof loadActor>[1]);

  beforeAll(async () => {
    dataDir = await makeTempDataDir();
    server = await startTestServer({ database: getHandle(), env: { DATA_DIR: dataDir } });
    const db = getDb();
    for (const user of await db.selectFrom("users").select(["id", "email"]).execute()) ids.set(user.email, user.id);
    const documents = await db.selectFrom("documents").select(["id", "group_id", "kind"]).execute();
    torId = documents.find((document) => document.kind === "terms_of_reference")!.id;
    agendaId = documents.find((document) => document.kind === "agenda")!.id;
    groupId = documents[0]!.group_id;
    for (const who of ["secretary", "member", "ngo", "chair"]) cookies.set(who, await signIn(server, `${who}@example.org`));
  });

  afterAll(async () => {
    await server?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("shows a consultee no document before one is opened to them", async () => {
    expect((await get(`/groups/${groupId}/documents/${torId}`, "ngo")).status).toBe(404);
    const home = await (await get(`/groups/${groupId}`, "ngo")).text();
    expect(home).toContain("You will see documents here when one is opened to you for consultation");
  });

  it("lets only the chair or the secretary open a consultation", async () => {
    const member = await actorOf("member@example.org");
    await expect(
      openConsultation(getDb(), null, member, {
        documentId: torId,
        consulteeUserIds: [ids.get("ngo@example.org")!],
        closesOn: nzDatePlus(7),
        brief: "Please comment.",
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" } satisfies Partial<AppError>);
    expect((await get(`/groups/${groupId}/documents/${torId}/consultation`, "member")).status).toBe(403);
    expect((await get(`/groups/${groupId}/documents/${torId}/consultation`, "ngo")).status).toBe(404);
    expect((await get(`/groups/${groupId}/documents/${torId}/consultation`, "chair")).status).toBe(200);
  });

  it("refuses to invite someone who is not a consultee of the group", async () => {
    const secretary = await actorOf("secretary@example.org");
    await expect(
      openConsultation(getDb(), null, secretary, {
        documentId: torId,
        consulteeUserIds: [ids.get("member@example.org")!],
        closesOn: nzDatePlus(7),
        brief: "Please comment.",
      }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });

  it("opens a document to an invited consultee, who is emailed, sees only it and reads it read-only", async () => {
    const closesOn = nzDatePlus(10);
    const response = await post(
      `/groups/${groupId}/documents/${torId}/consultation`,
      "secretary",
      new URLSearchParams({ intent: "open", consulteeId: ids.get("ngo@example.org")!, closesOn, brief: "Kia ora, we would value your view on section 3." }),
    );
    expect(response.status).toBe(302);

    const consultation = await getDb().selectFrom("consultations").selectAll().where("document_id", "=", torId).executeTakeFirstOrThrow();
    expect(consultation.closes_at.toISOString()).toBe(nzEndOfDay(closesOn).toISOString());
    const audit = await getDb().selectFrom("audit_log").select("action").where("action", "=", "consultation.opened").execute();
    expect(audit).toHaveLength(1);

    await expect.poll(async () => (await readOutbox(dataDir)).filter((message) => message.to.includes("ngo@example.org")).length).toBe(1);
    const email = (await readOutbox(dataDir)).find((message) => message.to.includes("ngo@example.org"))!;
    expect(linkPath(email.text, `/groups/${groupId}/documents/`)).toBe(`/groups/${groupId}/documents/${torId}`);
    expect(email.text).toMatch(/\/unsubscribe\/[A-Za-z0-9_-]{43}/);

    const home = await (await get(`/groups/${groupId}`, "ngo")).text();
    expect(home).toContain(`/groups/${groupId}/documents/${torId}`);
    expect(home).not.toContain(agendaId);
    expect((await get(`/groups/${groupId}/documents/${torId}`, "ngo")).status).toBe(200);
    expect((await get(`/groups/${groupId}/documents/${agendaId}`, "ngo")).status).toBe(404);
    expect((await get(`/groups/${groupId}/documents`, "ngo")).status).toBe(403);

    const ngo = await actorOf("ngo@example.org");
    const resource = await documentResource(getDb(), ngo, (await findDocument(getDb(), torId))!);
    expect(can(ngo, "document.read", resource)).toBe(true);
    expect(can(ngo, "document.comment", resource)).toBe(true);
    expect(can(ngo, "document.edit", resource)).toBe(false);
  });

  it("ends a consultee's comment permission at the closing instant", async () => {
    const ngo = await actorOf("ngo@example.org");
    const document = (await findDocument(getDb(), torId))!;
    const { closes_at: closesAt } = await getDb()
      .selectFrom("consultations")
      .select("closes_at")
      .where("document_id", "=", torId)
      .executeTakeFirstOrThrow();
    const justBefore = new Date(closesAt.getTime() - 1);
    const justAfter = new Date(closesAt.getTime() + 1);
    expect(can(ngo, "document.comment", await documentResource(getDb(), ngo, document, justBefore))).toBe(true);
    expect(can(ngo, "document.comment", await documentResource(getDb(), ngo, document, justAfter))).toBe(false);
    expect(can(ngo, "document.read", await documentResource(getDb(), ngo, document, justAfter))).toBe(false);
    // Members keep commenting after the consultation closes.
    const member = await actorOf("member@example.org");
    expect(can(member, "document.comment", await documentResource(getDb(), member, document, justAfter))).toBe(true);
  });

  it("tells members on the document page until when the consultation is open", async () => {
    const page = await (await get(`/groups/${groupId}/documents/${torId}`, "member")).text();
    expect(page).toContain("Open for consultation until");
    const summary = await get(`/groups/${groupId}/documents/${torId}/consultation/summary`, "member");
    expect(summary.status).toBe(200);
    const docx = await get(`/groups/${groupId}/documents/${torId}/consultation/summary.docx`, "secretary");
    expect(docx.status).toBe(200);
    expect(docx.headers.get("content-type")).toContain("wordprocessingml");
    expect((await get(`/groups/${groupId}/documents/${torId}/consultation/summary`, "ngo")).status).toBe(403);
  });

  it("closes early: the consultee loses access and the page says comments are closed", async () => {
    const secretary = await actorOf("secretary@example.org");
    await closeConsultationEarly(getDb(), secretary, { documentId: torId });
    expect(await isOpenToConsultee(getDb(), ids.get("ngo@example.org")!, torId)).toBe(false);
    // The consultee's link now explains that the consultation closed instead of saying "not found".
    const followed = await get(`/groups/${groupId}/documents/${torId}`, "ngo");
    expect(followed.status).toBe(302);
    expect(followed.headers.get("location")).toBe(`/groups/${groupId}/documents/${torId}/consultation/closed`);
    const closedPage = await get(`/groups/${groupId}/documents/${torId}/consultation/closed`, "ngo");
    expect(closedPage.status).toBe(200);
    const closedHtml = await closedPage.text();
    expect(closedHtml).toContain("This consultation was closed early on");
    expect(closedHtml).toContain("comments are closed");
    expect(closedHtml).toContain("Kia ora, we would value your view on section 3.");
    // …but never the document's text, which the group may have changed since.
    expect(closedHtml).not.toContain("Document text");
    const home = await (await get(`/groups/${groupId}`, "ngo")).text();
    expect(home).toContain("Closed consultations");
    expect(home).toContain(`/groups/${groupId}/documents/${torId}/consultation/closed`);
    // A consultee never invited to a consultation on the agenda still gets "not found" for it.
    expect((await get(`/groups/${groupId}/documents/${agendaId}`, "ngo")).status).toBe(404);
    expect((await get(`/groups/${groupId}/documents/${agendaId}/consultation/closed`, "ngo")).status).toBe(302);
    // A comment sent after closing is refused and not stored; the consultee is shown why.
    const commentsBefore = await getDb().selectFrom("comments").select("id").execute();
    const late = await post(
      `/groups/${groupId}/documents/${torId}/comments`,
      "ngo",
      new URLSearchParams({ intent: "create", anchorStart: "AA", anchorEnd: "AA", quote: "Purpose", body: "Too late?" }),
    );
    expect(late.status).toBe(302);
    expect(late.headers.get("location")).toBe(`/groups/${groupId}/documents/${torId}/consultation/closed`);
    expect(await getDb().selectFrom("comments").select("id").execute()).toHaveLength(commentsBefore.length);
    // Members are sent to the document itself.
    const memberClosed = await get(`/groups/${groupId}/documents/${torId}/consultation/closed`, "member");
    expect(memberClosed.headers.get("location")).toBe(`/groups/${groupId}/documents/${torId}`);
    const page = await (await get(`/groups/${groupId}/documents/${torId}`, "member")).text();
    expect(page).toContain("This consultation closed on");
    expect(page).toContain("comments are closed.");
    const audit = await getDb().selectFrom("audit_log").select("action").where("action", "=", "consultation.closed").execute();
    expect(audit).toHaveLength(1);
  });

  it("closes by itself at the closing date: open consultee connections end and viewers are told", async () => {
    const secretary = await actorOf("secretary@example.org");
    await openConsultation(getDb(), null, secretary, {
      documentId: agendaId,
      consulteeUserIds: [ids.get("ngo@example.org")!],
      closesOn: nzDatePlus(3),
      brief: "Comments on the agenda, please.",
    });
    const consultee = connectClient(server.url, agendaId, cookies.get("ngo")!);
    const viewer = connectSocket(server.url, { transports: ["websocket"], extraHeaders: { cookie: cookies.get("member")! }, reconnection: false });
    const announced: unknown[] = [];
    viewer.on("consultation:changed", (payload: unknown) => announced.push(payload));
    try {
      await vi.waitFor(() => expect(consultee.provider.synced).toBe(true), { timeout: 10_000 });
      await new Promise<void>((resolve, reject) => {
        viewer.on("connect_error", reject);
        viewer.emit("document:join", { documentId: agendaId }, (ack: { ok: boolean }) => (ack.ok ? resolve() : reject(new Error("join refused"))));
      });
      // The closing instant passes: move it into the past, as the clock would.
      const before = new Date();
      await getDb()
        .updateTable("consultations")
        .set({ closes_at: new Date(before.getTime() - 1000) })
        .where("document_id", "=", agendaId)
        .where("closed_early_at", "is", null)
        .execute();
      const documents = await announceConsultationClosings(server.services, new Date(before.getTime() - 60_000), before);
      expect(documents).toEqual([agendaId]);
      await vi.waitFor(() => expect(consultee.closeCodes).toContain(1008), { timeout: 10_000 });
      await vi.waitFor(() => expect(announced).toEqual([{ documentId: agendaId }]), { timeout: 10_000 });
      // The same span again finds nothing new to announce… and a later span neither.
      expect(await announceConsultationClosings(server.services, before, new Date())).toEqual([]);
      const page = await (await get(`/groups/${groupId}/documents/${agendaId}/consultation/closed`, "ngo")).text();
      expect(page).toContain("This consultation closed on");
    } finally {
      consultee.destroy();
      viewer.close();
    }
  });
});
