/**
 * Search everywhere (issue 23, ADR 021): one table, `search_entries`, holding what may be found
 * (documents' paragraphs, submitted and approved versions, comments, meetings, agenda items,
 * decisions, actions), kept current by triggers in the same transaction as every write, so no
 * write path can forget it. Confirmed decisions are never written to (ADR 006): their entries
 * live here.
 *
 * Language: two text search configurations map words through `unaccent` before their dictionary,
 * `search_english` (English stems: meeting/meetings, decide/decided) and `search_simple` (words
 * whole, so te reo Māori words are never cut by an English stemmer). Each entry's `searchable`
 * holds both; a query is matched as english OR simple. `search_unaccent` is the IMMUTABLE wrapper
 * an index expression needs (it names its dictionary). `search_words` is the vocabulary (every
 * lexeme indexed: whole words and English stems) with a trigram index, for the typo fallback.
 *
 * Each kind has one `search_index_<kind>(id)` function that rewrites its entries from the source
 * rows; triggers call them. A new kind (proposals) is a new migration with its function and
 * triggers, and a line in `searchSources` (app/models/search-index.server.ts).
 * Frozen: never edit a landed migration; add a new one.
 */
import { type Kysely, sql } from "kysely";

const documentKindLabel = sql.raw(`case d.kind
  when 'terms_of_reference' then 'Terms of reference'
  when 'agenda' then 'Agenda'
  when 'paper' then 'Paper'
  else 'Notes' end`);

