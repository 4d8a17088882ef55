/**
 * A comment thread's text-quote selector beside its Yjs relative positions: up to 32 characters of
 * the document's plain text either side of the quote, and the quote's character offset in it, so
 * a thread is found again when the paragraph holding its words is replaced (a paragraph made a
 * list item or a heading). Nullable: threads started before this keep only their quote.
 * Frozen: never edit a landed migration; add a new one.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("comment_threads")
    .addColumn("quote_prefix", "text")
    .addColumn("quote_suffix", "text")
    .addColumn("quote_position", "integer")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("comment_threads").dropColumn("quote_position").dropColumn("quote_suffix").dropColumn("quote_prefix").execute();
}
