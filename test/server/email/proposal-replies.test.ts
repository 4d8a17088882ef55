/**
 * Stances by reply email (issue 22), end to end on PGlite and PostgreSQL: the real server with its
 * inbound SMTP listener on a free port, proposal emails (opened, reminder) through the job queue to
 * the outbox, each to someone who may take part carrying its own Reply-To, and a real SMTP client
 * (nodemailer) answering them. An unambiguous stance is taken through the web form's command
 * (`via: "email"`, reasons required, a secret ballot cast once); anything else is answered by email
 * with what was not understood and how to reply; a closed proposal refuses and says why; nobody who
 * may not take part is given an address, and a reply from one is refused.
 */
import crypto from "node:crypto";
import fs from "node:fs/promises";
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadActor } from "../../../app/models/actor.server.js";
import { closeProposal, remindProposal } from "../../../app/models/proposal-closing.server.js";
import { issueProposalReplyAddress } from "../../../app/models/proposal-replies.server.js";
import { type OpenProposalInput, openProposal, takePart } from "../../../app/models/proposals.server.js";
import { describeEachDatabase } from "../../support/database.js";
import { type OutboxMessage, makeTempDataDir, readOutbox, waitForMail } from "../../support/outbox.js";
import { type TestServer, startTestServer } from "../../support/server.js";

const DOMAIN = "stewardship.example.nz";
const REPLY_TO = new RegExp(`^reply\\+[a-z2-7]{52}@${DOMAIN.replace(/\./g, "\\.")}$`);
const DAY = 86_400_000;

