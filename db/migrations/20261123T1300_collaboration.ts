/**
 * Co-editing storage: the Yjs update log (appended in short batches), one compacted snapshot per
 * document, and named versions (manual, at submission for approval, or before a restore).
 * Frozen: never edit a landed migration; add a new one.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("document_updates")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("document_id", "uuid", (c) => c.notNull().references("documents.id"))
    .addColumn("update", "bytea", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("document_updates_document_idx").on("document_updates").columns(["document_id", "id"]).execute();

  await db.schema
    .createTable("document_snapshots")
    .addColumn("document_id", "uuid", (c) => c.primaryKey().references("documents.id"))
    .addColumn("state", "bytea", (c) => c.notNull())
    /** The highest document_updates.id folded into `state`; rows up to it have been deleted. */
    .addColumn("last_update_id", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("document_versions")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("document_id", "uuid", (c) => c.notNull().references("documents.id"))
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull().check(sql`length(name) between 1 and 120`))
    .addColumn("reason", "text", (c) => c.notNull().check(sql`reason in ('manual', 'submission', 'restore')`))
    .addColumn("state", "bytea", (c) => c.notNull())
    .addColumn("content_html", "text", (c) => c.notNull())
    .addColumn("content_text", "text", (c) => c.notNull())
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("created_by", "uuid", (c) => c.references("users.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("document_versions_number_key", ["document_id", "number"])
    .execute();

  // A version is a record of what the text was: it never changes once written.
  await sql`
    create function document_versions_are_immutable() returns trigger language plpgsql as $$
    begin
      raise exception 'document versions are immutable: % is not allowed', tg_op using errcode = 'P0001';
    end
    $$`.execute(db);
  await sql`
    create trigger document_versions_immutable before update or delete on document_versions
    for each row execute function document_versions_are_immutable()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists document_versions_immutable on document_versions`.execute(db);
  await db.schema.dropTable("document_versions").execute();
  await sql`drop function if exists document_versions_are_immutable()`.execute(db);
  await db.schema.dropTable("document_snapshots").execute();
  await db.schema.dropTable("document_updates").execute();
}
