/**
 * Builds the policy's `Actor` for a signed-in person: their roles today in each group.
 */
import type { Kysely } from "kysely";
import type { Database, MembershipRole } from "../../db/database.js";
import type { SessionUser } from "../auth/lucia.server.js";
import type { Actor } from "../policy/policy.js";
import { nzCalendarDate } from "../utils/dates.js";
import { membershipActiveOn } from "./memberships.server.js";

/** Role precedence when one person holds two current memberships in a group. */
const rolePrecedence: MembershipRole[] = ["chair", "secretary", "member", "minister_office", "observer", "consultee"];

export async function loadActor(db: Kysely<Database>, user: SessionUser, onDate = nzCalendarDate()): Promise<Actor> {
  return actorFor(user, (await rolesByUser(db, [user.id], onDate)).get(user.id));
}

/** The policy's actor for a person whose roles are known (none: they hold no membership today). */
export function actorFor(user: SessionUser, rolesByGroup: Map<string, MembershipRole> = new Map()): Actor {
  return { id: user.id, isPlatformAdmin: user.isPlatformAdmin, rolesByGroup };
}

/** Each person's role in each group on `onDate`, in one query; a person with none is left out. */
export async function rolesByUser(
  db: Kysely<Database>,
  userIds: readonly string[],
  onDate = nzCalendarDate(),
): Promise<Map<string, Map<string, MembershipRole>>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("memberships")
    .select(["user_id", "group_id", "role"])
    .where("user_id", "in", ids)
    .where(membershipActiveOn(onDate))
    .execute();
  const byUser = new Map<string, Map<string, MembershipRole>>();
  for (const row of rows) {
    let rolesByGroup = byUser.get(row.user_id);
    if (!rolesByGroup) byUser.set(row.user_id, (rolesByGroup = new Map()));
    const held = rolesByGroup.get(row.group_id);
    if (!held || rolePrecedence.indexOf(row.role) < rolePrecedence.indexOf(held)) rolesByGroup.set(row.group_id, row.role);
  }
  return byUser;
}
