/**
 * Proposals at a meeting (issue 22, "At a meeting"; docs/decisions/021): when the chair put a
 * proposal live from the meeting's Now panel, and the show of hands the secretary or chair
 * recorded for it (counts by choice only, never names). The proposals guard of
 * 20261207T1000_proposals.ts still refuses any change once it is closed.
 * Frozen: never edit a landed migration; add a new one.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("proposals")
    .addColumn("live_at", "timestamptz")
    // { "consent": 5, "object": 0 }: the counts of a show of hands, when one was recorded.
    .addColumn("show_of_hands", "jsonb")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("proposals").dropColumn("show_of_hands").dropColumn("live_at").execute();
}
