/**
 * Anchored comments: threads pinned to a range of a document's text, and the comments in them.
 * An anchor is a pair of Yjs relative positions (Y.encodeRelativePosition) into the document's
 * "default" XmlFragment, so it follows the words while people edit; the quote keeps the words as
 * they were when the thread was started, for when the anchored text is deleted.
 * Frozen: never edit a landed migration; add a new one.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("comment_threads")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("document_id", "uuid", (c) => c.notNull().references("documents.id"))
    .addColumn("anchor_start", "bytea", (c) => c.notNull())
    .addColumn("anchor_end", "bytea", (c) => c.notNull())
    .addColumn("quote", "text", (c) => c.notNull().check(sql`length(quote) <= 1000`))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("open").check(sql`status in ('open', 'resolved')`))
    .addColumn("created_by", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("resolved_by", "uuid", (c) => c.references("users.id"))
    .addColumn("resolved_at", "timestamptz")
    .addCheckConstraint(
      "comment_threads_resolved_check",
      sql`(status = 'resolved') = (resolved_at is not null and resolved_by is not null)`,
    )
    .execute();
  await db.schema
    .createIndex("comment_threads_document_idx")
    .on("comment_threads")
    .columns(["document_id", "created_at"])
    .execute();

  await db.schema
    .createTable("comments")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("thread_id", "uuid", (c) => c.notNull().references("comment_threads.id"))
    .addColumn("author_id", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("body", "text", (c) => c.notNull().check(sql`length(body) between 1 and 4000`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("edited_at", "timestamptz")
    .addColumn("deleted_at", "timestamptz")
    .execute();
  await db.schema.createIndex("comments_thread_idx").on("comments").columns(["thread_id", "created_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("comments").execute();
  await db.schema.dropTable("comment_threads").execute();
}
