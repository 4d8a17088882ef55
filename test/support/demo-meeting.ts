/**
 * The demo's one meeting (server/seed-demo.ts), which is seeded a week or more ahead of the day it is
 * seeded on. Tests that read dates off it take them from here; tests that check a fixed conversion
 * (NZDT to UTC, an invite's file name) pin it to 10:00 on Tuesday 8 December 2026 first.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";

export const PINNED_DEMO_MEETING = { title: "Stewardship Group hui, December 2026", startsAt: new Date("2026-12-07T21:00:00Z") };

/** The demo meeting as seeded: its id, title and start. */
export async function demoMeeting(db: Kysely<Database>): Promise<{ id: string; title: string; startsAt: Date }> {
  const row = await db
    .selectFrom("meetings")
    .select(["id", "title", "starts_at"])
    .where("title", "like", "Stewardship Group hui, %")
    .orderBy("created_at")
    .executeTakeFirstOrThrow();
  return { id: row.id, title: row.title, startsAt: new Date(row.starts_at) };
}

/** Moves the demo meeting to 10:00 on Tuesday 8 December 2026 (NZDT), titled for that month; returns its id. */
export async function pinDemoMeeting(db: Kysely<Database>): Promise<string> {
  const { id } = await demoMeeting(db);
  await db.updateTable("meetings").set({ title: PINNED_DEMO_MEETING.title, starts_at: PINNED_DEMO_MEETING.startsAt }).where("id", "=", id).execute();
  return id;
}
