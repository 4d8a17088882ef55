/**
 * Sessions with Lucia v3 over our own small Kysely adapter (works on PGlite and PostgreSQL).
 * The cookie carries a random session id; the table keeps only its SHA-256, so a copy of the
 * database cannot be used to sign in. Sessions slide: Lucia extends one past half its life.
 * See docs/decisions/003-lucia-v3.md for why Lucia and how we would leave it.
 */
import crypto from "node:crypto";
import type { Kysely } from "kysely";
import { type Adapter, type DatabaseSession, type DatabaseUser, Lucia, type Session, TimeSpan } from "lucia";
import { batchedReads } from "../../db/batched-reads.js";
import type { Database } from "../../db/database.js";

export type { Session };

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  isPlatformAdmin: boolean;
}

interface UserAttributes {
  email: string;
  display_name: string;
  is_platform_admin: boolean;
}

declare module "lucia" {
  interface Register {
    Lucia: Lucia<Record<never, never>, Omit<SessionUser, "id">>;
    DatabaseUserAttributes: UserAttributes;
  }
}

export function hashSessionId(sessionId: string): string {
  return crypto.createHash("sha256").update(sessionId).digest("hex");
}

const sessionColumns = [
  "sessions.id as hashed_id",
  "sessions.expires_at",
  "users.id as user_id",
  "users.email",
  "users.display_name",
  "users.is_platform_admin",
  "users.disabled_at",
] as const;

class KyselySessionAdapter implements Adapter {
  /** Sessions looked up at about the same time (a reconnecting meeting) are read in one query. */
  private readonly sessionRow;

  constructor(private readonly db: Kysely<Database>) {
    this.sessionRow = batchedReads(async (hashedIds: readonly string[]) => {
      const rows = await db
        .selectFrom("sessions")
        .innerJoin("users", "users.id", "sessions.user_id")
        .select(sessionColumns)
        .where("sessions.id", "in", [...new Set(hashedIds)])
        .execute();
      return new Map(rows.map((row) => [row.hashed_id, row]));
    });
  }

  async getSessionAndUser(sessionId: string): Promise<[DatabaseSession | null, DatabaseUser | null]> {
    const row = await this.sessionRow(hashSessionId(sessionId));
    if (!row || row.disabled_at) return [null, null];
    return [
      { id: sessionId, userId: row.user_id, expiresAt: row.expires_at, attributes: {} },
      {
        id: row.user_id,
        attributes: { email: row.email, display_name: row.display_name, is_platform_admin: row.is_platform_admin },
      },
    ];
  }

  async getUserSessions(userId: string): Promise<DatabaseSession[]> {
    const rows = await this.db
      .selectFrom("sessions")
      .select(["id", "expires_at"])
      .where("user_id", "=", userId)
      .execute();
    return rows.map((row) => ({ id: row.id, userId, expiresAt: row.expires_at, attributes: {} }));
  }

  async setSession(session: DatabaseSession): Promise<void> {
    await this.db
      .insertInto("sessions")
      .values({ id: hashSessionId(session.id), user_id: session.userId, expires_at: session.expiresAt })
      .execute();
  }

  async updateSessionExpiration(sessionId: string, expiresAt: Date): Promise<void> {
    await this.db
      .updateTable("sessions")
      .set({ expires_at: expiresAt })
      .where("id", "=", hashSessionId(sessionId))
      .execute();
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("id", "=", hashSessionId(sessionId)).execute();
  }

  async deleteUserSessions(userId: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("user_id", "=", userId).execute();
  }

  async deleteExpiredSessions(): Promise<void> {
    await this.db.deleteFrom("sessions").where("expires_at", "<=", new Date()).execute();
  }
}

export const SESSION_COOKIE_NAME = "stewardship_session";

export type Auth = ReturnType<typeof createAuth>;

/** One Lucia instance per database; held in the server's services and passed to loaders. */
export function createAuth(db: Kysely<Database>, options: { secureCookies: boolean }) {
  const lucia = new Lucia(new KyselySessionAdapter(db), {
    sessionExpiresIn: new TimeSpan(14, "d"),
    sessionCookie: {
      name: SESSION_COOKIE_NAME,
      expires: true,
      attributes: { secure: options.secureCookies, sameSite: "lax" },
    },
    getUserAttributes: (attributes): Omit<SessionUser, "id"> => ({
      email: attributes.email,
      displayName: attributes.display_name,
      isPlatformAdmin: attributes.is_platform_admin,
    }),
  });

  /** Validates the session named by a Cookie header; returns the session, the user and any cookie to set. */
  async function validateCookieHeader(cookieHeader: string | undefined): Promise<{
    session: Session | null;
    user: SessionUser | null;
    setCookie: string | null;
  }> {
    let sessionId: string | null;
    try {
      sessionId = lucia.readSessionCookie(cookieHeader ?? "");
    } catch {
      // A Cookie header that does not decode (`stewardship_session=%%%`) names no session: the
      // person is simply not signed in, and the broken cookie is cleared.
      return { session: null, user: null, setCookie: lucia.createBlankSessionCookie().serialize() };
    }
    if (!sessionId) return { session: null, user: null, setCookie: null };
    // Our session ids are 40 base32 letters; anything else cannot name a session.
    if (!/^[a-z0-9]{20,64}$/.test(sessionId)) {
      return { session: null, user: null, setCookie: lucia.createBlankSessionCookie().serialize() };
    }
    const { session, user } = await lucia.validateSession(sessionId);
    if (!session) return { session: null, user: null, setCookie: lucia.createBlankSessionCookie().serialize() };
    return {
      session,
      user,
      setCookie: session.fresh ? lucia.createSessionCookie(session.id).serialize() : null,
    };
  }

  async function signIn(userId: string, context: { ip: string | null; userAgent: string | null }) {
    const session = await lucia.createSession(userId, {});
    await db
      .updateTable("sessions")
      .set({ ip: context.ip, user_agent: context.userAgent?.slice(0, 300) ?? null })
      .where("id", "=", hashSessionId(session.id))
      .execute();
    return { session, setCookie: lucia.createSessionCookie(session.id).serialize() };
  }

  return {
    lucia,
    validateCookieHeader,
    signIn,
    /** For the websocket upgrade and the Socket.io handshake: the signed-in user, or null. */
    async userFromCookieHeader(cookieHeader: string | undefined): Promise<SessionUser | null> {
      return (await validateCookieHeader(cookieHeader)).user;
    },
    async signOut(sessionId: string) {
      await lucia.invalidateSession(sessionId);
      return lucia.createBlankSessionCookie().serialize();
    },
    async signOutEverywhere(userId: string) {
      await lucia.invalidateUserSessions(userId);
      return lucia.createBlankSessionCookie().serialize();
    },
  };
}
