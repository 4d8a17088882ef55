/** Loads demo people as the session and the actor a request would see, by their email address. */
import type { Kysely } from "kysely";
import { loadActor } from "../../app/models/actor.server.js";
import type { Actor } from "../../app/policy/policy.js";
import type { Database } from "../../db/database.js";

/** The signed-in person as the session holds them. */
export async function sessionUserFor(db: Kysely<Database>, email: string) {
  const user = await db
    .selectFrom("users")
    .select(["id", "email", "display_name", "is_platform_admin"])
    .where("email", "=", email)
    .executeTakeFirstOrThrow();
  return { id: user.id, email: user.email, displayName: user.display_name, isPlatformAdmin: user.is_platform_admin };
}

/** The person's actor (their roles in each group) on `onDate`, New Zealand's today unless given. */
export async function actorFor(db: Kysely<Database>, email: string, onDate?: string): Promise<Actor> {
  return loadActor(db, await sessionUserFor(db, email), onDate);
}
