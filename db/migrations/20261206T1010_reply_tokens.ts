/**
 * Replies by email: the token in each comment notification's Reply-To address
 * (`reply+<token>@<domain>`), stored as its SHA-256 only, for one person and one thread until it
 * expires. A token is spent by one message: the Message-ID that used it, and the comment it made,
 * so a second delivery of that same message is recognised and never posted twice.
 * Frozen: never edit a landed migration; add a new one.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("reply_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("thread_id", "uuid", (c) => c.notNull().references("comment_threads.id"))
    .addColumn("document_id", "uuid", (c) => c.notNull().references("documents.id"))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("consultation_id", "uuid", (c) => c.references("consultations.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("used_message_id", "text")
    .addColumn("used_at", "timestamptz")
    .addColumn("comment_id", "uuid", (c) => c.references("comments.id"))
    .addColumn("refusal_sent_at", "timestamptz")
    .execute();
  await db.schema.createIndex("reply_tokens_user_thread_idx").on("reply_tokens").columns(["user_id", "thread_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("reply_tokens").execute();
}
