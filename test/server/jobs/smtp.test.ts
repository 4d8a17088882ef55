/**
 * Email through a real SMTP server (a local smtp-server): while it refuses, the job queue keeps
 * trying with back-off, and the message arrives once after it recovers; what it never takes is
 * listed for the administrator at /admin/email, to send again or discard, and nobody else may
 * see that page or use its form.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMailServer } from "../../support/mail-server.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(server: TestServer, path: string, fields: Record<string, string>, cookie?: string) {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url, ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields),
  });
}

describe("an SMTP server that refuses for a minute", () => {
  let mail: Awaited<ReturnType<typeof startMailServer>>;
  let server: TestServer;
  beforeAll(async () => {
    mail = await startMailServer();
    server = await startTestServer({
      env: { SMTP_URL: mail.url },
      jobTimings: { emailRetryDelaySeconds: 2, emailRetryDelayMaxSeconds: 10 },
    });
  });
  afterAll(async () => {
    await server?.close();
    await mail?.close();
  });

  it("gets the email once it recovers, exactly once", async () => {
    mail.state.mode = "down";
    expect((await post(server, "/forgot-password", { email: "secretary@example.org" })).status).toBe(302);
    await wait(60_000);
    expect(mail.state.received).toEqual([]);
    // Tried again and again meanwhile, with back-off (2, 4, 8, 10, 10… seconds).
    expect(mail.state.connections).toBeGreaterThanOrEqual(4);
    const recoveredAt = Date.now();
    mail.state.mode = "accept";
    const deadline = Date.now() + 30_000;
    while (mail.state.received.length === 0 && Date.now() < deadline) await wait(200);
    await wait(5_000);
    expect(mail.state.received.map((message) => message.to)).toEqual([["secretary@example.org"]]);
    expect(mail.state.received[0]!.raw).toContain("Reset your Stewardship Workspace password");
    expect(mail.state.received[0]!.at).toBeGreaterThanOrEqual(recoveredAt);
    expect(await server.services.jobs.deadLetters()).toEqual([]);
  }, 120_000);
});

describe("undelivered email, for the administrator", () => {
  let mail: Awaited<ReturnType<typeof startMailServer>>;
  let server: TestServer;
  beforeAll(async () => {
    mail = await startMailServer();
    server = await startTestServer({ env: { SMTP_URL: mail.url }, jobTimings: { emailRetryLimit: 0 } });
  });
  afterAll(async () => {
    await server?.close();
    await mail?.close();
  });

  async function undeliveredInvitation(email: string) {
    const secretary = await signIn(server, "secretary@example.org");
    const group = await server.services.db.selectFrom("groups").select("id").executeTakeFirstOrThrow();
    const organisation = await server.services.db.selectFrom("organisations").select("id").executeTakeFirstOrThrow();
    mail.state.mode = "reject";
    const sent = await post(server, `/groups/${group.id}/invite`, { intent: "invite", email, role: "member", organisationId: organisation.id }, secretary);
    expect(sent.status).toBe(302);
    for (let i = 0; i < 150; i++) {
      const letters = await server.services.jobs.deadLetters();
      const letter = letters.find((candidate) => candidate.to === email);
      if (letter) return letter;
      await wait(200);
    }
    throw new Error("the invitation never became a dead letter");
  }

  it("lists an email the mail server refused, with its answer, and sends it again", async () => {
    const letter = await undeliveredInvitation("mistyped@example.org");
    expect(letter.lastError).toContain("mailbox unavailable");
    const admin = await signIn(server, "admin@example.org");
    const page = await (await fetch(`${server.url}/admin/email`, { headers: { cookie: admin } })).text();
    expect(page).toContain("Undelivered email");
    expect(page).toContain("mistyped@example.org");
    expect(page).toContain("Invitation to join");
    expect(page).toContain("mailbox unavailable");
    // The body carries the invitation link: never shown.
    expect(page).not.toContain("/invitations/");
    const overview = await (await fetch(`${server.url}/admin`, { headers: { cookie: admin } })).text();
    expect(overview).toContain("1 not delivered");

    mail.state.mode = "accept";
    const resent = await post(server, "/admin/email", { intent: "resend", emailId: letter.id }, admin);
    expect(resent.status).toBe(302);
    expect(resent.headers.get("location")).toBe("/admin/email?resent=1");
    for (let i = 0; i < 100 && !mail.state.received.some((message) => message.to.includes("mistyped@example.org")); i++) await wait(200);
    expect(mail.state.received.filter((message) => message.to.includes("mistyped@example.org"))).toHaveLength(1);
    expect(await server.services.jobs.deadLetters()).toEqual([]);
    const audit = await server.services.db.selectFrom("audit_log").select(["action", "details"]).where("subject_id", "=", letter.id).execute();
    expect(audit).toEqual([{ action: "email.resent", details: { to: "mistyped@example.org" } }]);
  }, 60_000);

  it("discards one, and answers 404 for one that is gone and 400 for a form without an email", async () => {
    const letter = await undeliveredInvitation("gone.away@example.org");
    const admin = await signIn(server, "admin@example.org");
    expect((await post(server, "/admin/email", { intent: "discard", emailId: letter.id }, admin)).status).toBe(302);
    expect(await server.services.jobs.deadLetters()).toEqual([]);
    expect((await post(server, "/admin/email", { intent: "discard", emailId: letter.id }, admin)).status).toBe(404);
    expect((await post(server, "/admin/email", { intent: "resend", emailId: "not-a-uuid" }, admin)).status).toBe(404);
    expect((await post(server, "/admin/email", { intent: "resend" }, admin)).status).toBe(400);
    expect((await post(server, "/admin/email", { intent: "shred", emailId: letter.id }, admin)).status).toBe(400);
  }, 60_000);

  it("refuses the page and its form to everyone but the Hub's administrator", async () => {
    const letter = await undeliveredInvitation("kept@example.org");
    for (const email of ["chair@example.org", "secretary@example.org", "member@example.org", "minister@example.org", "ngo@example.org"]) {
      const cookie = await signIn(server, email);
      expect((await fetch(`${server.url}/admin/email`, { headers: { cookie } })).status, email).toBe(403);
      expect((await post(server, "/admin/email", { intent: "discard", emailId: letter.id }, cookie)).status, email).toBe(403);
    }
    const anonymous = await fetch(`${server.url}/admin/email`, { redirect: "manual" });
    expect(anonymous.status).toBe(302);
    expect((await server.services.jobs.deadLetters()).map((candidate) => candidate.id)).toEqual([letter.id]);
  }, 60_000);
});
