/**
 * The search index's sources: each kind, the table its rows come from and the database function
 * that rewrites its entries (db/migrations/20261207T1100_search.ts, where triggers call the same
 * functions on every write). This is the one place a new kind is listed (with its reading action
 * in search.server.ts and its labels in app/search/search-kinds.ts), as proposals were.
 */
import { sql } from "kysely";
import type { SearchKind } from "../../db/database.js";
import type { Db } from "./meetings.server.js";

export interface SearchSource {
  kind: SearchKind;
  /** The ids to reindex: every row of the source. */
  ids: string;
  /** The database function that rewrites one source row's entries. */
  indexFunction: string;
}

export const searchSources: readonly SearchSource[] = [
  { kind: "document", ids: "select id from documents", indexFunction: "search_index_document" },
  { kind: "version", ids: "select distinct version_id as id from document_submissions", indexFunction: "search_index_version" },
  { kind: "comment", ids: "select id from comments", indexFunction: "search_index_comment" },
  { kind: "meeting", ids: "select id from meetings", indexFunction: "search_index_meeting" },
  { kind: "agenda_item", ids: "select id from agenda_items", indexFunction: "search_index_agenda_item" },
  { kind: "decision", ids: "select id from decisions", indexFunction: "search_index_decision" },
  { kind: "action", ids: "select id from actions", indexFunction: "search_index_action" },
  { kind: "proposal", ids: "select id from proposals", indexFunction: "search_index_proposal" },
];

/**
 * Rewrites every entry from its source, one kind per transaction, dropping entries whose source
 * is gone. Returns how many entries each kind has afterwards.
 */
export async function reindexEverything(db: Db): Promise<Record<SearchKind, number>> {
  const counts = {} as Record<SearchKind, number>;
  for (const source of searchSources) {
    await db.transaction().execute(async (trx) => {
      await sql`delete from search_entries where kind = ${source.kind}`.execute(trx);
      await sql.raw(`select ${source.indexFunction}(s.id) from (${source.ids}) s`).execute(trx);
      const row = await trx
        .selectFrom("search_entries")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("kind", "=", source.kind)
        .executeTakeFirstOrThrow();
      counts[source.kind] = Number(row.n);
    });
  }
  return counts;
}
