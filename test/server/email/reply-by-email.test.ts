/**
 * Replies by email, end to end on PGlite and PostgreSQL: the real server with its inbound SMTP
 * listener on a free port, comment notification emails (through the job queue, to the outbox)
 * carrying a Reply-To with a token, and a real SMTP client (nodemailer) answering them. Quotes and
 * signatures are cut, a consultee is refused (and told by email) once their consultation closed,
 * unknown, spent and expired tokens are refused, a message delivered twice is posted once, and
 * malformed, empty and over-size messages get their own codes while the listener keeps serving.
 */
import crypto from "node:crypto";
import fs from "node:fs/promises";
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadActor } from "../../../app/models/actor.server.js";
import { reply } from "../../../app/models/comments.server.js";
import { closeConsultationEarly, openConsultation } from "../../../app/models/consultation-commands.server.js";
import { REPLY_TOKEN_LIFETIME_MS } from "../../../app/models/reply-tokens.server.js";
import { nzCalendarDate } from "../../../app/utils/dates.js";
import { describeEachDatabase } from "../../support/database.js";
import { makeTempDataDir, readOutbox, waitForMail } from "../../support/outbox.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";

const DOMAIN = "stewardship.example.nz";
const REPLY_TO = new RegExp(`^reply\\+[a-z2-7]{52}@${DOMAIN.replace(/\./g, "\\.")}$`);

