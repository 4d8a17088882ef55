/**
 * Consultations: a document opened to named consultees until the end of a chosen NZ calendar day
 * (or until closed early); and email preferences for notifications (immediate, a daily digest, or
 * none) with single-purpose unsubscribe tokens, plus `emailed_at` on notifications so the digest
 * sends each notification once. Frozen: never edit a landed migration; add a new one.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("consultations")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("document_id", "uuid", (c) => c.notNull().references("documents.id"))
    .addColumn("brief", "text", (c) => c.notNull().check(sql`length(brief) between 1 and 2000`))
    // The last instant of the chosen calendar day in Pacific/Auckland.
    .addColumn("closes_at", "timestamptz", (c) => c.notNull())
    .addColumn("opened_by", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("opened_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("closed_early_at", "timestamptz")
    .addColumn("closed_early_by", "uuid", (c) => c.references("users.id"))
    .execute();
  await db.schema.createIndex("consultations_document_idx").on("consultations").columns(["document_id", "opened_at"]).execute();

  await db.schema
    .createTable("consultation_invitees")
    .addColumn("consultation_id", "uuid", (c) => c.notNull().references("consultations.id"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("invited_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("consultation_invitees_pk", ["consultation_id", "user_id"])
    .execute();
  await db.schema.createIndex("consultation_invitees_user_idx").on("consultation_invitees").column("user_id").execute();

  await db.schema
    .createTable("notification_preferences")
    .addColumn("user_id", "uuid", (c) => c.primaryKey().references("users.id"))
    .addColumn("email_mode", "text", (c) =>
      c.notNull().defaultTo("immediate").check(sql`email_mode in ('immediate', 'daily_digest', 'off')`),
    )
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Every notification email carries its own unsubscribe token; only its SHA-256 is stored, so
  // the plain token exists only in that email. One table rather than one column on the
  // preferences: a later email must not invalidate the link in an earlier one.
  await db.schema
    .createTable("unsubscribe_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // When the notification went out by email (immediately or in a digest); null: not yet emailed.
  await db.schema.alterTable("notifications").addColumn("emailed_at", "timestamptz").execute();
  await sql`create index notifications_unemailed_idx on notifications (user_id, created_at) where emailed_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists notifications_unemailed_idx`.execute(db);
  await db.schema.alterTable("notifications").dropColumn("emailed_at").execute();
  await db.schema.dropTable("unsubscribe_tokens").execute();
  await db.schema.dropTable("notification_preferences").execute();
  await db.schema.dropTable("consultation_invitees").execute();
  await db.schema.dropTable("consultations").execute();
}
