/**
 * Proposals and votes (issue 22, docs/decisions/020): a resolution put to the group by consent,
 * consensus or a majority vote, at a meeting or between meetings; who could take part, snapshotted
 * when it opens and again when it closes; each seat's stance and its history (named ballots); and,
 * for a secret ballot, who took part and what was chosen kept apart with nothing to join them by.
 *
 * - `proposal_participants` says which seats took part (and by whom): no time, no choice.
 * - `proposal_stances` is the history of named stances (seat, person, choice, reason, time).
 * - `proposal_ballot_boxes` holds a secret ballot's choices as one row per proposal: counts per
 *   choice and the reasons in a shuffled list. There is no row per voter, so no id, timestamp,
 *   insertion order or transaction id can pair a voter's row with a choice.
 *
 * A passed proposal becomes a paragraph of a minute; decisions made between meetings go in the
 * minute of a record of kind 'between_meetings' (a meetings row that is never scheduled or held),
 * which the secretary confirms like any other. Once a proposal is closed the database refuses any
 * change to it, its snapshots, stances, participants or ballot box. Frozen: add a new migration.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  // ---- the group's settings and the between-meetings record ------------------------------------
  await db.schema
    .alterTable("groups")
    // A vote between meetings needs at least this share of eligible seats to take part.
    .addColumn("proposal_quorum_percent", "integer", (c) => c.notNull().defaultTo(50).check(sql`proposal_quorum_percent between 1 and 100`))
    // The process the terms of reference name for decisions, and a majority vote's default threshold.
    .addColumn("default_decision_process", "text", (c) =>
      c.notNull().defaultTo("consent").check(sql`default_decision_process in ('consent', 'consensus', 'majority')`),
    )
    .addColumn("default_majority_threshold", "text", (c) =>
      c.notNull().defaultTo("more_than_half").check(sql`default_majority_threshold in ('more_than_half', 'two_thirds', 'three_quarters')`),
    )
    .execute();
  await db.schema
    .alterTable("meetings")
    .addColumn("kind", "text", (c) => c.notNull().defaultTo("meeting").check(sql`kind in ('meeting', 'between_meetings')`))
    .execute();

  // ---- proposals -------------------------------------------------------------------------------
  await db.schema
    .createTable("proposals")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("group_id", "uuid", (c) => c.notNull().references("groups.id"))
    .addColumn("meeting_id", "uuid", (c) => c.references("meetings.id"))
    .addColumn("agenda_item_id", "uuid", (c) => c.references("agenda_items.id"))
    .addColumn("document_version_id", "uuid", (c) => c.references("document_versions.id"))
    .addColumn("title", "text", (c) => c.notNull().check(sql`length(title) between 1 and 200`))
    .addColumn("verb", "text", (c) =>
      c.notNull().check(sql`verb in ('noted', 'agreed', 'directed', 'invited', 'authorised', 'approved', 'declined', 'endorsed', 'requested', 'recommended')`),
    )
    .addColumn("resolution", "text", (c) => c.notNull().check(sql`length(resolution) between 1 and 3800`))
    .addColumn("background", "text", (c) => c.notNull().defaultTo("").check(sql`length(background) <= 10000`))
    .addColumn("process", "text", (c) => c.notNull().check(sql`process in ('consent', 'consensus', 'majority')`))
    .addColumn("majority_threshold", "text", (c) => c.check(sql`majority_threshold in ('more_than_half', 'two_thirds', 'three_quarters')`))
    .addColumn("majority_base", "text", (c) => c.check(sql`majority_base in ('votes_cast', 'eligible')`))
    .addColumn("closes_at", "timestamptz", (c) => c.notNull())
    .addColumn("results", "text", (c) => c.notNull().check(sql`results in ('visible', 'hidden_until_closed')`))
    .addColumn("ballot", "text", (c) => c.notNull().check(sql`ballot in ('named', 'secret')`))
    // Between meetings: the share of eligible seats that must take part, from the group's setting.
    .addColumn("quorum_percent", "integer", (c) => c.notNull().check(sql`quorum_percent between 1 and 100`))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("open").check(sql`status in ('open', 'closed')`))
    .addColumn("outcome", "text", (c) => c.check(sql`outcome in ('passed', 'not_passed', 'no_quorum')`))
    // At close: the counts by choice, seats eligible and seats that took part.
    .addColumn("tally", "jsonb")
    .addColumn("eligible_seats", "integer")
    .addColumn("seats_taking_part", "integer")
    .addColumn("closed_by", "uuid", (c) => c.references("users.id"))
    .addColumn("closed_at", "timestamptz")
    .addColumn("closed_early", "boolean")
    .addColumn("decision_id", "uuid", (c) => c.references("decisions.id"))
    .addColumn("reminder_sent_at", "timestamptz")
    .addColumn("opened_by", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("opened_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      "proposals_majority_settings",
      sql`(process = 'majority') = (majority_threshold is not null and majority_base is not null)`,
    )
    .addCheckConstraint(
      "proposals_status_facts",
      sql`(status = 'open' and outcome is null and closed_at is null and tally is null and decision_id is null)
        or (status = 'closed' and outcome is not null and closed_at is not null and tally is not null
            and eligible_seats is not null and seats_taking_part is not null and closed_early is not null)`,
    )
    .addCheckConstraint("proposals_decision_when_passed", sql`decision_id is null or outcome = 'passed'`)
    .execute();
  await db.schema.createIndex("proposals_group_idx").on("proposals").columns(["group_id", "status", "closes_at"]).execute();

  // What a resolution that directs, invites or requests someone will ask of them once passed.
  await db.schema
    .createTable("proposal_actions")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("proposal_id", "uuid", (c) => c.notNull().references("proposals.id"))
    .addColumn("description", "text", (c) => c.notNull().check(sql`length(description) between 1 and 1000`))
    .addColumn("owner_user_id", "uuid", (c) => c.references("users.id"))
    .addColumn("owner_organisation_id", "uuid", (c) => c.references("organisations.id"))
    .addColumn("due_on", "date", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addCheckConstraint("proposal_actions_one_owner", sql`(owner_user_id is null) <> (owner_organisation_id is null)`)
    .execute();

  // Who could take part: each seat (a chair's or member's membership that is not an alternate's)
  // with the people who may take part for it (its member and their alternates), when it opened
  // ('open') and when it closed ('close'). A seat whose member declared a conflict is excluded.
  await db.schema
    .createTable("proposal_eligibility")
    .addColumn("proposal_id", "uuid", (c) => c.notNull().references("proposals.id"))
    .addColumn("snapshot", "text", (c) => c.notNull().check(sql`snapshot in ('open', 'close')`))
    .addColumn("seat_membership_id", "uuid", (c) => c.notNull().references("memberships.id"))
    .addColumn("membership_id", "uuid", (c) => c.notNull().references("memberships.id"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("member_name", "text", (c) => c.notNull())
    .addColumn("organisation_name", "text")
    .addColumn("is_alternate", "boolean", (c) => c.notNull())
    .addColumn("excluded_for_conflict", "boolean", (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint("proposal_eligibility_pkey", ["proposal_id", "snapshot", "membership_id"])
    .execute();

  await db.schema
    .createTable("proposal_conflicts")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("proposal_id", "uuid", (c) => c.notNull().references("proposals.id"))
    .addColumn("membership_id", "uuid", (c) => c.notNull().references("memberships.id"))
    .addColumn("member_name", "text", (c) => c.notNull())
    .addColumn("interest", "text", (c) => c.notNull().check(sql`length(interest) between 1 and 1000`))
    .addColumn("recorded_by", "uuid", (c) => c.references("users.id"))
    .addColumn("recorded_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("proposal_conflicts_once", ["proposal_id", "membership_id"])
    .execute();

  // Which seats took part, and who for them (the member or an alternate): one row per seat, for
  // named and secret ballots alike, so the secretary can see who has not yet taken part. No time.
  await db.schema
    .createTable("proposal_participants")
    .addColumn("proposal_id", "uuid", (c) => c.notNull().references("proposals.id"))
    .addColumn("seat_membership_id", "uuid", (c) => c.notNull().references("memberships.id"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id"))
    .addPrimaryKeyConstraint("proposal_participants_pkey", ["proposal_id", "seat_membership_id"])
    .execute();

  // Named ballots: every stance taken, in order; a seat's current stance is its latest.
  await db.schema
    .createTable("proposal_stances")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("proposal_id", "uuid", (c) => c.notNull().references("proposals.id"))
    .addColumn("seat_membership_id", "uuid", (c) => c.notNull().references("memberships.id"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id"))
    .addColumn("stance", "text", (c) =>
      c.notNull().check(sql`stance in ('consent', 'object', 'agree', 'abstain', 'disagree', 'block', 'yes', 'no')`),
    )
    .addColumn("reason", "text", (c) => c.check(sql`length(reason) between 1 and 2000`))
    .addColumn("via", "text", (c) => c.notNull().defaultTo("web").check(sql`via in ('web', 'email', 'show_of_hands')`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("proposal_stances_seat_idx").on("proposal_stances").columns(["proposal_id", "seat_membership_id", "created_at"]).execute();

  // Secret ballots: one row per proposal, never one per voter.
  await db.schema
    .createTable("proposal_ballot_boxes")
    .addColumn("proposal_id", "uuid", (c) => c.primaryKey().references("proposals.id"))
    .addColumn("counts", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // [{ "stance": "object", "reason": "…" }, …] in a random order, reshuffled at every ballot.
    .addColumn("reasons", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();

  // ---- append-only while open, immutable once closed -------------------------------------------
  await sql`
    create function proposals_guard() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        raise exception 'proposals are never deleted' using errcode = 'P0001';
      end if;
      if old.status = 'closed' then
        raise exception 'a closed proposal is part of the record' using errcode = 'P0001';
      end if;
      if new.id <> old.id or new.group_id <> old.group_id or new.process <> old.process
        or new.resolution <> old.resolution or new.verb <> old.verb or new.opened_by <> old.opened_by
        or new.opened_at <> old.opened_at then
        raise exception 'what was put to the vote does not change once it is open' using errcode = 'P0001';
      end if;
      return new;
    end
    $$`.execute(db);
  await sql`create trigger proposals_guard before update or delete on proposals for each row execute function proposals_guard()`.execute(db);

  // Rows about a proposal are only ever added, and only while it is open (the close snapshot is
  // written in the same statement order as the close, before its status changes).
  await sql`
    create function proposal_rows_guard() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' and not (tg_table_name = 'proposal_ballot_boxes' and tg_op = 'UPDATE') then
        raise exception '% is append-only', tg_table_name using errcode = 'P0001';
      end if;
      if exists (select 1 from proposals where id = new.proposal_id and status = 'closed') then
        raise exception 'a closed proposal is part of the record (%)', tg_table_name using errcode = 'P0001';
      end if;
      if tg_op = 'UPDATE' and new.proposal_id <> old.proposal_id then
        raise exception 'a ballot box stays with its proposal' using errcode = 'P0001';
      end if;
      return new;
    end
    $$`.execute(db);
  for (const table of ["proposal_actions", "proposal_eligibility", "proposal_conflicts", "proposal_participants", "proposal_stances", "proposal_ballot_boxes"]) {
    await sql`create trigger ${sql.raw(`${table}_guard`)} before insert or update or delete on ${sql.table(table)}
      for each row execute function proposal_rows_guard()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["proposal_actions", "proposal_eligibility", "proposal_conflicts", "proposal_participants", "proposal_stances", "proposal_ballot_boxes"]) {
    await sql`drop trigger if exists ${sql.raw(`${table}_guard`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop trigger if exists proposals_guard on proposals`.execute(db);
  for (const table of ["proposal_ballot_boxes", "proposal_stances", "proposal_participants", "proposal_conflicts", "proposal_eligibility", "proposal_actions", "proposals"]) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function if exists proposal_rows_guard()`.execute(db);
  await sql`drop function if exists proposals_guard()`.execute(db);
  await db.schema.alterTable("meetings").dropColumn("kind").execute();
  await db.schema
    .alterTable("groups")
    .dropColumn("proposal_quorum_percent")
    .dropColumn("default_decision_process")
    .dropColumn("default_majority_threshold")
    .execute();
}
