/**
 * A person's own account: the devices they are signed in on, changing their password and signing
 * out everywhere. Both commands revoke sessions and write the audit log in one transaction
 * (`runCommand`).
 */
import { verify } from "@node-rs/argon2";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/database.js";
import { hashSessionId } from "../auth/lucia.server.js";
import { hashPassword } from "../auth/new-password.server.js";
import { invalidInput } from "../errors.js";
import { runCommand } from "./command.server.js";

/** The sessions a person holds, newest first; `isCurrent` marks the one asking. */
export async function listSignedInDevices(db: Kysely<Database>, userId: string, currentSessionId: string | null) {
  const currentHash = currentSessionId ? hashSessionId(currentSessionId) : null;
  const rows = await db
    .selectFrom("sessions")
    .select(["id", "created_at", "expires_at", "ip", "user_agent"])
    .where("user_id", "=", userId)
    .where("expires_at", ">", new Date())
    .orderBy("created_at", "desc")
    .execute();
  return rows.map((row) => ({
    createdAt: row.created_at,
    ip: row.ip,
    device: describeUserAgent(row.user_agent),
    isCurrent: row.id === currentHash,
  }));
}

/**
 * "Firefox on Windows" from a User-Agent header; anything unrecognised is cut to 60 characters.
 * Good enough for a person to recognise their own devices, not for analytics.
 */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrome\/|CriOS\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : null;
  const system = /iPhone|iPad/.test(userAgent)
    ? "iOS"
    : /Android/.test(userAgent)
      ? "Android"
      : /Windows/.test(userAgent)
        ? "Windows"
        : /Mac OS X|Macintosh/.test(userAgent)
          ? "macOS"
          : /CrOS/.test(userAgent)
            ? "ChromeOS"
            : /Linux/.test(userAgent)
              ? "Linux"
              : null;
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  return userAgent.length > 60 ? `${userAgent.slice(0, 59)}…` : userAgent;
}

/**
 * Changes the person's password after checking the current one (INVALID_INPUT on
 * `currentPassword` when it does not match), and signs out every other session (whoever knew the
 * old password may hold one); the session asking stays signed in. Returns how many were ended.
 */
export async function changePassword(
  db: Kysely<Database>,
  input: { userId: string; currentSessionId: string; currentPassword: string; newPassword: string; ip: string | null },
): Promise<{ otherSessionsRevoked: number }> {
  const user = await db.selectFrom("users").select(["password_hash"]).where("id", "=", input.userId).executeTakeFirst();
  const matches = user?.password_hash ? await verify(user.password_hash, input.currentPassword).catch(() => false) : false;
  if (!matches) throw invalidInput("That is not your current password. Check it and try again.", "currentPassword");
  // Hashing is slow on purpose: do it before the transaction holds a connection.
  const passwordHash = await hashPassword(input.newPassword);
  return runCommand(db, {
    lock: (trx) => lockUser(trx, input.userId),
    async change(trx) {
      await trx
        .updateTable("users")
        .set({ password_hash: passwordHash, updated_at: new Date() })
        .where("id", "=", input.userId)
        .execute();
      const revoked = await trx
        .deleteFrom("sessions")
        .where("user_id", "=", input.userId)
        .where("id", "<>", hashSessionId(input.currentSessionId))
        .executeTakeFirst();
      return { otherSessionsRevoked: Number(revoked.numDeletedRows) };
    },
    audit: (_locked, { otherSessionsRevoked }) => ({
      actorId: input.userId,
      action: "auth.password_changed",
      subjectType: "user",
      subjectId: input.userId,
      ip: input.ip,
      details: { otherSessionsRevoked },
    }),
  });
}

function lockUser(trx: Transaction<Database>, userId: string) {
  return trx.selectFrom("users").select("id").where("id", "=", userId).forUpdate().executeTakeFirstOrThrow();
}

/** Ends every session the person holds, this one included. Returns how many were ended. */
export async function signOutEverywhere(
  db: Kysely<Database>,
  input: { userId: string; ip: string | null },
): Promise<number> {
  return runCommand(db, {
    lock: (trx) => lockUser(trx, input.userId),
    async change(trx) {
      const revoked = await trx.deleteFrom("sessions").where("user_id", "=", input.userId).executeTakeFirst();
      return Number(revoked.numDeletedRows);
    },
    audit: (_locked, sessionsRevoked) => ({
      actorId: input.userId,
      action: "auth.signed_out_everywhere",
      subjectType: "user",
      subjectId: input.userId,
      ip: input.ip,
      details: { sessionsRevoked },
    }),
  });
}
