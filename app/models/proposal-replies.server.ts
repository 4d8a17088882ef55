/**
 * Stances by reply email (issue 22). Each proposal email (opened, reminder) to someone who may take
 * part carries its own Reply-To address, `reply+<token>@<domain>`, the same token scheme as replies
 * to comments (app/models/reply-tokens.server.ts): 32 random bytes, stored as SHA-256 only, for one
 * person and one proposal. The inbound listener (server/email/inbound.ts) hands a message to such an
 * address here with its own words (quotes and signature cut), and:
 *
 * - a stance that is unambiguous under the proposal's process ("consent", "object: <reason>",
 *   app/proposals/reply-stance.ts) is taken through `takePart`, the web form's command, with its
 *   policy and rules (reasons for objections and blocks, a secret ballot cast once), `via: "email"`;
 * - anything else is not counted: proposals have no discussion to keep it in, so the person is told
 *   by email what was not understood (their words quoted back) and how to reply; the token is not
 *   spent, so they can answer the same email again;
 * - a proposal that has closed refuses it, and the person is told so by email;
 * - a stance the command refuses (a secret ballot already cast, a seat another took part for) is
 *   told by email with the command's own message.
 *
 * The token works while the proposal is open, for at most 30 days; after it closes the listener
 * still takes a message to it only to say that it has closed. One message that takes part spends it,
 * and a second delivery of that message (same Message-ID) is taken and not counted twice. A person
 * is told why a reply was not taken once per token, so nobody holding the address can fill their
 * inbox; later ones are refused with the reason in the SMTP answer. Nothing here stores or logs the
 * choice or the reason.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, Proposal } from "../../db/database.js";
import { isAppError } from "../errors.js";
import { parseReplyStance, replyHowTo } from "../proposals/reply-stance.js";
import { formatNzDateTime } from "../utils/dates.js";
import { actorFor, rolesByUser } from "./actor.server.js";
import { type ProposalServices, takePart } from "./proposals.server.js";
import { ABANDONED_HOLD_MS, REPLY_TOKEN_LIFETIME_MS, TOKEN_PATTERN, hashToken, newToken } from "./reply-tokens.server.js";

type Db = Kysely<Database> | Transaction<Database>;

/** The most of a reply quoted back to its sender when it was not understood. */
const QUOTED_BACK_MAX = 1000;

/**
 * Makes a reply address for one person's email about an open proposal, in the transaction that
 * queues the email; undefined when the proposal is not open.
 */
export async function issueProposalReplyAddress(
  trx: Db,
  domain: string,
  recipient: { userId: string; proposalId: string },
  now = new Date(),
): Promise<string | undefined> {
  const proposal = await trx.selectFrom("proposals").select(["status", "closes_at"]).where("id", "=", recipient.proposalId).executeTakeFirst();
  if (!proposal || proposal.status !== "open" || proposal.closes_at <= now) return undefined;
  const token = newToken();
  await trx
    .insertInto("proposal_reply_tokens")
    .values({ token_hash: hashToken(token), user_id: recipient.userId, proposal_id: recipient.proposalId, expires_at: new Date(now.getTime() + REPLY_TOKEN_LIFETIME_MS) })
    .execute();
  return `reply+${token}@${domain.toLowerCase()}`;
}

/** The services' `proposalReplyAddress` hook (server/app.ts). */
export function proposalReplyAddresses(domain: string) {
  return (trx: Transaction<Database>, recipient: { userId: string; proposalId: string }) => issueProposalReplyAddress(trx, domain, recipient);
}

/** Whether a token is a proposal reply token we issued that has not expired: the listener's check at RCPT TO. */
export async function isLiveProposalReplyToken(db: Db, token: string, now = new Date()): Promise<boolean> {
  if (!TOKEN_PATTERN.test(token)) return false;
  const row = await db.selectFrom("proposal_reply_tokens").select("token_hash").where("token_hash", "=", hashToken(token)).where("expires_at", ">", now).executeTakeFirst();
  return row !== undefined;
}

/** What became of a reply to a proposal email; the listener turns each into an SMTP answer. */
export type ProposalReplyOutcome =
  /** Not a proposal's token: the listener tries it as a comment's. */
  | { outcome: "not_ours" }
  | { outcome: "took_part" }
  /** The same message again: taken, not counted twice. */
  | { outcome: "duplicate" }
  /** Expired, or spent by another message. */
  | { outcome: "refused" }
  /** Another delivery of this very message is being taken right now: try again later. */
  | { outcome: "busy" }
  /** Not a stance: `told` if we emailed them what was not understood and how to reply. */
  | { outcome: "not_understood"; told: boolean }
  /** The proposal has closed. */
  | { outcome: "closed"; told: boolean }
  /** The command said no (not allowed, a ballot already cast, …), with its message. */
  | { outcome: "not_taken"; told: boolean };

/**
 * Takes the words of a reply to a proposal email (quotes and signature already cut, not empty) as
 * the token's person, once per message: `messageId` is the message's Message-ID.
 */
