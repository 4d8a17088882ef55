/**
 * Checking an email and password: one generic answer for a wrong email or a wrong password,
 * the same work done either way, and failed attempts limited per account and per IP address.
 */
import { hash, verify } from "@node-rs/argon2";
import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { recordAudit } from "../models/audit.server.js";

export const RATE_LIMIT_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 20;

export type SignInResult =
  | { ok: true; userId: string }
  | { ok: false; error: "INVALID_CREDENTIALS" }
  | { ok: false; error: "RATE_LIMITED"; retryAfterSeconds: number };

// Verified when the email matches no account, so both answers take the same time.
let decoyHash: Promise<string> | undefined;
const getDecoyHash = () => (decoyHash ??= hash("decoy password that never matches"));

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function attemptSignIn(
  db: Kysely<Database>,
  input: { email: string; password: string; ip: string },
  now = new Date(),
): Promise<SignInResult> {
  const email = normaliseEmail(input.email);
  const windowStart = new Date(now.getTime() - RATE_LIMIT_WINDOW_MS);

  const [byAccount, byIp] = await Promise.all([
    db
      .selectFrom("sign_in_attempts")
      .select(["attempted_at"])
      .where("email", "=", email)
      .where("attempted_at", ">", windowStart)
      .orderBy("attempted_at", "asc")
      .execute(),
    db
      .selectFrom("sign_in_attempts")
      .select(["attempted_at"])
      .where("ip", "=", input.ip)
      .where("attempted_at", ">", windowStart)
      .orderBy("attempted_at", "asc")
      .execute(),
  ]);
  const limited = [
    byAccount.length >= MAX_FAILURES_PER_ACCOUNT ? byAccount[byAccount.length - MAX_FAILURES_PER_ACCOUNT] : undefined,
    byIp.length >= MAX_FAILURES_PER_IP ? byIp[byIp.length - MAX_FAILURES_PER_IP] : undefined,
  ].filter((row) => row !== undefined);
  if (limited.length > 0) {
    const until = Math.max(...limited.map((row) => row.attempted_at.getTime() + RATE_LIMIT_WINDOW_MS));
    return { ok: false, error: "RATE_LIMITED", retryAfterSeconds: Math.max(1, Math.ceil((until - now.getTime()) / 1000)) };
  }

  const user = await db
    .selectFrom("users")
    .select(["id", "password_hash", "disabled_at"])
    .where("email", "=", email)
    .executeTakeFirst();
  const passwordMatches = await verify(user?.password_hash ?? (await getDecoyHash()), input.password).catch(() => false);

  if (user && user.password_hash && !user.disabled_at && passwordMatches) {
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom("sign_in_attempts").where("email", "=", email).execute();
      await recordAudit(trx, { actorId: user.id, action: "auth.sign_in", subjectType: "user", subjectId: user.id, ip: input.ip });
    });
    return { ok: true, userId: user.id };
  }

  await db.transaction().execute(async (trx) => {
    await trx.insertInto("sign_in_attempts").values({ email, ip: input.ip, attempted_at: now }).execute();
    await trx.deleteFrom("sign_in_attempts").where("attempted_at", "<", new Date(now.getTime() - 24 * 3600 * 1000)).execute();
    await recordAudit(trx, {
      actorId: user?.id ?? null,
      actorLabel: email.slice(0, 254),
      action: "auth.sign_in_failed",
      subjectType: "user",
      subjectId: user?.id ?? null,
      ip: input.ip,
      details: { reason: user ? (user.disabled_at ? "account_disabled" : "wrong_password") : "unknown_email" },
    });
  });
  return { ok: false, error: "INVALID_CREDENTIALS" };
}
