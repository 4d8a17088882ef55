/**
 * Checking an email and password: one generic answer for a wrong email or a wrong password, the
 * same work done either way, and failed attempts throttled so that guessing is slow but nobody
 * can lock another person out (OWASP ASVS 2.2.1, the OWASP Authentication Cheat Sheet):
 *
 * - per account *and* address: after 5 failures in 15 minutes that address may not try that
 *   account again until the window has passed;
 * - per address: after 20 failures in 15 minutes, across accounts, that address is refused;
 * - per account, from every address: after 10 failures in 15 minutes each further attempt on the
 *   account is slowed (0.25 s, doubling to at most 5 s), never refused. A correct password from
 *   an address that has not itself guessed wrong is always accepted.
 *
 * The addresses are what TRUST_PROXY lets the server believe (server/http/origin.ts), so behind a
 * load balancer they are the real clients' and without one nobody can claim another.
 */
import { hash, verify } from "@node-rs/argon2";
import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { recordAudit } from "./audit.server.js";

export const RATE_LIMIT_WINDOW_MS = 15 * 60 * 1000;
/** Failures of one address on one account before that pair must wait. */
export const MAX_FAILURES_PER_ACCOUNT_AND_IP = 5;
export const MAX_FAILURES_PER_IP = 20;
/** Failures on one account, from any address, before its attempts are slowed. */
export const SLOW_ACCOUNT_AFTER_FAILURES = 10;
const slowdownStartMs = 250;
const slowdownMaxMs = 5_000;

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

/** How long an attempt on an account with this many recent failures waits before it is checked. */
export function accountSlowdownMs(failures: number): number {
  if (failures < SLOW_ACCOUNT_AFTER_FAILURES) return 0;
  return Math.min(slowdownStartMs * 2 ** (failures - SLOW_ACCOUNT_AFTER_FAILURES), slowdownMaxMs);
}

export interface SignInOptions {
  now?: Date;
  /** Waits for the account's slowdown; tests pass one that records instead of waiting. */
  wait?: (ms: number) => Promise<void>;
}

const realWait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function attemptSignIn(
  db: Kysely<Database>,
  input: { email: string; password: string; ip: string },
  options: SignInOptions | Date = {},
): Promise<SignInResult> {
  const { now = new Date(), wait = realWait } = options instanceof Date ? { now: options } : options;
  const email = normaliseEmail(input.email);
  const windowStart = new Date(now.getTime() - RATE_LIMIT_WINDOW_MS);

  const recent = db.selectFrom("sign_in_attempts").select(["attempted_at"]).where("attempted_at", ">", windowStart);
  const [byPair, byIp, byAccount] = await Promise.all([
    recent.where("email", "=", email).where("ip", "=", input.ip).orderBy("attempted_at", "asc").execute(),
    recent.where("ip", "=", input.ip).orderBy("attempted_at", "asc").execute(),
    db
      .selectFrom("sign_in_attempts")
      .select((eb) => eb.fn.countAll<number>().as("failures"))
      .where("email", "=", email)
      .where("attempted_at", ">", windowStart)
      .executeTakeFirstOrThrow(),
  ]);
  const limited = [
    byPair.length >= MAX_FAILURES_PER_ACCOUNT_AND_IP ? byPair[byPair.length - MAX_FAILURES_PER_ACCOUNT_AND_IP] : undefined,
    byIp.length >= MAX_FAILURES_PER_IP ? byIp[byIp.length - MAX_FAILURES_PER_IP] : undefined,
  ].filter((row) => row !== undefined);
  if (limited.length > 0) {
    const until = Math.max(...limited.map((row) => row.attempted_at.getTime() + RATE_LIMIT_WINDOW_MS));
    return { ok: false, error: "RATE_LIMITED", retryAfterSeconds: Math.max(1, Math.ceil((until - now.getTime()) / 1000)) };
  }
  // An account under attack from many addresses is slowed for everyone, but never closed.
  const slowdown = accountSlowdownMs(Number(byAccount.failures));
  if (slowdown > 0) await wait(slowdown);

  const user = await db
    .selectFrom("users")
    .select(["id", "password_hash", "disabled_at"])
    .where("email", "=", email)
    .executeTakeFirst();
  const passwordMatches = await verify(user?.password_hash ?? (await getDecoyHash()), input.password).catch(() => false);

  if (user && user.password_hash && !user.disabled_at && passwordMatches) {
    await db.transaction().execute(async (trx) => {
      // This address's own failures on the account are forgiven; others' still slow the account.
      await trx.deleteFrom("sign_in_attempts").where("email", "=", email).where("ip", "=", input.ip).execute();
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
