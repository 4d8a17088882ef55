/**
 * Meetings, their agenda, attendance, conflicts of interest and the permanent record of what the
 * group decided: one minute of decision per meeting, its numbered paragraphs (decisions), and the
 * actions they direct. A minute gets its reference (<GROUP>-<YY>-MIN-<NNNN>) when it is confirmed,
 * from a per-group, per-year counter that allocates without gaps; from then on the minute, its
 * paragraphs and the meeting's attendance, officials, conflicts and agenda are immutable, and the
 * database itself refuses any change (an action of a confirmed minute may only record its progress).
 * What the minute says about people (names, organisations, roles, action owners) is copied into it
 * rather than read from the live membership and account rows later. Also private calendar feeds.
 * Frozen: never edit a landed migration; add a new one.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  // ---- meetings and their agenda -------------------------------------------------------------
  await db.schema
    .alterTable("meetings")
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    // The ICS SEQUENCE: goes up with each reschedule or cancellation, so calendars replace the event.
    .addColumn("sequence", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("cancelled_at", "timestamptz")
    .addColumn("cancelled_by", "uuid", (c) => c.references("users.id"))
    .addColumn("cancel_reason", "text", (c) => c.check(sql`length(cancel_reason) <= 500`))
    .addColumn("started_at", "timestamptz")
    .addColumn("ended_at", "timestamptz")
    // A member the chair or secretary asks to chair this meeting when the chair cannot.
    .addColumn("acting_chair_user_id", "uuid", (c) => c.references("users.id"))
    .execute();
  await sql`alter table meetings add constraint meetings_title_length check (length(title) between 1 and 200)`.execute(db);
  await sql`alter table meetings add constraint meetings_status_facts check (
      (status = 'cancelled') = (cancelled_at is not null)
      and (status in ('in_progress', 'closed')) = (started_at is not null)
      and (status = 'closed') = (ended_at is not null))`.execute(db);

  await db.schema
    .alterTable("agenda_items")
    .addColumn("kind", "text", (c) =>
      c
        .notNull()
        .defaultTo("item")
        .check(
          sql`kind in ('item', 'karakia', 'whakawhanaungatanga', 'apologies', 'conflicts', 'previous_minutes', 'general_business', 'closing')`,
        ),
    )
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`alter table agenda_items add constraint agenda_items_title_length check (length(title) between 1 and 200)`.execute(db);
  await sql`alter table agenda_items add constraint agenda_items_minutes_allotted check (minutes_allotted is null or minutes_allotted between 1 and 600)`.execute(db);
  // Reordering swaps positions inside one transaction: check uniqueness at commit, not per row.
  await sql`alter table agenda_items drop constraint agenda_items_position_key`.execute(db);
  await sql`alter table agenda_items add constraint agenda_items_position_key unique (meeting_id, position) deferrable initially deferred`.execute(db);

  // The live meeting's current item (the chair moves it; everyone's screen follows).
  await db.schema
    .alterTable("meetings")
    .addColumn("current_agenda_item_id", "uuid", (c) => c.references("agenda_items.id"))
    .execute();

  await db.schema
    .createTable("agenda_item_papers")
    .addColumn("agenda_item_id", "uuid", (c) => c.notNull().references("agenda_items.id").onDelete("cascade"))
    .addColumn("document_id", "uuid", (c) => c.notNull().references("documents.id"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("agenda_item_papers_pkey", ["agenda_item_id", "document_id"])
    .execute();

  // ---- attendance, officials, conflicts of interest --------------------------------------------
  await db.schema
    .createTable("meeting_attendance")
    .addColumn("meeting_id", "uuid", (c) => c.notNull().references("meetings.id"))
    .addColumn("membership_id", "uuid", (c) => c.notNull().references("memberships.id"))
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('present', 'apologies', 'absent')`))
    // Who they were at the meeting, written when recorded and again at confirmation: a confirmed
    // minute reads these, never the live membership and account rows that may change later.
    .addColumn("member_name", "text", (c) => c.notNull())
    .addColumn("organisation_name", "text")
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("alternate_for_name", "text")
    .addColumn("recorded_by", "uuid", (c) => c.references("users.id"))
    .addColumn("recorded_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("meeting_attendance_pkey", ["meeting_id", "membership_id"])
    .execute();

  await db.schema
    .createTable("meeting_officials")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("meeting_id", "uuid", (c) => c.notNull().references("meetings.id"))
    .addColumn("name", "text", (c) => c.notNull().check(sql`length(name) between 1 and 200`))
    .addColumn("agency", "text", (c) => c.notNull().check(sql`length(agency) between 1 and 200`))
    .addColumn("created_by", "uuid", (c) => c.references("users.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("meeting_officials_meeting_idx").on("meeting_officials").column("meeting_id").execute();

  await db.schema
    .createTable("conflict_declarations")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("meeting_id", "uuid", (c) => c.notNull().references("meetings.id"))
    .addColumn("agenda_item_id", "uuid", (c) => c.references("agenda_items.id"))
    .addColumn("membership_id", "uuid", (c) => c.notNull().references("memberships.id"))
    .addColumn("member_name", "text", (c) => c.notNull())
    .addColumn("organisation_name", "text")
    .addColumn("interest", "text", (c) => c.notNull().check(sql`length(interest) between 1 and 1000`))
    .addColumn("management", "text", (c) => c.notNull().check(sql`length(management) between 1 and 1000`))
    .addColumn("recorded_by", "uuid", (c) => c.references("users.id"))
    .addColumn("recorded_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("conflict_declarations_meeting_idx").on("conflict_declarations").column("meeting_id").execute();

  // ---- minutes of decision and their paragraphs ------------------------------------------------
  await db.schema
    .createTable("minutes")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("meeting_id", "uuid", (c) => c.notNull().unique().references("meetings.id"))
    .addColumn("group_id", "uuid", (c) => c.notNull().references("groups.id"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("draft").check(sql`status in ('draft', 'confirmed')`))
    .addColumn("classification", "text", (c) =>
      c.notNull().defaultTo("IN-CONFIDENCE").check(sql`classification in ('UNCLASSIFIED', 'IN-CONFIDENCE', 'SENSITIVE')`),
    )
    .addColumn("reference", "text", (c) => c.unique().check(sql`reference ~ '^[A-Z][A-Z0-9]{1,11}-[0-9]{2}-MIN-[0-9]{4}$'`))
    .addColumn("reference_year", "integer")
    .addColumn("reference_number", "integer", (c) => c.check(sql`reference_number between 1 and 9999`))
    .addColumn("secretary_name", "text")
    // The quorum as it stood when the minute was confirmed: seats filled of seats, and required.
    .addColumn("quorum_filled", "integer")
    .addColumn("quorum_seats", "integer")
    .addColumn("quorum_required", "integer")
    .addColumn("confirmed_at", "timestamptz")
    .addColumn("confirmed_by", "uuid", (c) => c.references("users.id"))
    .addColumn("confirmed_at_meeting_id", "uuid", (c) => c.references("meetings.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("minutes_reference_number_key", ["group_id", "reference_year", "reference_number"])
    .addCheckConstraint(
      "minutes_status_facts",
      sql`(status = 'draft' and reference is null and reference_number is null and confirmed_at is null)
        or (status = 'confirmed' and reference is not null and reference_year is not null and reference_number is not null
            and confirmed_at is not null and confirmed_by is not null and secretary_name is not null
            and quorum_filled is not null and quorum_seats is not null and quorum_required is not null)`,
    )
    .execute();

  // The last number given in each group and year; the row lock taken by its update is what makes
  // two confirmations at once take turns, and a rolled-back confirmation gives its number back.
  await db.schema
    .createTable("minute_reference_counters")
    .addColumn("group_id", "uuid", (c) => c.notNull().references("groups.id"))
    .addColumn("year", "integer", (c) => c.notNull().check(sql`year between 0 and 99`))
    .addColumn("last_number", "integer", (c) => c.notNull().check(sql`last_number between 1 and 9999`))
    .addPrimaryKeyConstraint("minute_reference_counters_pkey", ["group_id", "year"])
    .execute();

  await db.schema
    .createTable("decisions")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("minute_id", "uuid", (c) => c.notNull().references("minutes.id"))
    .addColumn("parent_id", "uuid", (c) => c.references("decisions.id"))
    .addColumn("position", "integer", (c) => c.notNull().check(sql`position >= 1`))
    .addColumn("heading", "text", (c) => c.check(sql`length(heading) between 1 and 200`))
    .addColumn("agenda_item_id", "uuid", (c) => c.references("agenda_items.id"))
    .addColumn("verb", "text", (c) =>
      c.check(
        sql`verb in ('noted', 'agreed', 'directed', 'invited', 'authorised', 'approved', 'declined', 'endorsed', 'requested', 'confirmed', 'recommended')`,
      ),
    )
    .addColumn("body", "text", (c) => c.notNull().check(sql`length(body) between 1 and 4000`))
    // Lower case with macrons and other accents removed, so "whanau" finds "whānau".
    .addColumn("search_text", "text", (c) => c.notNull())
    .addColumn("corrects_decision_id", "uuid", (c) => c.references("decisions.id"))
    // Written by the confirmation of an earlier minute at this meeting ("confirmed the minutes of …").
    .addColumn("confirms_minute_id", "uuid", (c) => c.references("minutes.id"))
    .addColumn("created_by", "uuid", (c) => c.references("users.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    // A numbered paragraph opens with its verb; a heading belongs to a numbered paragraph only.
    .addCheckConstraint("decisions_shape", sql`(parent_id is not null or verb is not null) and (parent_id is null or heading is null)`)
    .execute();
  await db.schema.createIndex("decisions_minute_idx").on("decisions").columns(["minute_id", "parent_id", "position"]).execute();

  // ---- actions ---------------------------------------------------------------------------------
  await db.schema
    .createTable("actions")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("group_id", "uuid", (c) => c.notNull().references("groups.id"))
    .addColumn("decision_id", "uuid", (c) => c.notNull().references("decisions.id").onDelete("cascade"))
    .addColumn("description", "text", (c) => c.notNull().check(sql`length(description) between 1 and 1000`))
    .addColumn("owner_user_id", "uuid", (c) => c.references("users.id"))
    .addColumn("owner_organisation_id", "uuid", (c) => c.references("organisations.id"))
    // The owner's name when the decision was made, as the minute prints it.
    .addColumn("owner_label", "text", (c) => c.notNull())
    .addColumn("due_on", "date", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().defaultTo("open").check(sql`status in ('open', 'in_progress', 'done', 'cancelled')`),
    )
    .addColumn("created_by", "uuid", (c) => c.references("users.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("completed_at", "timestamptz")
    .addCheckConstraint("actions_one_owner", sql`(owner_user_id is null) <> (owner_organisation_id is null)`)
    .execute();
  await db.schema.createIndex("actions_group_idx").on("actions").columns(["group_id", "status", "due_on"]).execute();

  await db.schema
    .createTable("action_updates")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("action_id", "uuid", (c) => c.notNull().references("actions.id").onDelete("cascade"))
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('open', 'in_progress', 'done', 'cancelled')`))
    .addColumn("note", "text", (c) => c.check(sql`length(note) <= 1000`))
    .addColumn("created_by", "uuid", (c) => c.references("users.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // ---- private calendar feeds ------------------------------------------------------------------
  await db.schema
    .createTable("calendar_feeds")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("group_id", "uuid", (c) => c.notNull().references("groups.id"))
    // SHA-256 (hex) of the secret in the feed's address; the secret itself is never stored.
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("revoked_at", "timestamptz")
    .execute();
  await sql`create unique index calendar_feeds_one_active on calendar_feeds (user_id, group_id) where revoked_at is null`.execute(db);

  // ---- the record is permanent once the minute is confirmed ------------------------------------
  await sql`
    create function minutes_guard() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        raise exception 'minutes of decision are never deleted' using errcode = 'P0001';
      end if;
      if old.status = 'confirmed' then
        raise exception 'confirmed minutes are immutable (%)', old.reference using errcode = 'P0001';
      end if;
      return new;
    end
    $$`.execute(db);
  await sql`create trigger minutes_guard before update or delete on minutes for each row execute function minutes_guard()`.execute(db);

  await sql`
    create function decisions_guard() returns trigger language plpgsql as $$
    declare
      minute uuid;
    begin
      if tg_op = 'DELETE' then minute := old.minute_id; else minute := new.minute_id; end if;
      if exists (select 1 from minutes where id = minute and status = 'confirmed')
        or (tg_op = 'UPDATE' and exists (select 1 from minutes where id = old.minute_id and status = 'confirmed')) then
        raise exception 'the decisions of confirmed minutes are immutable' using errcode = 'P0001';
      end if;
      if tg_op = 'DELETE' then return old; end if;
      return new;
    end
    $$`.execute(db);
  await sql`create trigger decisions_guard before insert or update or delete on decisions for each row execute function decisions_guard()`.execute(db);

  // What the minute records about its meeting (who attended, officials, conflicts, the agenda
  // items its headings come from, the meeting itself) is frozen with it.
  await sql`
    create function meeting_record_guard() returns trigger language plpgsql as $$
    declare
      meeting uuid;
      old_meeting uuid;
    begin
      if tg_table_name = 'meetings' then
        meeting := old.id;
        old_meeting := old.id;
      elsif tg_op = 'DELETE' then
        meeting := old.meeting_id;
        old_meeting := old.meeting_id;
      elsif tg_op = 'INSERT' then
        meeting := new.meeting_id;
        old_meeting := new.meeting_id;
      else
        meeting := new.meeting_id;
        old_meeting := old.meeting_id;
      end if;
      if exists (select 1 from minutes where meeting_id in (meeting, old_meeting) and status = 'confirmed') then
        raise exception 'the record of a meeting whose minutes are confirmed is immutable (%)', tg_table_name using errcode = 'P0001';
      end if;
      if tg_op = 'DELETE' then return old; end if;
      return new;
    end
    $$`.execute(db);
  await sql`create trigger meetings_record_guard before update or delete on meetings for each row execute function meeting_record_guard()`.execute(db);
  for (const table of ["agenda_items", "meeting_attendance", "meeting_officials", "conflict_declarations"]) {
    await sql`create trigger ${sql.raw(`${table}_record_guard`)} before insert or update or delete on ${sql.table(table)}
      for each row execute function meeting_record_guard()`.execute(db);
  }

  // An agenda item's papers are part of the record too; they reach their meeting through the item.
  await sql`
    create function agenda_item_papers_guard() returns trigger language plpgsql as $$
    declare
      item uuid;
    begin
      if tg_op = 'DELETE' then item := old.agenda_item_id; else item := new.agenda_item_id; end if;
      if exists (select 1 from agenda_items a join minutes m on m.meeting_id = a.meeting_id
                  where a.id in (item, case when tg_op = 'UPDATE' then old.agenda_item_id else item end)
                    and m.status = 'confirmed') then
        raise exception 'the record of a meeting whose minutes are confirmed is immutable (agenda_item_papers)' using errcode = 'P0001';
      end if;
      if tg_op = 'DELETE' then return old; end if;
      return new;
    end
    $$`.execute(db);
  await sql`create trigger agenda_item_papers_record_guard before insert or update or delete on agenda_item_papers
    for each row execute function agenda_item_papers_guard()`.execute(db);

  // Once its decision's minute is confirmed, an action keeps what the minute says (what, who, by
  // when): only its progress (status) may change, and it is never deleted.
  await sql`
    create function actions_guard() returns trigger language plpgsql as $$
    declare
      decision uuid;
    begin
      if tg_op = 'DELETE' then decision := old.decision_id; else decision := new.decision_id; end if;
      if not exists (select 1 from decisions d join minutes m on m.id = d.minute_id
                      where d.id in (decision, case when tg_op = 'UPDATE' then old.decision_id else decision end)
                        and m.status = 'confirmed') then
        if tg_op = 'DELETE' then return old; end if;
        return new;
      end if;
      if tg_op <> 'UPDATE' then
        raise exception 'the actions of confirmed minutes are part of the record (%)', lower(tg_op) using errcode = 'P0001';
      end if;
      if new.decision_id <> old.decision_id or new.group_id <> old.group_id or new.description <> old.description
        or new.owner_user_id is distinct from old.owner_user_id or new.owner_organisation_id is distinct from old.owner_organisation_id
        or new.owner_label <> old.owner_label or new.due_on <> old.due_on or new.created_by is distinct from old.created_by
        or new.created_at <> old.created_at then
        raise exception 'only the progress of an action of confirmed minutes may change' using errcode = 'P0001';
      end if;
      return new;
    end
    $$`.execute(db);
  await sql`create trigger actions_record_guard before insert or update or delete on actions for each row execute function actions_guard()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists actions_record_guard on actions`.execute(db);
  await sql`drop trigger if exists agenda_item_papers_record_guard on agenda_item_papers`.execute(db);
  for (const table of ["agenda_items", "meeting_attendance", "meeting_officials", "conflict_declarations"]) {
    await sql`drop trigger if exists ${sql.raw(`${table}_record_guard`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop trigger if exists meetings_record_guard on meetings`.execute(db);
  await sql`drop trigger if exists decisions_guard on decisions`.execute(db);
  await sql`drop trigger if exists minutes_guard on minutes`.execute(db);
  for (const table of [
    "calendar_feeds",
    "action_updates",
    "actions",
    "decisions",
    "minute_reference_counters",
    "minutes",
    "conflict_declarations",
    "meeting_officials",
    "meeting_attendance",
    "agenda_item_papers",
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function if exists actions_guard()`.execute(db);
  await sql`drop function if exists agenda_item_papers_guard()`.execute(db);
  await sql`drop function if exists meeting_record_guard()`.execute(db);
  await sql`drop function if exists decisions_guard()`.execute(db);
  await sql`drop function if exists minutes_guard()`.execute(db);
  await db.schema.alterTable("meetings").dropColumn("current_agenda_item_id").execute();
  await sql`alter table agenda_items drop constraint agenda_items_position_key`.execute(db);
  await sql`alter table agenda_items add constraint agenda_items_position_key unique (meeting_id, position)`.execute(db);
  await sql`alter table agenda_items drop constraint agenda_items_minutes_allotted`.execute(db);
  await sql`alter table agenda_items drop constraint agenda_items_title_length`.execute(db);
  await db.schema.alterTable("agenda_items").dropColumn("kind").dropColumn("updated_at").execute();
  await sql`alter table meetings drop constraint meetings_status_facts`.execute(db);
  await sql`alter table meetings drop constraint meetings_title_length`.execute(db);
  await db.schema
    .alterTable("meetings")
    .dropColumn("updated_at")
    .dropColumn("sequence")
    .dropColumn("cancelled_at")
    .dropColumn("cancelled_by")
    .dropColumn("cancel_reason")
    .dropColumn("started_at")
    .dropColumn("ended_at")
    .dropColumn("acting_chair_user_id")
    .execute();
}
