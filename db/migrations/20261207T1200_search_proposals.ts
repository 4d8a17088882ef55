/**
 * Proposals in the search index (migration 20261207T1100_search): one entry per proposal, its title,
 * its resolution and background, with its state, linking to its page. Nothing of a stance is
 * indexed (not the choice, not the reason), so no snippet can show how anyone took part, even in a
 * named ballot; the outcome line is on the proposal's page, where the policy decides who sees it.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function search_index_proposal(target uuid) returns void language plpgsql as $$
    begin
      delete from search_entries where kind = 'proposal' and source_id = target;
      insert into search_entries (kind, source_id, group_id, title, indexed_title, body, status, occurred_at, link)
      select 'proposal', p.id, p.group_id, p.title, p.title, concat_ws(' ', p.verb, p.resolution, p.background),
        case when p.status = 'open' then 'open' else coalesce(p.outcome, 'closed') end, p.opened_at,
        '/groups/' || p.group_id || '/proposals/' || p.id
      from proposals p where p.id = target;
    end $$
  `.execute(db);
  await sql`
    create function search_on_proposal_write() returns trigger language plpgsql as $$
    begin
      perform search_index_proposal(new.id);
      return null;
    end $$
  `.execute(db);
  await sql`create trigger search_on_write after insert or update of title, verb, resolution, background, status, outcome on proposals for each row execute function search_on_proposal_write()`.execute(db);
  await sql`create trigger search_forget after delete on proposals for each row execute function search_forget('proposal')`.execute(db);
  await sql`select search_index_proposal(id) from proposals`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists search_forget on proposals`.execute(db);
  await sql`drop trigger if exists search_on_write on proposals`.execute(db);
  await sql`drop function search_on_proposal_write()`.execute(db);
  await sql`delete from search_entries where kind = 'proposal'`.execute(db);
  await sql`drop function search_index_proposal(uuid)`.execute(db);
}
