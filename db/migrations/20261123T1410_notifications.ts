/**
 * Notifications: one row per recipient of something they should know about (a submission for
 * approval, a decision), shown in the notification centre and pushed live over Socket.io.
 * Frozen: never edit a landed migration; add a new one.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("notifications")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("group_id", "uuid", (c) => c.references("groups.id"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`length(kind) between 1 and 60`))
    .addColumn("title", "text", (c) => c.notNull().check(sql`length(title) between 1 and 200`))
    .addColumn("body", "text", (c) => c.notNull())
    // A path within the site, never another site's address.
    .addColumn("link", "text", (c) => c.notNull().check(sql`link ~ '^/[^/\\\\]'`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("read_at", "timestamptz")
    .execute();
  await db.schema
    .createIndex("notifications_user_created_idx")
    .on("notifications")
    .columns(["user_id", "created_at"])
    .execute();
  await sql`create index notifications_user_unread_idx on notifications (user_id) where read_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("notifications").execute();
}
