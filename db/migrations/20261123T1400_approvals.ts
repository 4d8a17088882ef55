/**
 * Approval of the terms of reference by the Lead Minister's office: one row per submission, bound
 * to one immutable version (and its text hash). At most one submission per document is pending;
 * once it leaves "pending" (withdrawn, approved or returned) the row never changes again, and no
 * submission is ever deleted. Frozen: never edit a landed migration; add a new one.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("document_submissions")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("document_id", "uuid", (c) => c.notNull().references("documents.id"))
    .addColumn("version_id", "uuid", (c) => c.notNull().references("document_versions.id"))
    .addColumn("status", "text", (c) =>
      c.notNull().defaultTo("pending").check(sql`status in ('pending', 'withdrawn', 'approved', 'returned')`),
    )
    .addColumn("cover_note", "text", (c) => c.check(sql`length(cover_note) between 1 and 2000`))
    .addColumn("submitted_by", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("submitted_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("withdrawn_by", "uuid", (c) => c.references("users.id"))
    .addColumn("withdrawn_at", "timestamptz")
    .addColumn("decided_by", "uuid", (c) => c.references("users.id"))
    .addColumn("decided_at", "timestamptz")
    .addColumn("decision_reasons", "text", (c) => c.check(sql`length(decision_reasons) between 1 and 2000`))
    .addColumn("content_hash", "text", (c) => c.notNull())
    // Each status carries exactly the facts that belong to it.
    .addCheckConstraint(
      "document_submissions_status_facts",
      sql`(status = 'pending' and withdrawn_at is null and decided_at is null)
        or (status = 'withdrawn' and withdrawn_at is not null and withdrawn_by is not null and decided_at is null)
        or (status = 'approved' and decided_at is not null and decided_by is not null and withdrawn_at is null)
        or (status = 'returned' and decided_at is not null and decided_by is not null and decision_reasons is not null and withdrawn_at is null)`,
    )
    .execute();

  // Only one submission per document waits for the Minister's office at a time.
  await sql`create unique index document_submissions_one_pending on document_submissions (document_id) where status = 'pending'`.execute(db);
  await db.schema.createIndex("document_submissions_document_idx").on("document_submissions").columns(["document_id", "submitted_at"]).execute();

  // A decision (or a withdrawal) is part of the record: the row is frozen once it leaves "pending",
  // and what was submitted never changes even while it waits.
  await sql`
    create function document_submissions_guard() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        raise exception 'document submissions are never deleted' using errcode = 'P0001';
      end if;
      if old.status <> 'pending' then
        raise exception 'a % submission is immutable', old.status using errcode = 'P0001';
      end if;
      if new.document_id <> old.document_id or new.version_id <> old.version_id
        or new.content_hash <> old.content_hash or new.submitted_by <> old.submitted_by
        or new.submitted_at <> old.submitted_at or new.cover_note is distinct from old.cover_note then
        raise exception 'what was submitted is immutable' using errcode = 'P0001';
      end if;
      return new;
    end
    $$`.execute(db);
  await sql`
    create trigger document_submissions_guard before update or delete on document_submissions
    for each row execute function document_submissions_guard()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists document_submissions_guard on document_submissions`.execute(db);
  await db.schema.dropTable("document_submissions").execute();
  await sql`drop function if exists document_submissions_guard()`.execute(db);
}
