/**
 * The group, its organisations, people and memberships, its documents and meetings.
 * Frozen: never edit a landed migration; add a new one.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("organisations")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("short_name", "text")
    .addColumn("sector", "text", (c) =>
      c
        .notNull()
        .check(
          sql`sector in ('government_department', 'crown_entity', 'ngo', 'iwi_maori', 'community', 'disabled_peoples_organisation', 'other')`,
        ),
    )
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index organisations_name_key on organisations (lower(name))`.execute(db);

  await db.schema
    .createTable("users")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("email", "text", (c) => c.notNull().check(sql`email = lower(email) and position('@' in email) > 1`))
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("password_hash", "text")
    .addColumn("is_platform_admin", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("disabled_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index users_email_key on users (email)`.execute(db);

  await db.schema
    .createTable("groups")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("code", "text", (c) => c.notNull().unique().check(sql`code ~ '^[A-Z][A-Z0-9]{1,11}$'`))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("portfolio", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("quorum", "integer", (c) => c.notNull().defaultTo(1).check(sql`quorum >= 1`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("archived_at", "timestamptz")
    .execute();

  await db.schema
    .createTable("memberships")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("group_id", "uuid", (c) => c.notNull().references("groups.id"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("organisation_id", "uuid", (c) => c.references("organisations.id"))
    .addColumn("role", "text", (c) =>
      c.notNull().check(sql`role in ('chair', 'secretary', 'member', 'minister_office', 'consultee', 'observer')`),
    )
    .addColumn("starts_on", "date", (c) => c.notNull())
    .addColumn("ends_on", "date")
    .addColumn("alternate_for_id", "uuid", (c) => c.references("memberships.id"))
    .addColumn("end_reason", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("memberships_dates_check", sql`ends_on is null or ends_on >= starts_on`)
    .execute();
  await db.schema.createIndex("memberships_group_idx").on("memberships").columns(["group_id", "starts_on"]).execute();
  await db.schema.createIndex("memberships_user_idx").on("memberships").column("user_id").execute();

  await db.schema
    .createTable("documents")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("group_id", "uuid", (c) => c.notNull().references("groups.id"))
    .addColumn("kind", "text", (c) =>
      c.notNull().check(sql`kind in ('terms_of_reference', 'agenda', 'paper', 'notes')`),
    )
    .addColumn("title", "text", (c) => c.notNull().check(sql`length(title) between 1 and 200`))
    .addColumn("status", "text", (c) =>
      c.notNull().defaultTo("draft").check(sql`status in ('draft', 'submitted', 'approved', 'returned', 'final')`),
    )
    .addColumn("classification", "text", (c) =>
      c
        .notNull()
        .defaultTo("IN-CONFIDENCE")
        .check(sql`classification in ('UNCLASSIFIED', 'IN-CONFIDENCE', 'SENSITIVE')`),
    )
    .addColumn("content_text", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("content_html", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_by", "uuid", (c) => c.references("users.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_by", "uuid", (c) => c.references("users.id"))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("archived_at", "timestamptz")
    .execute();
  await db.schema.createIndex("documents_group_idx").on("documents").columns(["group_id", "kind"]).execute();

  await db.schema
    .createTable("meetings")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("group_id", "uuid", (c) => c.notNull().references("groups.id"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("starts_at", "timestamptz", (c) => c.notNull())
    .addColumn("duration_minutes", "integer", (c) => c.notNull().check(sql`duration_minutes between 5 and 1440`))
    .addColumn("location", "text")
    .addColumn("online_url", "text")
    .addColumn("status", "text", (c) =>
      c.notNull().defaultTo("scheduled").check(sql`status in ('scheduled', 'in_progress', 'closed', 'cancelled')`),
    )
    .addColumn("agenda_document_id", "uuid", (c) => c.references("documents.id"))
    .addColumn("created_by", "uuid", (c) => c.references("users.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("meetings_group_idx").on("meetings").columns(["group_id", "starts_at"]).execute();

  await db.schema
    .createTable("agenda_items")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("meeting_id", "uuid", (c) => c.notNull().references("meetings.id"))
    .addColumn("position", "integer", (c) => c.notNull().check(sql`position >= 1`))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("presenter", "text")
    .addColumn("minutes_allotted", "integer")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("agenda_items_position_key", ["meeting_id", "position"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["agenda_items", "meetings", "documents", "memberships", "groups", "users", "organisations"]) {
    await db.schema.dropTable(table).execute();
  }
}
