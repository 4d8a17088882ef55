/**
 * Resetting a forgotten password. Asking for a reset never reveals whether an account uses the
 * email: the caller answers the same way whatever this returns. At most three reset emails go to
 * one account per hour; more requests are dropped silently. The link's token is single use,
 * expires after an hour and is stored only as its SHA-256. A successful reset signs the person
 * out everywhere, since whoever knew the old password may hold a session.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import type { EmailMessage } from "../email/message.js";
import type { Emailing } from "../services.js";
import { recordAudit } from "./audit.server.js";
import { formatNzTime } from "../utils/dates.js";
import type { Auth } from "../auth/lucia.server.js";
import { hashPassword } from "../auth/new-password.server.js";
import { normaliseEmail } from "./sign-in.server.js";
import { createEmailToken, hashEmailToken, isWellFormedEmailToken } from "../auth/tokens.server.js";

export const PASSWORD_RESET_LIFETIME_MS = 60 * 60 * 1000;
export const MAX_RESET_EMAILS_PER_HOUR = 3;

export interface RequestFacts {
  ip?: string | null;
  now?: Date;
}

/**
 * Starts a reset for the account using `email`, if there is one, and queues its email in the same
 * transaction. Returns the email queued, or null when nothing is sent (no such account, account
 * disabled, or rate limited).
 */
export async function requestPasswordReset(
  db: Kysely<Database>,
  emailing: Emailing,
  input: { email: string },
  { ip = null, now = new Date() }: RequestFacts = {},
): Promise<EmailMessage | null> {
  const email = normaliseEmail(input.email);
  const { token, tokenHash } = createEmailToken();
  const expiresAt = new Date(now.getTime() + PASSWORD_RESET_LIFETIME_MS);
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom("users")
      .select(["id", "disabled_at"])
      .where("email", "=", email)
      .forUpdate()
      .executeTakeFirst();
    if (!user || user.disabled_at) return null;
    const recent = await trx
      .selectFrom("password_resets")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("user_id", "=", user.id)
      .where("created_at", ">", new Date(now.getTime() - 60 * 60 * 1000))
      .executeTakeFirstOrThrow();
    if (Number(recent.count) >= MAX_RESET_EMAILS_PER_HOUR) return null;
    const reset = await trx
      .insertInto("password_resets")
      .values({ token_hash: tokenHash, user_id: user.id, created_at: now, expires_at: expiresAt })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: null,
      actorLabel: email,
      action: "auth.password_reset_requested",
      subjectType: "user",
      subjectId: user.id,
      ip,
      details: { passwordResetId: reset.id, expiresAt: expiresAt.toISOString() },
    });
    const message = resetEmail(email, `${emailing.publicUrl}/reset-password/${token}`, expiresAt);
    // Queued in this transaction: the email goes out exactly when the link exists.
    await emailing.outbox.sendEmail(trx, message);
    return message;
  });
}

function resetEmail(email: string, link: string, expiresAt: Date): EmailMessage {
  return {
    to: email,
    subject: "Reset your Stewardship Workspace password",
    text: [
      "Kia ora,",
      "",
      "Someone asked to reset the password for your Stewardship Workspace account. If it was you, open this link to choose a new password:",
      link,
      "",
      `The link works once and expires at ${formatNzTime(expiresAt)} (New Zealand time), an hour after it was sent.`,
      "",
      "If you did not ask for this, you can ignore this email: your password has not changed.",
      "",
      "Stewardship Workspace",
    ].join("\n"),
  };
}

export type PasswordResetLinkState = "valid" | "expired" | "used" | "not_found";

/** Whether a reset link can still be used, for the page that asks for the new password. */
export async function passwordResetLinkState(
  db: Kysely<Database>,
  token: string | undefined,
  now = new Date(),
): Promise<PasswordResetLinkState> {
  if (!isWellFormedEmailToken(token)) return "not_found";
  const row = await db
    .selectFrom("password_resets")
    .select(["used_at", "expires_at"])
    .where("token_hash", "=", hashEmailToken(token))
    .executeTakeFirst();
  if (!row) return "not_found";
  if (row.used_at) return "used";
  if (row.expires_at.getTime() <= now.getTime()) return "expired";
  return "valid";
}

export type ResetPasswordResult =
  | { ok: true; userId: string }
  | { ok: false; error: "RESET_LINK_NOT_FOUND" | "RESET_LINK_EXPIRED" | "RESET_LINK_USED" };

/**
 * Sets a new password with a reset link's token: marks the link (and any other outstanding reset
 * link for the account) used, then ends every session the account has.
 */
export async function resetPassword(
  db: Kysely<Database>,
  auth: Pick<Auth, "lucia">,
  input: { token: string; password: string },
  { ip = null, now = new Date() }: RequestFacts = {},
): Promise<ResetPasswordResult> {
  if (!isWellFormedEmailToken(input.token)) return { ok: false, error: "RESET_LINK_NOT_FOUND" };
  const passwordHash = await hashPassword(input.password);
  const result = await db.transaction().execute(async (trx): Promise<ResetPasswordResult> => {
    const reset = await trx
      .selectFrom("password_resets")
      .innerJoin("users", "users.id", "password_resets.user_id")
      .select(["password_resets.id", "password_resets.user_id", "password_resets.used_at", "password_resets.expires_at", "users.email", "users.disabled_at"])
      .where("password_resets.token_hash", "=", hashEmailToken(input.token))
      .forUpdate()
      .executeTakeFirst();
    if (!reset || reset.disabled_at) return { ok: false, error: "RESET_LINK_NOT_FOUND" };
    if (reset.used_at) return { ok: false, error: "RESET_LINK_USED" };
    if (reset.expires_at.getTime() <= now.getTime()) return { ok: false, error: "RESET_LINK_EXPIRED" };

    await trx
      .updateTable("password_resets")
      .set({ used_at: now })
      .where("user_id", "=", reset.user_id)
      .where("used_at", "is", null)
      .execute();
    await trx
      .updateTable("users")
      .set({ password_hash: passwordHash, updated_at: now })
      .where("id", "=", reset.user_id)
      .execute();
    // The sign-in page suggests a reset when attempts are throttled, so a reset lifts the throttle:
    // the person has just shown they hold the email.
    await trx.deleteFrom("sign_in_attempts").where("email", "=", reset.email).execute();
    await recordAudit(trx, {
      actorId: reset.user_id,
      action: "auth.password_reset",
      subjectType: "user",
      subjectId: reset.user_id,
      ip,
      details: { passwordResetId: reset.id, sessionsRevoked: true },
    });
    return { ok: true, userId: reset.user_id };
  });
  // After the commit: Lucia's adapter uses its own connection, which inside the transaction would
  // wait for the transaction to finish (and on PGlite, with one connection, wait for ever).
  if (result.ok) await auth.lucia.invalidateUserSessions(result.userId);
  return result;
}