export async function up(db: Kysely<unknown>): Promise<void> {
  // In `public`, once per database: test schemas come and go beside it.
  await sql`create extension if not exists unaccent schema public`.execute(db);
  await sql`create extension if not exists pg_trgm schema public`.execute(db);
  // Both extensions live in public, and everything below names them there: a connection whose
  // search_path leaves public out (a schema of its own, as the process test uses) still finds them.
  await sql`
    create function search_unaccent(text) returns text
    language sql immutable parallel safe strict
    as $$ select public.unaccent('public.unaccent'::regdictionary, $1) $$
  `.execute(db);
  await sql`create text search configuration search_english (copy = pg_catalog.english)`.execute(db);
  await sql`
    alter text search configuration search_english
    alter mapping for asciiword, asciihword, hword_asciipart, word, hword, hword_part
    with public.unaccent, english_stem
  `.execute(db);
  await sql`create text search configuration search_simple (copy = pg_catalog.simple)`.execute(db);
  await sql`
    alter text search configuration search_simple
    alter mapping for asciiword, asciihword, hword_asciipart, word, hword, hword_part
    with public.unaccent, simple
  `.execute(db);

  await sql`
    create table search_entries (
      kind text not null,
      source_id uuid not null,
      -- 0 for a whole thing; a document's or version's paragraphs are 1, 2 … (lines of its text)
      part integer not null default 0,
      group_id uuid not null references groups (id) on delete cascade,
      -- documents, versions and comments: their document (consultees read only documents open to them)
      document_id uuid,
      title text not null,
      -- words matched as the title (weight A); empty for a paragraph, which shows its document's title
      indexed_title text not null default '',
      body text not null default '',
      status text,
      occurred_at timestamptz not null,
      link text not null,
      searchable tsvector generated always as (
        setweight(to_tsvector('search_english', indexed_title), 'A') ||
        setweight(to_tsvector('search_simple', indexed_title), 'A') ||
        setweight(to_tsvector('search_english', body), 'B') ||
        setweight(to_tsvector('search_simple', body), 'B')
      ) stored,
      primary key (kind, source_id, part)
    )
  `.execute(db);
  await sql`create index search_entries_searchable_idx on search_entries using gin (searchable)`.execute(db);
  await sql`create index search_entries_group_idx on search_entries (group_id, kind)`.execute(db);
  await sql`create index search_entries_document_idx on search_entries (document_id) where document_id is not null`.execute(db);
  await sql`
    create index search_entries_title_trgm_idx on search_entries
    using gin (search_unaccent(lower(indexed_title)) public.gin_trgm_ops) where indexed_title <> ''
  `.execute(db);

  await sql`create table search_words (word text primary key)`.execute(db);
  await sql`create index search_words_trgm_idx on search_words using gin (word public.gin_trgm_ops)`.execute(db);
  // Once per statement, from its transition table: a document's save writes many lines at once.
  await sql`
    create function search_learn_words() returns trigger language plpgsql as $$
    begin
      insert into search_words (word)
      select distinct w from learned cross join lateral unnest(tsvector_to_array(learned.searchable)) as w
      where length(w) between 3 and 40 and w !~ '^[0-9]+$'
      on conflict do nothing;
      return null;
    end $$
  `.execute(db);
  for (const event of ["insert", "update"]) {
    await sql
      .raw(
        `create trigger search_learn_words_${event} after ${event} on search_entries referencing new table as learned for each statement execute function search_learn_words()`,
      )
      .execute(db);
  }

  // Documents: a head entry (title and kind) and one entry per line of the rendered text.
  await sql`
    create function search_index_document(target uuid) returns void language plpgsql as $$
    declare
      lines integer;
    begin
      if not exists (select 1 from documents where id = target) then
        delete from search_entries where kind = 'document' and source_id = target;
        return;
      end if;
      insert into search_entries (kind, source_id, part, group_id, document_id, title, indexed_title, body, status, occurred_at, link)
      select 'document', d.id, 0, d.group_id, d.id, d.title, d.title || ' ' || ${documentKindLabel}, '', d.status, d.updated_at,
        '/groups/' || d.group_id || '/documents/' || d.id
      from documents d where d.id = target
      union all
      select 'document', d.id, p.n::integer, d.group_id, d.id, d.title, '', p.line, d.status, d.updated_at,
        '/groups/' || d.group_id || '/documents/' || d.id || '#paragraph-' || p.n
      from documents d cross join lateral regexp_split_to_table(d.content_text, E'\n') with ordinality as p (line, n)
      where d.id = target and btrim(p.line) <> ''
      on conflict (kind, source_id, part) do update
        set group_id = excluded.group_id, title = excluded.title, indexed_title = excluded.indexed_title,
            body = excluded.body, status = excluded.status, occurred_at = excluded.occurred_at, link = excluded.link
        where (search_entries.group_id, search_entries.title, search_entries.indexed_title, search_entries.body,
               search_entries.status, search_entries.link)
          is distinct from (excluded.group_id, excluded.title, excluded.indexed_title, excluded.body, excluded.status, excluded.link);
      select count(*) into lines from documents d cross join lateral regexp_split_to_table(d.content_text, E'\n') as line where d.id = target;
      delete from search_entries where kind = 'document' and source_id = target and part > lines;
      -- Comments show their document's title.
      update search_entries e set title = d.title from documents d
      where d.id = target and e.document_id = target and e.kind = 'comment' and e.title <> d.title;
    end $$
  `.execute(db);

  // A version once submitted (labelled by its latest submission), one entry per line.
  await sql`
    create function search_index_version(target uuid) returns void language plpgsql as $$
    begin
      delete from search_entries where kind = 'version' and source_id = target;
      insert into search_entries (kind, source_id, part, group_id, document_id, title, body, status, occurred_at, link)
      select 'version', v.id, p.n::integer, d.group_id, d.id,
        d.title || case when s.status = 'approved' then ' (approved version ' else ' (submitted version ' end || v.number || ')',
        p.line, case when s.status = 'approved' then 'approved' else 'submitted' end, coalesce(s.decided_at, s.submitted_at),
        '/groups/' || d.group_id || '/documents/' || d.id || '/versions/' || v.number
      from document_versions v
      join documents d on d.id = v.document_id
      cross join lateral (
        select status, submitted_at, decided_at from document_submissions where version_id = v.id
        order by submitted_at desc limit 1
      ) s
      cross join lateral regexp_split_to_table(v.content_text, E'\n') with ordinality as p (line, n)
      where v.id = target and btrim(p.line) <> '';
    end $$
  `.execute(db);

  // A comment or reply, while it is not deleted (a deleted comment's body is never shown).
  await sql`
    create function search_index_comment(target uuid) returns void language plpgsql as $$
    begin
      delete from search_entries where kind = 'comment' and source_id = target;
      insert into search_entries (kind, source_id, group_id, document_id, title, body, status, occurred_at, link)
      select 'comment', c.id, d.group_id, d.id, d.title, c.body, null, c.created_at,
        '/groups/' || d.group_id || '/documents/' || d.id || '?comments=all#thread-' || t.id
      from comments c
      join comment_threads t on t.id = c.thread_id
      join documents d on d.id = t.document_id
      where c.id = target and c.deleted_at is null;
    end $$
  `.execute(db);

  await sql`
    create function search_index_meeting(target uuid) returns void language plpgsql as $$
    begin
      delete from search_entries where kind = 'meeting' and source_id = target;
      insert into search_entries (kind, source_id, group_id, title, indexed_title, body, status, occurred_at, link)
      select 'meeting', m.id, m.group_id, m.title, m.title, concat_ws(' ', m.location, m.cancel_reason), m.status, m.starts_at,
        '/groups/' || m.group_id || '/meetings/' || m.id
      from meetings m where m.id = target;
    end $$
  `.execute(db);

  await sql`
    create function search_index_agenda_item(target uuid) returns void language plpgsql as $$
    begin
      delete from search_entries where kind = 'agenda_item' and source_id = target;
      insert into search_entries (kind, source_id, group_id, title, body, status, occurred_at, link)
      select 'agenda_item', a.id, m.group_id, m.title, concat_ws(' — ', a.title, a.presenter), null, m.starts_at,
        '/groups/' || m.group_id || '/meetings/' || m.id
      from agenda_items a join meetings m on m.id = a.meeting_id where a.id = target;
    end $$
  `.execute(db);

  await sql`
    create function search_index_decision(target uuid) returns void language plpgsql as $$
    begin
      delete from search_entries where kind = 'decision' and source_id = target;
      insert into search_entries (kind, source_id, group_id, title, indexed_title, body, status, occurred_at, link)
      select 'decision', x.id, mi.group_id, coalesce(mi.reference, 'Draft minute') || ' · ' || m.title,
        coalesce(x.heading, ''), concat_ws(' ', x.verb, x.body), mi.status, m.starts_at,
        '/groups/' || mi.group_id || '/meetings/' || m.id || '/minutes#decision-' || x.id
      from decisions x join minutes mi on mi.id = x.minute_id join meetings m on m.id = mi.meeting_id
      where x.id = target;
    end $$
  `.execute(db);

  await sql`
    create function search_index_action(target uuid) returns void language plpgsql as $$
    begin
      delete from search_entries where kind = 'action' and source_id = target;
      insert into search_entries (kind, source_id, group_id, title, body, status, occurred_at, link)
      select 'action', a.id, a.group_id, 'Action for ' || a.owner_label, a.description, a.status, a.created_at,
        '/groups/' || a.group_id || '/actions#action-' || a.id
      from actions a where a.id = target;
    end $$
  `.execute(db);

  // The triggers: each write reindexes what it changed, in its own transaction.
  await sql`
    create function search_forget() returns trigger language plpgsql as $$
    begin
      delete from search_entries where kind = tg_argv[0] and source_id = old.id;
      -- A document's versions and comments go with it.
      if tg_argv[0] = 'document' then delete from search_entries where document_id = old.id; end if;
      return null;
    end $$
  `.execute(db);
  await sql`
    create function search_on_write() returns trigger language plpgsql as $$
    begin
      case tg_table_name
        when 'documents' then perform search_index_document(new.id);
        when 'comments' then perform search_index_comment(new.id);
        when 'meetings' then
          perform search_index_meeting(new.id);
          perform search_index_agenda_item(a.id) from agenda_items a where a.meeting_id = new.id;
          perform search_index_decision(x.id) from decisions x join minutes mi on mi.id = x.minute_id where mi.meeting_id = new.id;
        when 'agenda_items' then perform search_index_agenda_item(new.id);
        when 'decisions' then perform search_index_decision(new.id);
        when 'minutes' then perform search_index_decision(x.id) from decisions x where x.minute_id = new.id;
        when 'actions' then perform search_index_action(new.id);
        when 'document_submissions' then perform search_index_version(new.version_id);
      end case;
      return null;
    end $$
  `.execute(db);
  const writes: [table: string, columns: string, kind: string | null][] = [
    ["documents", "title, kind, status, content_text, group_id", "document"],
    ["comments", "body, deleted_at", "comment"],
    ["meetings", "title, location, status, starts_at, cancel_reason, group_id", "meeting"],
    ["agenda_items", "title, presenter, meeting_id", "agenda_item"],
    ["decisions", "heading, verb, body, minute_id", "decision"],
    ["minutes", "status, reference", null],
    ["actions", "description, owner_label, status", "action"],
    ["document_submissions", "status", null],
  ];
  for (const [table, columns, kind] of writes) {
    await sql
      .raw(`create trigger search_on_write after insert or update of ${columns} on ${table} for each row execute function search_on_write()`)
      .execute(db);
    if (kind) {
      await sql.raw(`create trigger search_forget after delete on ${table} for each row execute function search_forget('${kind}')`).execute(db);
    }
  }

  // What is already there.
  await sql`select search_index_document(id) from documents`.execute(db);
  await sql`select search_index_comment(id) from comments`.execute(db);
  await sql`select search_index_meeting(id) from meetings`.execute(db);
  await sql`select search_index_agenda_item(id) from agenda_items`.execute(db);
  await sql`select search_index_decision(id) from decisions`.execute(db);
  await sql`select search_index_action(id) from actions`.execute(db);
  await sql`select search_index_version(v) from (select distinct version_id as v from document_submissions) s`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["documents", "comments", "meetings", "agenda_items", "decisions", "minutes", "actions", "document_submissions"]) {
    await sql.raw(`drop trigger if exists search_on_write on ${table}`).execute(db);
    await sql.raw(`drop trigger if exists search_forget on ${table}`).execute(db);
  }
  await sql`drop function search_on_write()`.execute(db);
  await sql`drop function search_forget()`.execute(db);
  for (const kind of ["document", "version", "comment", "meeting", "agenda_item", "decision", "action"]) {
    await sql.raw(`drop function search_index_${kind}(uuid)`).execute(db);
  }
  await sql`drop table search_words`.execute(db);
  await sql`drop table search_entries`.execute(db);
  await sql`drop function search_learn_words()`.execute(db);
  await sql`drop text search configuration search_simple`.execute(db);
  await sql`drop text search configuration search_english`.execute(db);
  await sql`drop function search_unaccent(text)`.execute(db);
  // The extensions stay: other schemas of the same database may use them.
}
