/**
 * Searching everything a person may read (issue 23, ADR 021), over `search_entries` (kept by the
 * triggers of db/migrations/20261207T1100_search.ts). Words match with or without macrons and in
 * any case; English words by their stems and every word whole (te reo Māori is never stemmed
 * alone), "quoted phrases" as phrases; when nothing matches, each word is replaced by its nearest
 * indexed word (trigram similarity) and the search runs again.
 *
 * Permissions are in the query: for each group the person holds a role in today, `can()` is asked
 * which kinds they may read there, wholly or only on documents opened to them for consultation
 * (checked against the consultations open now, as `isOpenToConsultee` does). Nothing else is ever
 * selected, so nothing else can reach a snippet.
 */
import { type Expression, type SqlBool, sql } from "kysely";
import type { DocumentStatus } from "../../db/database.js";
import { type Action, type Actor, type Resource, can } from "../policy/policy.js";
import { HIGHLIGHT_END, HIGHLIGHT_START, type SearchKind, cleanSearchText, searchKinds } from "../search/search-kinds.js";
import { nzWallClockInstant } from "../utils/dates.js";
import type { Db } from "./meetings.server.js";

export interface SearchQuery {
  text: string;
  /** Only these kinds (none given: every kind). */
  kinds?: readonly SearchKind[];
  groupId?: string | null;
  /** New Zealand calendar dates "YYYY-MM-DD", inclusive. */
  from?: string | null;
  to?: string | null;
  /** Documents (and versions) in this status only. */
  documentStatus?: DocumentStatus | null;
  limit?: number;
  offset?: number;
}

export interface SearchHit {
  kind: SearchKind;
  sourceId: string;
  part: number;
  groupId: string;
  groupName: string;
  title: string;
  /** The matched text with HIGHLIGHT_START/HIGHLIGHT_END around each matched word. */
  snippet: string;
  status: string | null;
  occurredAt: Date;
  /** A same-site path to the exact place. */
  link: string;
}

export interface SearchResults {
  hits: SearchHit[];
  total: number;
  /** Too many matched to count them all (MAX_CANDIDATES): there are more than `total`. */
  more: boolean;
  /** No exact match: these are the close matches (similar words). */
  fuzzy: boolean;
}

/** The policy action that reads each kind: one line per kind (a new kind adds its own). */
export const readingActions: Record<SearchKind, Action> = {
  document: "document.read",
  version: "document.history",
  comment: "document.read",
  meeting: "meeting.view",
  agenda_item: "meeting.view",
  decision: "meeting.view",
  action: "meeting.view",
  proposal: "proposal.view",
};

function readingResource(kind: SearchKind, groupId: string, openToActorForConsultation: boolean): Resource {
  const action = readingActions[kind];
  if (action.startsWith("document.")) return { type: "document", groupId, openToActorForConsultation };
  return action.startsWith("proposal.") ? { type: "group", groupId } : { type: "meeting", groupId };
}

export interface SearchScope {
  /** Groups and the kinds the person reads there, all of them. */
  whole: { groupId: string; kinds: SearchKind[] }[];
  /** Groups and the kinds the person reads there only on documents opened to them (consultees). */
  openDocuments: { groupId: string; kinds: SearchKind[] }[];
}

/** What the policy lets this person read, by group and kind. */
export function searchScope(actor: Actor): SearchScope {
  const scope: SearchScope = { whole: [], openDocuments: [] };
  for (const groupId of actor.rolesByGroup.keys()) {
    const whole = searchKinds.filter((kind) => can(actor, readingActions[kind], readingResource(kind, groupId, false)));
    const open = searchKinds.filter(
      (kind) => !whole.includes(kind) && can(actor, readingActions[kind], readingResource(kind, groupId, true)),
    );
    if (whole.length > 0) scope.whole.push({ groupId, kinds: whole });
    if (open.length > 0) scope.openDocuments.push({ groupId, kinds: open });
  }
  return scope;
}

const MAX_LIMIT = 50;
/**
 * At most this many matching entries are ranked: a word in nearly everything ("the", a group's
 * name) would otherwise rank the whole index on every search. Past it, results are "more than".
 */
export const MAX_CANDIDATES = 1_000;

/** Searches everything `actor` may read; best matches first, one result per thing (its best paragraph). */
export async function searchEverything(db: Db, actor: Actor, query: SearchQuery, now = new Date()): Promise<SearchResults> {
  const text = cleanSearchText(query.text);
  const scope = searchScope(actor);
  if (!/[\p{L}\p{N}]/u.test(text) || (scope.whole.length === 0 && scope.openDocuments.length === 0)) {
    return { hits: [], total: 0, more: false, fuzzy: false };
  }
  const exact = await runSearch(db, actor, scope, query, sql`${fullTextQuery(text)}`, null, now);
  if (exact.total > 0) return { ...exact, fuzzy: false };
  const corrected = await nearestWords(db, text);
  if (!corrected) return { ...exact, fuzzy: false };
  const fuzzy = await runSearch(db, actor, scope, query, sql`${fullTextQuery(corrected)}`, text, now);
  return { ...fuzzy, fuzzy: fuzzy.total > 0 };
}

/** English stems OR whole words, both unaccented; websearch syntax ("phrases", or, -not) never fails to parse. */
export function fullTextQuery(text: string) {
  return sql`(websearch_to_tsquery('search_english', ${text}) || websearch_to_tsquery('search_simple', ${text}))`;
}

