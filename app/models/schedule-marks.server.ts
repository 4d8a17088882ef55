/**
 * How far a scheduled check has got, kept in the database so the next run carries on from there
 * whichever process runs it (the job queue runs each once across all of them).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";

export async function readScheduleMark(db: Kysely<Database>, name: string): Promise<Date | null> {
  const row = await db.selectFrom("schedule_marks").select("up_to").where("name", "=", name).executeTakeFirst();
  return row?.up_to ?? null;
}

export async function writeScheduleMark(db: Kysely<Database>, name: string, upTo: Date): Promise<void> {
  await db
    .insertInto("schedule_marks")
    .values({ name, up_to: upTo })
    .onConflict((conflict) => conflict.column("name").doUpdateSet({ up_to: upTo }))
    .execute();
}