describeEachDatabase("replies by email", (getDb, getHandle) => {
  let server: TestServer;
  let dataDir: string;
  let smtp: nodemailer.Transporter<SMTPTransport.SentMessageInfo>;
  let termsId: string;
  let paperId: string;
  let groupId: string;
  const ids = {} as Record<"chair" | "secretary" | "member" | "ngo", string>;

  beforeAll(async () => {
    dataDir = await makeTempDataDir();
    server = await startTestServer({
      database: getHandle(),
      env: { DATA_DIR: dataDir, INBOUND_SMTP_PORT: "0", EMAIL_FROM: `Stewardship Group <hui@${DOMAIN}>` },
    });
    smtp = nodemailer.createTransport({ host: "127.0.0.1", port: server.inboundMail!.port, secure: false, ignoreTLS: true } satisfies SMTPTransport.Options);
    const db = getDb();
    const documents = await db.selectFrom("documents").select(["id", "group_id", "kind"]).orderBy("created_at").execute();
    const terms = documents.find((document) => document.kind === "terms_of_reference")!;
    termsId = terms.id;
    groupId = terms.group_id;
    paperId = documents.find((document) => document.id !== termsId && document.group_id === groupId)!.id;
    for (const role of ["chair", "secretary", "member", "ngo"] as const) {
      ids[role] = (await db.selectFrom("users").select("id").where("email", "=", `${role}@example.org`).executeTakeFirstOrThrow()).id;
    }
  });
  afterAll(async () => {
    smtp?.close();
    await server?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  const actorOf = async (role: keyof typeof ids) => {
    const user = await getDb().selectFrom("users").select(["id", "email", "display_name", "is_platform_admin"]).where("id", "=", ids[role]).executeTakeFirstOrThrow();
    return loadActor(getDb(), { id: user.id, email: user.email, displayName: user.display_name, isPlatformAdmin: user.is_platform_admin });
  };

  /** A thread by `role` on a document (its anchors are not what this suite is about). */
  async function threadBy(role: keyof typeof ids, documentId: string): Promise<string> {
    const thread = await getDb()
      .insertInto("comment_threads")
      .values({ document_id: documentId, anchor_start: new Uint8Array([0]), anchor_end: new Uint8Array([0]), quote: "meets monthly", created_by: ids[role] })
      .returning("id")
      .executeTakeFirstOrThrow();
    await getDb().insertInto("comments").values({ thread_id: thread.id, author_id: ids[role], body: "Should this say fortnightly?" }).execute();
    return thread.id;
  }

  /** The secretary answers in the thread; the Reply-To of the email `role` gets about it. */
  async function replyAddressFor(role: keyof typeof ids, threadId: string): Promise<string> {
    const marker = crypto.randomBytes(4).toString("hex");
    await reply(getDb(), server.services, await actorOf("secretary"), threadId, `Noted ${marker}`);
    const [email] = await waitForMail(dataDir, (message) => message.to === `${role}@example.org` && message.text.includes(marker));
    const replyTo = email!.headers.get("reply-to")!;
    expect(replyTo).toMatch(REPLY_TO);
    return replyTo;
  }

  /** Sends through the listener; resolves with the SMTP answer's code (250 when taken). */
  async function send(to: string, message: { text?: string; html?: string; messageId?: string; raw?: string }) {
    try {
      const info = message.raw
        ? await smtp.sendMail({ envelope: { from: "someone@example.org", to }, raw: message.raw })
        : await smtp.sendMail({ from: "Aroha <member@example.org>", to, subject: "Re: a comment thread", ...message });
      return { code: Number(/^\d{3}/.exec(info.response)?.[0]), response: info.response };
    } catch (error) {
      const failure = error as { responseCode?: number; response?: string };
      return { code: failure.responseCode ?? 0, response: failure.response ?? String(error) };
    }
  }

  const commentsOf = (threadId: string) =>
    getDb().selectFrom("comments").select(["author_id", "body"]).where("thread_id", "=", threadId).orderBy("created_at").execute();

  it("gives a participant's notification email a Reply-To that posts their answer, quotes and signature cut", async () => {
    const threadId = await threadBy("member", termsId);
    // Through the web form: the email the member is sent carries the reply address.
    const secretary = await signIn(server, "secretary@example.org");
    const posted = await fetch(`${server.url}/groups/${groupId}/documents/${termsId}/comments`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.origin, cookie: secretary },
      body: new URLSearchParams({ intent: "reply", threadId, body: "Fortnightly would suit the Hub." }),
    });
    expect(posted.status).toBeLessThan(400);
    const [email] = await waitForMail(dataDir, (message) => message.to === "member@example.org" && message.text.includes("Fortnightly would suit"));
    const replyTo = email!.headers.get("reply-to")!;
    expect(replyTo).toMatch(REPLY_TO);
    expect(email!.headers.get("from")).toBe(`Stewardship Group <hui@${DOMAIN}>`);
    expect(email!.text).toContain("Reply to this email to answer in the thread.");
    // Only the hash is kept.
    const token = /^reply\+([a-z2-7]+)@/.exec(replyTo)![1]!;
    const stored = await getDb().selectFrom("reply_tokens").selectAll().where("user_id", "=", ids.member).where("thread_id", "=", threadId).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).toBe(crypto.createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored[0]!.expires_at.getTime() - stored[0]!.created_at.getTime()).toBeLessThanOrEqual(REPLY_TOKEN_LIFETIME_MS + 1000);

    const answer = await send(replyTo.toUpperCase().replace("REPLY+", "reply+"), {
      text: [
        "Yes, fortnightly works for Te Puni Kōkiri.",
        "",
        "On Mon, 7 Dec 2026 at 10:02, Secretary <secretary@example.org> wrote:",
        "> Fortnightly would suit the Hub.",
        "",
        "-- ",
        "Aroha Ngata",
        "Te Puni Kōkiri",
      ].join("\n"),
    });
    expect(answer.code).toBe(250);
    expect((await commentsOf(threadId)).at(-1)).toEqual({ author_id: ids.member, body: "Yes, fortnightly works for Te Puni Kōkiri." });
    const audit = await getDb().selectFrom("audit_log").select(["actor_id", "details"]).where("action", "=", "comment.replied").orderBy("id", "desc").executeTakeFirstOrThrow();
    expect(audit.actor_id).toBe(ids.member);
    expect(audit.details).toMatchObject({ threadId, via: "email" });
    // The thread's other participants are told of it, as for a reply on the web.
    await waitForMail(dataDir, (message) => message.to === "secretary@example.org" && message.text.includes("Yes, fortnightly works"));
  }, 90_000);

  it("cuts an Outlook header block from an HTML-only reply", async () => {
    const threadId = await threadBy("member", termsId);
    const replyTo = await replyAddressFor("member", threadId);
    const answer = await send(replyTo, {
      html: "<div><p>Agreed, with one change: <b>quarterly</b> reports.</p></div><hr><p><b>From:</b> Secretary &lt;secretary@example.org&gt;<br><b>Sent:</b> Monday, 7 December 2026 10:02<br><b>Subject:</b> A comment thread</p><p>Noted.</p>",
    });
    expect(answer.code).toBe(250);
    expect((await commentsOf(threadId)).at(-1)).toEqual({ author_id: ids.member, body: "Agreed, with one change: quarterly reports." });
  }, 60_000);

  it("posts a message delivered twice once, and refuses a second message to a spent address", async () => {
    const threadId = await threadBy("member", termsId);
    const replyTo = await replyAddressFor("member", threadId);
    const before = (await commentsOf(threadId)).length;
    const messageId = `<${crypto.randomUUID()}@mail.example.org>`;
    expect((await send(replyTo, { text: "Once only, please.", messageId })).code).toBe(250);
    expect((await send(replyTo, { text: "Once only, please.", messageId })).code).toBe(250);
    expect((await commentsOf(threadId)).length).toBe(before + 1);
    const again = await send(replyTo, { text: "And another thing.", messageId: `<${crypto.randomUUID()}@mail.example.org>` });
    expect(again.code).toBe(550);
    expect((await commentsOf(threadId)).length).toBe(before + 1);
  }, 60_000);

  it("refuses an address it never issued, another domain's, and an expired one, saying nothing of why", async () => {
    const threadId = await threadBy("member", termsId);
    const replyTo = await replyAddressFor("member", threadId);
    const forged = `reply+${"a".repeat(52)}@${DOMAIN}`;
    const elsewhere = replyTo.replace(DOMAIN, "elsewhere.example.org");
    for (const to of [forged, elsewhere, `secretary@${DOMAIN}`, `reply+short@${DOMAIN}`]) {
      const answer = await send(to, { text: "Let me in." });
      expect(answer.code, to).toBe(550);
      expect(answer.response, to).toContain("No such recipient here");
    }
    await getDb().updateTable("reply_tokens").set({ expires_at: new Date(Date.now() - 1000) }).where("user_id", "=", ids.member).where("thread_id", "=", threadId).execute();
    const expired = await send(replyTo, { text: "Too late?" });
    expect(expired.code).toBe(550);
    expect(expired.response).toContain("No such recipient here");
    expect((await commentsOf(threadId)).map((comment) => comment.body)).not.toContain("Too late?");
  }, 60_000);

  it("refuses malformed, empty and over-size messages with their codes, and keeps serving after each", async () => {
    const threadId = await threadBy("member", termsId);
    const replyTo = await replyAddressFor("member", threadId);
    const head = (extra: string) => `From: member@example.org\r\nTo: ${replyTo}\r\nSubject: Re\r\nMessage-ID: <${crypto.randomUUID()}@example.org>\r\n${extra}`;
    const cases: [string, { text?: string; raw?: string }, number, string][] = [
      ["multipart without a boundary", { raw: head("MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\nhello\r\n") }, 554, "could not be read"],
      ["no From", { raw: `To: ${replyTo}\r\nSubject: Re\r\n\r\nhello\r\n` }, 554, "could not be read"],
      ["binary noise", { raw: "\u0000\u0001\u00ff\u00fe garbage" }, 554, "could not be read"],
      ["only quoted text", { text: "On Mon, 7 Dec 2026, Secretary wrote:\n> Noted.\n" }, 550, "no text"],
      ["only a signature", { text: "-- \nAroha\n" }, 550, "no text"],
      ["over a megabyte", { text: `${"kupu ".repeat(220_000)}` }, 552, ""],
      ["longer than a comment may be", { text: "w".repeat(4001) }, 550, "too long"],
    ];
    for (const [name, message, code, words] of cases) {
      const answer = await send(replyTo, message);
      expect(answer.code, name).toBe(code);
      expect(answer.response, name).toContain(words);
    }
    expect((await commentsOf(threadId)).length).toBe(2);
    // None of them spent the address: the listener still takes the real answer.
    expect((await send(replyTo, { text: "Still here." })).code).toBe(250);
    expect((await commentsOf(threadId)).at(-1)?.body).toBe("Still here.");
  }, 90_000);

  it("refuses a consultee once the consultation closed, and tells them so by email", async () => {
    const secretary = await actorOf("secretary");
    const closesOn = nzCalendarDate(new Date(Date.now() + 10 * 86_400_000));
    const { closesAt } = await openConsultation(getDb(), null, secretary, { documentId: paperId, consulteeUserIds: [ids.ngo], closesOn, brief: "Your views on the paper, please." });
    const threadId = await threadBy("ngo", paperId);
    const replyTo = await replyAddressFor("ngo", threadId);
    // A consultee's address lasts no longer than the consultation.
    const token = await getDb().selectFrom("reply_tokens").select(["expires_at", "consultation_id"]).where("user_id", "=", ids.ngo).where("thread_id", "=", threadId).executeTakeFirstOrThrow();
    expect(token.expires_at.getTime()).toBe(closesAt.getTime());
    expect(token.consultation_id).not.toBeNull();

    await closeConsultationEarly(getDb(), secretary, { documentId: paperId }, server.services);
    const refused = await send(replyTo, { text: "Here is what we think." });
    expect(refused.code).toBe(550);
    expect(refused.response).toContain("we have emailed you why");
    const [told] = await waitForMail(dataDir, (message) => message.to === "ngo@example.org" && message.subject.includes("was not added"));
    expect(told!.text).toContain("the consultation closed on");
    expect((await commentsOf(threadId)).map((comment) => comment.body)).not.toContain("Here is what we think.");
    // Told once, however many times the address is tried.
    expect((await send(replyTo, { text: "Here is what we think, again." })).code).toBe(550);
    // An email queued after that second try has arrived: a second telling would have too.
    await replyAddressFor("member", await threadBy("member", termsId));
    const tellings = (await waitForMail(dataDir, (message) => message.to === "ngo@example.org" && message.subject.includes("was not added"))).length;
    expect(tellings).toBe(1);
  }, 90_000);

  it("refuses a consultee whose address ran out with the consultation, and tells them so by email", async () => {
    const secretary = await actorOf("secretary");
    const closesOn = nzCalendarDate(new Date(Date.now() + 5 * 86_400_000));
    const { consultationId } = await openConsultation(getDb(), null, secretary, { documentId: paperId, consulteeUserIds: [ids.ngo], closesOn, brief: "A second round, please." });
    const threadId = await threadBy("ngo", paperId);
    const replyTo = await replyAddressFor("ngo", threadId);
    // The closing instant passes (the address expires with it).
    const closedAt = new Date(Date.now() - 60_000);
    await getDb().updateTable("consultations").set({ closes_at: closedAt }).where("id", "=", consultationId).execute();
    await getDb().updateTable("reply_tokens").set({ expires_at: closedAt }).where("user_id", "=", ids.ngo).where("thread_id", "=", threadId).execute();
    const before = (await readOutbox(dataDir)).filter((message) => message.to === "ngo@example.org" && message.subject.includes("was not added")).length;
    const refused = await send(replyTo, { text: "Sorry this is late." });
    expect(refused.code).toBe(550);
    expect(refused.response).toContain("we have emailed you why");
    await waitForMail(dataDir, (message) => message.to === "ngo@example.org" && message.subject.includes("was not added"), { count: before + 1 });
    expect((await commentsOf(threadId)).map((comment) => comment.body)).not.toContain("Sorry this is late.");
  }, 90_000);
});
