/**
 * Replies by email. Each comment notification email carries its own Reply-To address,
 * `reply+<token>@<domain>`: the token stands for one person answering one thread, and is stored
 * as its SHA-256 only (reply_tokens). The inbound mail listener (server/email/inbound.ts) takes a
 * message to such an address and posts its words here with `postEmailReply`, as that person,
 * through the same `reply` command and policy check as the web form (audited `via: "email"`).
 *
 * - A fresh token for every email, never one reused: a token is spent by the one message that
 *   answers it, so each email can be answered once, whichever of several the person answers.
 * - It expires after 30 days, or when the consultation closes for someone who reads the document
 *   only through one (a consultee), whichever is sooner.
 * - One message spends it: a second delivery of the same message (same Message-ID) is taken and
 *   not posted twice; any other message to a spent or expired token is refused.
 * - A consultee whose consultation closed before they answered is refused, and told so by email.
 * The token is 32 random bytes in lower-case base32 (52 characters), because mail systems may
 * change the case of an address: it is read case-blind.
 */
import crypto from "node:crypto";
import { type Kysely, type Transaction, sql } from "kysely";
import type { Database } from "../../db/database.js";
import { COMMENT_BODY_MAX } from "../documents/limits.js";
import { isAppError } from "../errors.js";
import type { Outbox } from "../services.js";
import { formatNzDateTime } from "../utils/dates.js";
import { actorFor, rolesByUser } from "./actor.server.js";
import { type CommentServices, reply } from "./comments.server.js";
import { openAt } from "./consultation-access.server.js";

type Db = Kysely<Database> | Transaction<Database>;

/** How long a reply address works at most. */
export const REPLY_TOKEN_LIFETIME_MS = 30 * 86_400_000;

/**
 * How long a message may hold a token while its reply is being posted; a hold older than this was
 * left by a process that stopped mid-way, and the same message may take the token again.
 */
export const ABANDONED_HOLD_MS = 10 * 60_000;

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
export const TOKEN_PATTERN = /^[a-z2-7]{52}$/;
const ADDRESS_PATTERN = /^reply\+([a-z2-7]{52})@([^@\s]+)$/i;

/** 32 random bytes as 52 characters of lower-case base32 (RFC 4648, no padding). */
export function newToken(): string {
  const bytes = crypto.randomBytes(32);
  let bits = 0;
  let value = 0;
  let token = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      token += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) token += BASE32[(value << (5 - bits)) & 31];
  return token;
}

export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

/** The token of a reply address on `domain` (case-blind), or undefined for any other address. */
export function replyTokenFromAddress(address: string, domain: string): string | undefined {
  const match = ADDRESS_PATTERN.exec(address.trim());
  if (!match || match[2]!.toLowerCase() !== domain.toLowerCase()) return undefined;
  const token = match[1]!.toLowerCase();
  return TOKEN_PATTERN.test(token) ? token : undefined;
}

/**
 * Makes a reply address for one person's email about a thread, in the transaction that queues the
 * email; undefined when they could not answer (a consultee with no open consultation on it).
 */
export async function issueReplyAddress(
  trx: Db,
  domain: string,
  recipient: { userId: string; threadId: string; documentId: string },
  now = new Date(),
): Promise<string | undefined> {
  const document = await trx.selectFrom("documents").select("group_id").where("id", "=", recipient.documentId).executeTakeFirst();
  if (!document) return undefined;
  let expiresAt = new Date(now.getTime() + REPLY_TOKEN_LIFETIME_MS);
  let consultationId: string | null = null;
  const role = (await rolesByUser(trx as Kysely<Database>, [recipient.userId])).get(recipient.userId)?.get(document.group_id);
  if (role === "consultee") {
    const open = await trx
      .selectFrom("consultations")
      .innerJoin("consultation_invitees", "consultation_invitees.consultation_id", "consultations.id")
      .select(["consultations.id", "consultations.closes_at"])
      .where("consultations.document_id", "=", recipient.documentId)
      .where("consultation_invitees.user_id", "=", recipient.userId)
      .where(openAt(now))
      .orderBy("consultations.closes_at", "desc")
      .executeTakeFirst();
    if (!open) return undefined;
    if (open.closes_at < expiresAt) {
      expiresAt = open.closes_at;
      consultationId = open.id;
    }
  }
  const token = newToken();
  await trx
    .insertInto("reply_tokens")
    .values({ token_hash: hashToken(token), user_id: recipient.userId, thread_id: recipient.threadId, document_id: recipient.documentId, expires_at: expiresAt, consultation_id: consultationId })
    .execute();
  return `reply+${token}@${domain.toLowerCase()}`;
}

