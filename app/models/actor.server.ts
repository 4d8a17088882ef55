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
  const rows = await db
    .selectFrom("memberships")
    .select(["group_id", "role"])
    .where("user_id", "=", user.id)
    .where(membershipActiveOn(onDate))
    .execute();
  const rolesByGroup = new Map<string, MembershipRole>();
  for (const row of rows) {
    const held = rolesByGroup.get(row.group_id);
    if (!held || rolePrecedence.indexOf(row.role) < rolePrecedence.indexOf(held)) rolesByGroup.set(row.group_id, row.role);
  }
  return { id: user.id, isPlatformAdmin: user.isPlatformAdmin, rolesByGroup };
}