export async function takeProposalEmailReply(
  services: ProposalServices,
  input: { token: string; messageId: string; body: string },
  now = new Date(),
): Promise<ProposalReplyOutcome> {
  const { db } = services;
  if (!TOKEN_PATTERN.test(input.token)) return { outcome: "not_ours" };
  const tokenHash = hashToken(input.token);
  const held = await db
    .updateTable("proposal_reply_tokens")
    .set({ used_message_id: input.messageId, used_at: now })
    .where("token_hash", "=", tokenHash)
    .where("expires_at", ">", now)
    .where("outcome", "is", null)
    .where((eb) =>
      eb.or([
        eb("used_message_id", "is", null),
        eb.and([eb("used_message_id", "=", input.messageId), eb("used_at", "<", new Date(now.getTime() - ABANDONED_HOLD_MS))]),
      ]),
    )
    .returning(["user_id", "proposal_id"])
    .executeTakeFirst();
  if (!held) {
    const row = await db.selectFrom("proposal_reply_tokens").select(["used_message_id", "outcome"]).where("token_hash", "=", tokenHash).executeTakeFirst();
    if (!row) return { outcome: "not_ours" };
    if (row.used_message_id === input.messageId) return row.outcome ? { outcome: "duplicate" } : { outcome: "busy" };
    return { outcome: "refused" };
  }
  // Not spent: the hold is let go, so the person may answer the same email again.
  const release = () =>
    db.updateTable("proposal_reply_tokens").set({ used_message_id: null, used_at: null }).where("token_hash", "=", tokenHash).where("outcome", "is", null).execute();

  const user = await db.selectFrom("users").select(["id", "email", "display_name", "is_platform_admin", "disabled_at"]).where("id", "=", held.user_id).executeTakeFirst();
  const proposal = await db.selectFrom("proposals").selectAll().where("id", "=", held.proposal_id).executeTakeFirstOrThrow();
  if (!user || user.disabled_at !== null) {
    await release();
    return { outcome: "not_taken", told: false };
  }
  const person = { email: user.email, name: user.display_name };
  const group = await db.selectFrom("groups").select("name").where("id", "=", proposal.group_id).executeTakeFirstOrThrow();
  const link = `${services.config.publicUrl}/groups/${proposal.group_id}/proposals/${proposal.id}`;

  const tellClosed = async (): Promise<ProposalReplyOutcome> => {
    const current = await db.selectFrom("proposals").select(["closed_at", "closes_at"]).where("id", "=", proposal.id).executeTakeFirstOrThrow();
    return {
      outcome: "closed",
      told: await tellOnce(services, tokenHash, person, {
        subject: `Your reply was not counted: the proposal “${proposal.title}” has closed`,
        text: `Your email reply to the proposal “${proposal.title}” of ${group.name} was not counted: it closed on ${formatNzDateTime(current.closed_at ?? current.closes_at)}, so it no longer takes stances.\n\nYou can see how it was decided at ${link}\n`,
        now,
      }),
    };
  };

  if (isClosed(proposal, now)) {
    await release();
    return tellClosed();
  }

  const stance = parseReplyStance(proposal.process, input.body);
  if (stance.kind === "comment") {
    await release();
    const words = input.body.length > QUOTED_BACK_MAX ? `${input.body.slice(0, QUOTED_BACK_MAX)}…` : input.body;
    return {
      outcome: "not_understood",
      told: await tellOnce(services, tokenHash, person, {
        subject: `Your reply was not counted as a stance on “${proposal.title}”`,
        text:
          `We could not read your email reply to the proposal “${proposal.title}” as one stance, so it was not counted. You wrote:\n\n` +
          `${words.replace(/^/gm, "> ")}\n\n` +
          `${replyHowTo(proposal.process)} Reply to the proposal's email again, or take part on its page: ${link}\n`,
        now,
      }),
    };
  }

  const sessionUser = { id: user.id, email: user.email, displayName: user.display_name, isPlatformAdmin: user.is_platform_admin };
  const actor = actorFor(sessionUser, (await rolesByUser(db, [user.id])).get(user.id));
  try {
    await takePart(db, services, actor, { proposalId: proposal.id, choice: stance.choice, reason: stance.reason, via: "email", now });
  } catch (error) {
    await release();
    if (!isAppError(error) || error.status >= 500) throw error;
    // It closed between the check above and the command.
    if (error.code === "PROPOSAL_CLOSED") return tellClosed();
    // Someone who may no longer see the proposal is told nothing of it.
    if (error.code === "NOT_FOUND") return { outcome: "not_taken", told: false };
    return {
      outcome: "not_taken",
      told: await tellOnce(services, tokenHash, person, {
        subject: `Your reply was not counted on “${proposal.title}”`,
        text: `Your email reply to the proposal “${proposal.title}” of ${group.name} was not counted: ${error.message.replace(/\.?$/, ".")}\n\nThe proposal: ${link}\n`,
        now,
      }),
    };
  }
  // Should this fail (the database gone), the hold stays: the same message is told to try later,
  // and only after ABANDONED_HOLD_MS taken again; a named stance is then repeated (kept in the
  // history), a secret ballot refused as already cast.
  await db.updateTable("proposal_reply_tokens").set({ outcome: "took_part" }).where("token_hash", "=", tokenHash).execute();
  return { outcome: "took_part" };
}

function isClosed(proposal: Proposal, now: Date): boolean {
  return proposal.status !== "open" || proposal.closes_at.getTime() <= now.getTime();
}

/** Emails the person why their reply was not taken, once per token. False when already told. */
async function tellOnce(
  services: ProposalServices,
  tokenHash: string,
  person: { email: string; name: string },
  message: { subject: string; text: string; now: Date },
): Promise<boolean> {
  return services.db.transaction().execute(async (trx) => {
    const first = await trx
      .updateTable("proposal_reply_tokens")
      .set({ refusal_sent_at: message.now })
      .where("token_hash", "=", tokenHash)
      .where("refusal_sent_at", "is", null)
      .returning("token_hash")
      .executeTakeFirst();
    if (!first) return false;
    await services.jobs.sendEmail(trx, { to: person.email, subject: message.subject, text: `Kia ora ${person.name},\n\n${message.text}` });
    return true;
  });
}
