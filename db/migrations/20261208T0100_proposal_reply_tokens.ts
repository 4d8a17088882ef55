/**
 * Stances by reply email (issue 22): the token in the Reply-To of each proposal email (opened,
 * reminder) to someone who may take part, `reply+<token>@<domain>` as for comments, stored as its
 * SHA-256 only, for one person and one proposal. A message that takes effect spends it: its
 * Message-ID and `outcome` are kept, so a second delivery is recognised and never taken twice.
 * It holds no choice and no reason (a secret ballot's choice must never be linkable to its voter).
 * Frozen: never edit a landed migration; add a new one.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("proposal_reply_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("proposal_id", "uuid", (c) => c.notNull().references("proposals.id"))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("used_message_id", "text")
    .addColumn("used_at", "timestamptz")
    .addColumn("outcome", "text", (c) => c.check(sql`outcome in ('took_part')`))
    .addColumn("refusal_sent_at", "timestamptz")
    .execute();
  await db.schema.createIndex("proposal_reply_tokens_proposal_user_idx").on("proposal_reply_tokens").columns(["proposal_id", "user_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("proposal_reply_tokens").execute();
}
