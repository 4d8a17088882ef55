/**
 * Background work: where each scheduled check got up to (the consultation-closing check covers
 * the span since its last run, whichever process ran it). The job queue's own tables are pg-boss's
 * (schema pgboss), created by pg-boss itself. Frozen: never edit a landed migration; add a new one.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("schedule_marks")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("up_to", "timestamptz", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("schedule_marks").execute();
}