/** The query with each word replaced by its nearest indexed word, or null when none is near. */
async function nearestWords(db: Db, text: string): Promise<string | null> {
  const words = [...new Set(text.split(/[^\p{L}\p{N}]+/u).filter((word) => word.length >= 3))].slice(0, 8);
  if (words.length === 0) return null;
  const rows = await sql<{ position: number; word: string | null }>`
    select t.position, (
      select w.word from search_words w
      where w.word operator(public.%) search_unaccent(lower(t.term))
      order by public.similarity(w.word, search_unaccent(lower(t.term))) desc, w.word
      limit 1
    ) as word
    from (values ${sql.join(words.map((word, position) => sql`(${position}::int, ${word}::text)`))}) as t (position, term)
  `.execute(db);
  const replaced = words.map((word, position) => rows.rows.find((row) => Number(row.position) === position)?.word ?? word);
  return replaced.some((word, position) => word !== words[position]) ? replaced.join(" ") : null;
}

async function runSearch(
  db: Db,
  actor: Actor,
  scope: SearchScope,
  query: SearchQuery,
  tsquery: Expression<unknown>,
  /** In the fallback: the words as typed, matched against titles by trigram similarity too. */
  titleLike: string | null,
  now: Date,
): Promise<{ hits: SearchHit[]; total: number; more: boolean }> {
  const limit = Math.min(Math.max(query.limit ?? 20, 1), MAX_LIMIT);
  const offset = Math.min(Math.max(query.offset ?? 0, 0), 10_000);
  const kindsIn = (kinds: readonly SearchKind[]) => sql.join(kinds.map((kind) => sql`${kind}`));
  const allowed: ReturnType<typeof sql<SqlBool>>[] = [
    ...scope.whole.map(({ groupId, kinds }) => sql<SqlBool>`(e.group_id = ${groupId} and e.kind in (${kindsIn(kinds)}))`),
    ...scope.openDocuments.map(
      ({ groupId, kinds }) => sql<SqlBool>`(e.group_id = ${groupId} and e.kind in (${kindsIn(kinds)}) and e.document_id in (
        select c.document_id from consultations c
        join consultation_invitees i on i.consultation_id = c.id
        where i.user_id = ${actor.id} and c.closed_early_at is null and c.closes_at > ${now}
      ))`,
    ),
  ];
  const filters: ReturnType<typeof sql<SqlBool>>[] = [sql<SqlBool>`(${sql.join(allowed, sql` or `)})`];
  const kinds = (query.kinds ?? []).filter((kind) => searchKinds.includes(kind));
  if (kinds.length > 0) filters.push(sql<SqlBool>`e.kind in (${kindsIn(kinds)})`);
  if (query.groupId) filters.push(sql<SqlBool>`e.group_id::text = ${query.groupId}`);
  if (query.from) filters.push(sql<SqlBool>`e.occurred_at >= ${nzWallClockInstant(query.from, 0)}`);
  if (query.to) filters.push(sql<SqlBool>`e.occurred_at <= ${nzWallClockInstant(query.to, 23, 59, 59, 999)}`);
  if (query.documentStatus) filters.push(sql<SqlBool>`(e.kind in ('document', 'version') and e.status = ${query.documentStatus})`);
  // The query written out (not read from q) so the planner can take the GIN indexes.
  const matches = titleLike
    ? sql<SqlBool>`(e.searchable @@ ${tsquery} or (e.indexed_title <> '' and search_unaccent(lower(${titleLike})) operator(public.<%) search_unaccent(lower(e.indexed_title))))`
    : sql<SqlBool>`e.searchable @@ ${tsquery}`;
  const options = `StartSel=${HIGHLIGHT_START}, StopSel=${HIGHLIGHT_END}, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`;
  const result = await sql<{
    kind: SearchKind;
    source_id: string;
    part: number;
    group_id: string;
    group_name: string;
    title: string;
    snippet: string;
    status: string | null;
    occurred_at: Date;
    link: string;
    total: number;
    candidates: number;
  }>`
    with q as (select ${tsquery} as query),
    candidates as (
      select e.kind, e.source_id, e.part, e.group_id, e.title, e.body, e.status, e.occurred_at, e.link, e.searchable
      from search_entries e
      where ${matches} and ${sql.join(filters, sql` and `)}
      limit ${MAX_CANDIDATES}
    ),
    matched as (
      select c.kind, c.source_id, c.part, c.group_id, c.title, c.body, c.status, c.occurred_at, c.link,
        ts_rank(c.searchable, q.query) as rank
      from candidates c cross join q
    ),
    best as (
      select distinct on (kind, source_id) * from matched order by kind, source_id, rank desc, part
    ),
    page as (
      select best.*, count(*) over () as total from best order by rank desc, occurred_at desc, source_id, part
      limit ${limit} offset ${offset}
    )
    select page.kind, page.source_id, page.part, page.group_id, g.name as group_name, page.title, page.status,
      page.occurred_at, page.link, page.total, (select count(*) from candidates) as candidates,
      ts_headline('search_english', coalesce(nullif(page.body, ''), page.title), q.query, ${options}) as snippet
    from page cross join q join groups g on g.id = page.group_id
    order by page.rank desc, page.occurred_at desc, page.source_id, page.part
  `.execute(db);
  const total = result.rows.length > 0 ? Number(result.rows[0]!.total) : offset > 0 ? await countOnly() : 0;
  return {
    total,
    more: result.rows.length > 0 && Number(result.rows[0]!.candidates) >= MAX_CANDIDATES,
    hits: result.rows.map((row) => ({
      kind: row.kind,
      sourceId: row.source_id,
      part: Number(row.part),
      groupId: row.group_id,
      groupName: row.group_name,
      title: row.title,
      snippet: row.snippet,
      status: row.status,
      occurredAt: new Date(row.occurred_at),
      link: row.link,
    })),
  };

  // Past the last page: how many there are, for the page links.
  async function countOnly(): Promise<number> {
    const first = await runSearch(db, actor, scope, { ...query, offset: 0, limit: 1 }, tsquery, titleLike, now);
    return first.total;
  }
}