/** The Reply-To hook of the comment services (app/models/comment-notifications.server.ts). */
export function replyAddresses(domain: string) {
  return (trx: Transaction<Database>, recipient: { userId: string; threadId: string; documentId: string }) => issueReplyAddress(trx, domain, recipient);
}

/**
 * Whether a token is one we issued and has not expired: the listener's check at RCPT TO. One that
 * expired because its consultation closed, and was never used, is let through too, so that
 * `postEmailReply` refuses the message and tells the consultee why rather than bouncing it unexplained.
 */
export async function isLiveReplyToken(db: Db, token: string, now = new Date()): Promise<boolean> {
  if (!TOKEN_PATTERN.test(token)) return false;
  const row = await db
    .selectFrom("reply_tokens")
    .select("token_hash")
    .where("token_hash", "=", hashToken(token))
    .where((eb) => eb.or([eb("expires_at", ">", now), eb.and([eb("consultation_id", "is not", null), eb("used_message_id", "is", null)])]))
    .executeTakeFirst();
  return row !== undefined;
}

/** What became of an email reply; the listener turns each into an SMTP answer. */
export type EmailReplyOutcome =
  | { outcome: "posted"; commentId: string }
  /** The same message again: taken, not posted twice. */
  | { outcome: "duplicate" }
  /** Unknown, expired, or spent by another message. */
  | { outcome: "refused" }
  /** Another delivery of this very message is being posted right now: try again later. */
  | { outcome: "busy" }
  | { outcome: "too_long" }
  /** The policy said no (the person may no longer comment there); `told` if we emailed them why. */
  | { outcome: "not_allowed"; told: boolean };

export type EmailReplyServices = CommentServices & { jobs: Outbox };

/**
 * Posts the words of an email reply (quotes and signature already taken out, trimmed, not empty)
 * as the token's person, once per message: `messageId` is the message's Message-ID.
 */
