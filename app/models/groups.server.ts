/**
 * Reading groups and what a group's home page shows.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { isUuid } from "../utils/ids.js";

export async function findGroup(db: Kysely<Database>, groupId: string) {
  if (!isUuid(groupId)) return undefined;
  return db
    .selectFrom("groups")
    .select(["id", "code", "name", "description", "portfolio", "quorum"])
    .where("id", "=", groupId)
    .where("archived_at", "is", null)
    .executeTakeFirst();
}

export async function listGroupsByIds(db: Kysely<Database>, groupIds: string[]) {
  if (groupIds.length === 0) return [];
  return db
    .selectFrom("groups")
    .select(["id", "code", "name", "description"])
    .where("id", "in", groupIds)
    .where("archived_at", "is", null)
    .orderBy("name")
    .execute();
}

export async function findNextMeeting(db: Kysely<Database>, groupId: string, now = new Date()) {
  const meeting = await db
    .selectFrom("meetings")
    .select(["id", "title", "starts_at", "duration_minutes", "location", "online_url", "status"])
    .where("group_id", "=", groupId)
    .where("status", "in", ["scheduled", "in_progress"])
    .where("starts_at", ">=", new Date(now.getTime() - 24 * 3600 * 1000))
    .orderBy("starts_at")
    .executeTakeFirst();
  if (!meeting) return undefined;
  const agenda = await db
    .selectFrom("agenda_items")
    .select(["id", "position", "title", "presenter", "minutes_allotted"])
    .where("meeting_id", "=", meeting.id)
    .orderBy("position")
    .execute();
  return { ...meeting, agenda };
}
