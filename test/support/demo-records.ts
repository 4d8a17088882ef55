/** The demo's records that tests start from, and the changes to them that several tests need. */
import type { Kysely } from "kysely";
import type { AttendanceStatus, Database } from "../../db/database.js";

/** The demo group's terms of reference: the document most tests edit, comment on and approve. */
export async function demoTermsOfReference(db: Kysely<Database>): Promise<{ id: string; group_id: string }> {
  return db.selectFrom("documents").select(["id", "group_id"]).where("kind", "=", "terms_of_reference").executeTakeFirstOrThrow();
}

/**
 * Priya Naidu (no sign-in in the demo) becomes an observer of the group who can sign in, with the
 * chair's password. Returns her user id.
 */
export async function makePriyaAnObserver(db: Kysely<Database>, groupId: string): Promise<string> {
  const chair = await db.selectFrom("users").select("password_hash").where("email", "=", "chair@example.org").executeTakeFirstOrThrow();
  const priya = await db
    .updateTable("users")
    .set({ password_hash: chair.password_hash })
    .where("email", "=", "priya.naidu@example.org")
    .returning("id")
    .executeTakeFirstOrThrow();
  await db.updateTable("memberships").set({ role: "observer" }).where("user_id", "=", priya.id).where("group_id", "=", groupId).execute();
  return priya.id;
}

/**
 * The attendance the meeting tests record at a demo hui: every member present but Tama Ngata, who
 * sends apologies. `membershipIdOf` maps each attendee's name to their membership.
 */
export function demoAttendance(membershipIdOf: Map<string, string>): { membershipId: string; status: AttendanceStatus }[] {
  const statuses: [string, AttendanceStatus][] = [
    ["Rāwiri Te Awa", "present"],
    ["Tama Ngata", "apologies"],
    ["Ana Tupou", "present"],
    ["Priya Naidu", "present"],
    ["Sophie Lin", "present"],
  ];
  return statuses.map(([name, status]) => ({ membershipId: membershipIdOf.get(name)!, status }));
}