export async function postEmailReply(
  services: EmailReplyServices,
  input: { token: string; messageId: string; body: string },
  now = new Date(),
): Promise<EmailReplyOutcome> {
  const { db } = services;
  if (!TOKEN_PATTERN.test(input.token)) return { outcome: "refused" };
  const tokenHash = hashToken(input.token);
  const held = await db
    .updateTable("reply_tokens")
    .set({ used_message_id: input.messageId, used_at: now })
    .where("token_hash", "=", tokenHash)
    .where("expires_at", ">", now)
    .where((eb) =>
      eb.or([
        eb("used_message_id", "is", null),
        eb.and([eb("used_message_id", "=", input.messageId), eb("comment_id", "is", null), eb("used_at", "<", new Date(now.getTime() - ABANDONED_HOLD_MS))]),
      ]),
    )
    .returning(["user_id", "thread_id", "document_id"])
    .executeTakeFirst();
  if (!held) {
    const row = await db
      .selectFrom("reply_tokens")
      .select(["user_id", "document_id", "consultation_id", "expires_at", "used_message_id", "comment_id"])
      .where("token_hash", "=", tokenHash)
      .executeTakeFirst();
    if (row && row.used_message_id === input.messageId) return row.comment_id ? { outcome: "duplicate" } : { outcome: "busy" };
    if (row && row.used_message_id === null && row.consultation_id !== null && row.expires_at <= now) {
      // Its consultation has closed: the policy would refuse it; say so to the person.
      const user = await db.selectFrom("users").select(["id", "email", "display_name", "disabled_at"]).where("id", "=", row.user_id).executeTakeFirst();
      if (!user || user.disabled_at !== null) return { outcome: "not_allowed", told: false };
      return { outcome: "not_allowed", told: await tellConsultationClosed(services, tokenHash, user, row.document_id, now) };
    }
    return { outcome: "refused" };
  }
  const release = () =>
    db.updateTable("reply_tokens").set({ used_message_id: null, used_at: null }).where("token_hash", "=", tokenHash).where("comment_id", "is", null).execute();

  const body = input.body.trim();
  if (body.length > COMMENT_BODY_MAX) {
    await release();
    return { outcome: "too_long" };
  }
  const user = await db
    .selectFrom("users")
    .select(["id", "email", "display_name", "is_platform_admin", "disabled_at"])
    .where("id", "=", held.user_id)
    .executeTakeFirst();
  if (!user || user.disabled_at !== null) {
    await release();
    return { outcome: "not_allowed", told: false };
  }
  const sessionUser = { id: user.id, email: user.email, displayName: user.display_name, isPlatformAdmin: user.is_platform_admin };
  const actor = actorFor(sessionUser, (await rolesByUser(db, [user.id])).get(user.id));
  let commentId: string;
  try {
    ({ commentId } = await reply(db, services, actor, held.thread_id, body, { via: "email", inDocument: held.document_id }));
  } catch (error) {
    await release();
    if (!isAppError(error) || (error.code !== "FORBIDDEN" && error.code !== "NOT_FOUND")) throw error;
    return { outcome: "not_allowed", told: await tellConsultationClosed(services, tokenHash, user, held.document_id, now) };
  }
  // Should this fail (the database gone), the hold stays: the same message is told to try later,
  // and only after ABANDONED_HOLD_MS taken again, a duplicate comment being the lesser loss.
  await db.updateTable("reply_tokens").set({ comment_id: commentId }).where("token_hash", "=", tokenHash).execute();
  return { outcome: "posted", commentId };
}

/**
 * When a consultee's reply came after their consultation closed: tells them so by email (once per
 * token, so nobody holding the address can fill their inbox). False when that was not the reason.
 */
async function tellConsultationClosed(
  services: EmailReplyServices,
  tokenHash: string,
  user: { id: string; email: string; display_name: string },
  documentId: string,
  now: Date,
): Promise<boolean> {
  const document = await services.db.selectFrom("documents").select(["title", "group_id"]).where("id", "=", documentId).executeTakeFirst();
  if (!document) return false;
  const role = (await rolesByUser(services.db, [user.id])).get(user.id)?.get(document.group_id);
  if (role !== "consultee") return false;
  const closed = await services.db
    .selectFrom("consultations")
    .innerJoin("consultation_invitees", "consultation_invitees.consultation_id", "consultations.id")
    .select(sql<Date>`coalesce(consultations.closed_early_at, consultations.closes_at)`.as("closed_at"))
    .where("consultations.document_id", "=", documentId)
    .where("consultation_invitees.user_id", "=", user.id)
    .where((eb) => eb.not(openAt(now)(eb)))
    .orderBy("closed_at", "desc")
    .executeTakeFirst();
  if (!closed) return false;
  return services.db.transaction().execute(async (trx) => {
    const first = await trx
      .updateTable("reply_tokens")
      .set({ refusal_sent_at: now })
      .where("token_hash", "=", tokenHash)
      .where("refusal_sent_at", "is", null)
      .returning("token_hash")
      .executeTakeFirst();
    if (!first) return true;
    await services.jobs.sendEmail(trx, {
      to: user.email,
      subject: `Your reply was not added: the consultation on “${document.title}” has closed`,
      text:
        `Kia ora ${user.display_name},\n\n` +
        `Your email reply to a comment thread on “${document.title}” was not added: the consultation closed on ${formatNzDateTime(closed.closed_at)}, so it no longer takes comments.\n\n` +
        `If you still have something to say, please contact the group's secretary.\n`,
    });
    return true;
  });
}
