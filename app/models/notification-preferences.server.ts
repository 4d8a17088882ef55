/**
 * How a person wants notifications by email: at once ("immediate", the default when they never
 * chose), in one daily digest, or not at all. Every notification email carries its own
 * unsubscribe link, which works without signing in; only the token's SHA-256 is stored, and a
 * token can do one thing: turn that person's notification email off.
 */
import type { Kysely, Transaction } from "kysely";
import { type Database, type EmailMode, emailModes } from "../../db/database.js";
import { createEmailToken, hashEmailToken, isWellFormedEmailToken } from "../auth/tokens.server.js";

type Db = Kysely<Database> | Transaction<Database>;

export { emailModes };
export type { EmailMode };

export const emailModeLabels: Record<EmailMode, string> = {
  immediate: "Email me each notification as it happens",
  daily_digest: "Email me one summary a day (at 7 am New Zealand time)",
  off: "Do not email me; I will check the notification centre",
};

/** The person's email mode; "immediate" when they have never chosen. */
export async function emailModeFor(db: Db, userId: string): Promise<EmailMode> {
  const row = await db.selectFrom("notification_preferences").select("email_mode").where("user_id", "=", userId).executeTakeFirst();
  return row?.email_mode ?? "immediate";
}

/** Sets the person's email mode (the digest then starts from this moment). */
export async function setEmailMode(db: Db, userId: string, mode: EmailMode, now = new Date()): Promise<void> {
  await db
    .insertInto("notification_preferences")
    .values({ user_id: userId, email_mode: mode, updated_at: now })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ email_mode: mode, updated_at: now }))
    .execute();
}

/** A fresh unsubscribe token for one email; only its hash is kept. */
export async function issueUnsubscribeToken(db: Db, userId: string): Promise<string> {
  const { token, tokenHash } = createEmailToken();
  await db.insertInto("unsubscribe_tokens").values({ token_hash: tokenHash, user_id: userId }).execute();
  return token;
}

/** The absolute unsubscribe link for a token. */
export function unsubscribeUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/unsubscribe/${token}`;
}

/** Whose token this is (with their email, to show on the confirm page), or undefined. */
export async function findUnsubscribeToken(db: Db, token: string) {
  if (!isWellFormedEmailToken(token)) return undefined;
  return db
    .selectFrom("unsubscribe_tokens")
    .innerJoin("users", "users.id", "unsubscribe_tokens.user_id")
    .select(["users.id as userId", "users.email"])
    .where("unsubscribe_tokens.token_hash", "=", hashEmailToken(token))
    .executeTakeFirst();
}

/** Turns notification email off for the token's owner; false when the token is unknown. */
export async function unsubscribeWithToken(db: Db, token: string): Promise<boolean> {
  const owner = await findUnsubscribeToken(db, token);
  if (!owner) return false;
  await setEmailMode(db, owner.userId, "off");
  return true;
}
