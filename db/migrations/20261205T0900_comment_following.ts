/**
 * Who hears about a document's comments: a person's own choice to follow a document's comments or
 * to stop (`following`), which overrides the default (its group's chair and secretary, and whoever
 * opened a consultation on it, follow it without asking); and the people a comment @mentions, by
 * id, so a mention keeps pointing at the person whatever their name becomes.
 * Frozen: never edit a landed migration; add a new one.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("document_follows")
    .addColumn("document_id", "uuid", (c) => c.notNull().references("documents.id"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("following", "boolean", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("document_follows_pkey", ["document_id", "user_id"])
    .execute();
  await db.schema
    .createTable("comment_mentions")
    .addColumn("comment_id", "uuid", (c) => c.notNull().references("comments.id"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id"))
    .addPrimaryKeyConstraint("comment_mentions_pkey", ["comment_id", "user_id"])
    .execute();
  await db.schema.createIndex("comment_mentions_user_idx").on("comment_mentions").column("user_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("comment_mentions").execute();
  await db.schema.dropTable("document_follows").execute();
}