describeEachDatabase("stances by reply email", (getDb, getHandle) => {
  let server: TestServer;
  let dataDir: string;
  let smtp: nodemailer.Transporter<SMTPTransport.SentMessageInfo>;
  let groupId: string;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    dataDir = await makeTempDataDir();
    server = await startTestServer({
      database: getHandle(),
      env: { DATA_DIR: dataDir, INBOUND_SMTP_PORT: "0", EMAIL_FROM: `Stewardship Group <hui@${DOMAIN}>` },
    });
    smtp = nodemailer.createTransport({ host: "127.0.0.1", port: server.inboundMail!.port, secure: false, ignoreTLS: true } satisfies SMTPTransport.Options);
    for (const user of await getDb().selectFrom("users").select(["id", "email"]).execute()) ids.set(user.email.split("@")[0]!, user.id);
    groupId = (await getDb().selectFrom("groups").select("id").orderBy("created_at").executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => {
    smtp?.close();
    await server?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  const idOf = (who: string) => ids.get(who)!;
  const actorOf = async (who: string) => {
    const user = await getDb().selectFrom("users").select(["id", "email", "display_name", "is_platform_admin"]).where("id", "=", idOf(who)).executeTakeFirstOrThrow();
    return loadActor(getDb(), { id: user.id, email: user.email, displayName: user.display_name, isPlatformAdmin: user.is_platform_admin });
  };

  /** The secretary opens a proposal; resolves with its id and its title (unique, to find its emails). */
  async function open(overrides: Partial<OpenProposalInput> = {}) {
    const title = `Letter to the Minister ${crypto.randomBytes(3).toString("hex")}`;
    const id = await openProposal(getDb(), server.services, await actorOf("secretary"), {
      groupId,
      title,
      verb: "agreed",
      resolution: "that the chair write to the Minister supporting the draft plan",
      process: "consent",
      closesAt: new Date(Date.now() + 7 * DAY),
      results: "visible",
      ballot: "named",
      ...overrides,
    });
    return { id, title };
  }

  /** The email `who` was sent about the proposal titled `title`. */
  async function emailTo(who: string, title: string, subject = "A proposal for your stance"): Promise<OutboxMessage> {
    const [email] = await waitForMail(dataDir, (message) => message.to === `${who}@example.org` && message.subject.startsWith(subject) && message.subject.includes(title));
    return email!;
  }

  async function replyAddress(who: string, title: string): Promise<string> {
    const replyTo = (await emailTo(who, title)).headers.get("reply-to")!;
    expect(replyTo).toMatch(REPLY_TO);
    return replyTo;
  }

  /** Sends through the listener; resolves with the SMTP answer's code (250 when taken). */
  async function send(to: string, text: string, messageId = `<${crypto.randomUUID()}@mail.example.org>`) {
    try {
      const info = await smtp.sendMail({ from: "someone@example.org", to, subject: "Re: a proposal", text, messageId });
      return { code: Number(/^\d{3}/.exec(info.response)?.[0]), response: info.response };
    } catch (error) {
      const failure = error as { responseCode?: number; response?: string };
      return { code: failure.responseCode ?? 0, response: failure.response ?? String(error) };
    }
  }

  const stancesOf = (proposalId: string) =>
    getDb().selectFrom("proposal_stances").select(["user_id", "stance", "reason", "via"]).where("proposal_id", "=", proposalId).orderBy("created_at").execute();

  /** How many emails matching `match` have arrived, once a marker email queued after them has. */
  async function settledCount(match: (message: OutboxMessage) => boolean): Promise<number> {
    const marker = await open();
    await emailTo("member", marker.title);
    return (await readOutbox(dataDir)).filter(match).length;
  }

  it("gives each email to someone who may take part its own address, and takes an objection with its reason from it", async () => {
    const { id, title } = await open();
    const email = await emailTo("member", title);
    const replyTo = email.headers.get("reply-to")!;
    expect(replyTo).toMatch(REPLY_TO);
    expect(email.text).toContain("To take part by email, reply with only your stance: “consent”, or “object:” followed by your reason.");
    // An alternate in their member's place may take part too; each email its own token, hashed.
    const alternate = await replyAddress("ana.tupou", title);
    expect(alternate).not.toBe(replyTo);
    const token = /^reply\+([a-z2-7]+)@/.exec(replyTo)![1]!;
    const stored = await getDb().selectFrom("proposal_reply_tokens").selectAll().where("proposal_id", "=", id).where("user_id", "=", idOf("member")).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).toBe(crypto.createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(stored)).not.toContain(token);

    const messageId = `<${crypto.randomUUID()}@mail.example.org>`;
    const text = ["Object: the date clashes with Matariki.", "", "On Mon, 7 Dec 2026 at 10:02, Stewardship Group <hui@stewardship.example.nz> wrote:", "> A proposal for your stance", "", "-- ", "Tama Ngata"].join("\n");
    expect((await send(replyTo, text, messageId)).code).toBe(250);
    expect(await stancesOf(id)).toEqual([{ user_id: idOf("member"), stance: "object", reason: "the date clashes with Matariki.", via: "email" }]);
    const audit = await getDb().selectFrom("audit_log").select(["actor_id", "details"]).where("action", "=", "proposal.took_part").where("subject_id", "=", id).executeTakeFirstOrThrow();
    expect(audit).toEqual({ actor_id: idOf("member"), details: { via: "email" } });
    // The same message again is taken and not counted twice; another message to the spent address is refused.
    expect((await send(replyTo, text, messageId)).code).toBe(250);
    expect(await send(replyTo, "Consent")).toMatchObject({ code: 550 });
    expect(await stancesOf(id)).toHaveLength(1);
    // The seat took part by its member: the alternate's reply is refused with the command's reason, by email.
    const refused = await send(alternate, "consent");
    expect(refused.code).toBe(550);
    expect(refused.response).toContain("we have emailed you why");
    const [told] = await waitForMail(dataDir, (message) => message.to === "ana.tupou@example.org" && message.subject === `Your reply was not counted on “${title}”`);
    expect(told!.text).toContain("Your seat has already taken part");
  }, 120_000);

  it("gives no address to anyone who may not take part, and refuses one used by them", async () => {
    const { id, title } = await open();
    await emailTo("member", title);
    const issuedTo = await getDb().selectFrom("proposal_reply_tokens").select("user_id").where("proposal_id", "=", id).execute();
    for (const who of ["secretary", "minister", "ngo", "admin", "hemi.walker"]) expect(issuedTo.map((row) => row.user_id), who).not.toContain(idOf(who));
    expect(issuedTo.map((row) => row.user_id)).toContain(idOf("chair"));
    // Were one made for them, the same policy as the web form refuses it, and says so once.
    for (const who of ["minister", "ngo", "secretary", "admin", "hemi.walker"]) {
      const address = (await issueProposalReplyAddress(getDb(), DOMAIN, { userId: idOf(who), proposalId: id }))!;
      const answer = await send(address, "consent");
      expect(answer.code, who).toBe(550);
      if (who === "minister" || who === "secretary") {
        const [told] = await waitForMail(dataDir, (message) => message.to === `${who}@example.org` && message.subject === `Your reply was not counted on “${title}”`);
        expect(told!.text, who).toContain("Only the members with a seat");
      }
    }
    // The consultee may not see proposals at all: told nothing of it.
    expect(await settledCount((message) => message.to === "ngo@example.org" && message.subject.includes(title))).toBe(0);
    expect(await stancesOf(id)).toEqual([]);
  }, 120_000);

  it("gives no address to a member excluded for a declared conflict, and refuses their reply", async () => {
    const membership = await getDb().selectFrom("memberships").select("id").where("user_id", "=", idOf("sione.tui")).where("group_id", "=", groupId).executeTakeFirstOrThrow();
    const { id, title } = await open({ conflicts: [{ membershipId: membership.id, interest: "Sione's organisation would receive the funding" }] });
    await emailTo("member", title);
    const issuedTo = await getDb().selectFrom("proposal_reply_tokens").select("user_id").where("proposal_id", "=", id).execute();
    expect(issuedTo.map((row) => row.user_id)).not.toContain(idOf("sione.tui"));
    const address = (await issueProposalReplyAddress(getDb(), DOMAIN, { userId: idOf("sione.tui"), proposalId: id }))!;
    expect((await send(address, "consent")).code).toBe(550);
    const [told] = await waitForMail(dataDir, (message) => message.to === "sione.tui@example.org" && message.subject === `Your reply was not counted on “${title}”`);
    expect(told!.text).toContain("unless they declared a conflict");
    expect(await stancesOf(id)).toEqual([]);
  }, 120_000);

  it("answers a reply that is not one stance by email, with the words and how to reply, and the same address then takes a stance", async () => {
    const { id, title } = await open({ process: "consensus" });
    const replyTo = await replyAddress("david.chen", title);
    for (const text of ["Happy with this, but can we talk about the wording?", "block", "consent"]) {
      const answer = await send(replyTo, text);
      expect(answer.code, text).toBe(550);
      expect(answer.response, text).toContain("not counted");
    }
    const notUnderstood = (message: OutboxMessage) => message.to === "david.chen@example.org" && message.subject === `Your reply was not counted as a stance on “${title}”`;
    const [told] = await waitForMail(dataDir, notUnderstood);
    expect(told!.text).toContain("> Happy with this, but can we talk about the wording?");
    expect(told!.text).toContain("reply with only your stance: “agree”, “abstain”, “disagree”, or “block:” followed by your reason");
    expect(told!.text).toContain(`/groups/${groupId}/proposals/${id}`);
    // Told once per address, however often it is tried.
    expect(await settledCount(notUnderstood)).toBe(1);
    expect(await stancesOf(id)).toEqual([]);
    // None of them spent the address.
    expect((await send(replyTo, "I agree")).code).toBe(250);
    expect(await stancesOf(id)).toEqual([{ user_id: idOf("david.chen"), stance: "agree", reason: null, via: "email" }]);
  }, 120_000);

  it("casts a secret ballot once by email, keeping nothing of the choice beside the person", async () => {
    const { id, title } = await open({ ballot: "secret" });
    const replyTo = await replyAddress("mereana.henare", title);
    expect((await send(replyTo, "object - not before the Hub has seen it")).code).toBe(250);
    const box = await getDb().selectFrom("proposal_ballot_boxes").select(["counts", "reasons"]).where("proposal_id", "=", id).executeTakeFirstOrThrow();
    expect(box.counts).toEqual({ object: 1 });
    expect(box.reasons).toEqual([{ stance: "object", reason: "not before the Hub has seen it" }]);
    expect(await stancesOf(id)).toEqual([]);
    const token = await getDb().selectFrom("proposal_reply_tokens").selectAll().where("proposal_id", "=", id).where("user_id", "=", idOf("mereana.henare")).executeTakeFirstOrThrow();
    expect(JSON.stringify(token)).not.toMatch(/object|Hub/);
    const audit = await getDb().selectFrom("audit_log").select("details").where("subject_id", "=", id).where("action", "=", "proposal.took_part").execute();
    expect(JSON.stringify(audit)).not.toMatch(/object|Hub/);
    // A second ballot by email (another email's address) is refused as the web form refuses it.
    const again = (await issueProposalReplyAddress(getDb(), DOMAIN, { userId: idOf("mereana.henare"), proposalId: id }))!;
    expect((await send(again, "consent")).code).toBe(550);
    const [told] = await waitForMail(dataDir, (message) => message.to === "mereana.henare@example.org" && message.subject === `Your reply was not counted on “${title}”`);
    expect(told!.text).toContain("Your secret ballot is cast");
    expect((await getDb().selectFrom("proposal_ballot_boxes").select("counts").where("proposal_id", "=", id).executeTakeFirstOrThrow()).counts).toEqual({ object: 1 });
  }, 120_000);

  it("puts an address in the reminder to those who have not taken part, and only them", async () => {
    const { id, title } = await open({ closesAt: new Date(Date.now() + 3 * DAY) });
    await emailTo("member", title);
    await takePart(getDb(), null, await actorOf("member"), { proposalId: id, choice: "consent" });
    expect(await remindProposal(getDb(), server.services, { proposalId: id, now: new Date(Date.now() + 2 * DAY + 60_000) })).toBeGreaterThan(0);
    const reminder = await emailTo("sione.tui", title, "Reminder: your stance on");
    expect(reminder.headers.get("reply-to")).toMatch(REPLY_TO);
    expect((await send(reminder.headers.get("reply-to")!, "CONSENT.")).code).toBe(250);
    expect((await stancesOf(id)).at(-1)).toEqual({ user_id: idOf("sione.tui"), stance: "consent", reason: null, via: "email" });
    const reminded = await readOutbox(dataDir);
    expect(reminded.some((message) => message.to === "member@example.org" && message.subject.startsWith("Reminder") && message.subject.includes(title))).toBe(false);
  }, 120_000);

  it("refuses a reply once the proposal has closed, and says so by email once", async () => {
    const { id, title } = await open();
    const replyTo = await replyAddress("priya.naidu", title);
    await closeProposal(getDb(), server.services, null, { proposalId: id, now: new Date(Date.now() + 8 * DAY) });
    const refused = await send(replyTo, "consent");
    expect(refused.code).toBe(550);
    expect(refused.response).toContain("the proposal has closed; we have emailed you why");
    const closedMail = (message: OutboxMessage) => message.to === "priya.naidu@example.org" && message.subject === `Your reply was not counted: the proposal “${title}” has closed`;
    const [told] = await waitForMail(dataDir, closedMail);
    expect(told!.text).toContain("it closed on");
    expect((await send(replyTo, "consent, please")).code).toBe(550);
    expect(await settledCount(closedMail)).toBe(1);
    expect(await stancesOf(id)).toEqual([]);
    // An expired address is refused at RCPT, as for comments.
    await getDb().updateTable("proposal_reply_tokens").set({ expires_at: new Date(Date.now() - 1000) }).where("proposal_id", "=", id).execute();
    expect(await send(replyTo, "consent")).toMatchObject({ code: 550, response: expect.stringContaining("No such recipient here") });
  }, 120_000);
});
