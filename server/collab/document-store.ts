/**
 * Where a collaborative document's Yjs state lives in the database: one snapshot
 * (document_snapshots) plus the update log after it (document_updates), appended in batches and
 * folded into the snapshot by compaction. Also writes the document's HTML and text renderings.
 *
 * Every function takes `db | trx` first. The log is written by one process per document (the
 * endpoint serialises each document's appends and compactions), which is what makes "delete the
 * rows up to the id folded into the snapshot" safe. Reads and appends are one statement each: one
 * round trip, and atomic without a transaction.
 */
import { type Kysely, sql } from "kysely";
import * as Y from "yjs";
import { renderHtml } from "../../app/documents/render-html.server.js";
import { renderText } from "../../app/documents/content.js";
import type { Database } from "../../db/database.js";

/** bytea arrives as Buffer (pg) or Uint8Array (PGlite); Yjs wants a plain Uint8Array view. */
export function toBytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

export interface StoredState {
  /** The snapshot's state, or null when the document has none yet. */
  snapshot: Uint8Array | null;
  /** The snapshot's last_update_id, or null when there is no snapshot. */
  snapshotLastUpdateId: number | null;
  /** The log rows after the snapshot, oldest first. */
  tail: { id: number; update: Uint8Array }[];
  /** The id of the last update included (the snapshot's, when the tail is empty; 0 when none). */
  lastUpdateId: number;
}

/**
 * Reads one snapshot and the log after it, consistently: one statement, so one view of the
 * database, and one round trip.
 */
export async function readStoredState(db: Kysely<Database>, documentId: string): Promise<StoredState> {
  return (await readStoredStates(db, [documentId])).get(documentId)!;
}

/**
 * Reads the snapshot and the log after it of several documents in one statement (one view of the
 * database for all of them); every document asked for has an entry (empty when nothing is stored).
 */
export async function readStoredStates(db: Kysely<Database>, documentIds: readonly string[]): Promise<Map<string, StoredState>> {
  const ids = [...new Set(documentIds)];
  const rows =
    ids.length === 0
      ? []
      : (
          await sql<{ document_id: string; snapshot: boolean; id: number; data: Uint8Array }>`
            select document_id, true as snapshot, last_update_id as id, state as data
            from document_snapshots where document_id in (${sql.join(ids)})
            union all
            select u.document_id, false, u.id, u.update from document_updates as u
            left join document_snapshots as s on s.document_id = u.document_id
            where u.document_id in (${sql.join(ids)}) and u.id > coalesce(s.last_update_id, 0)
            order by document_id, snapshot desc, id`.execute(db)
        ).rows;
  const rowsOf = new Map<string, typeof rows>();
  for (const row of rows) {
    const list = rowsOf.get(row.document_id);
    if (list) list.push(row);
    else rowsOf.set(row.document_id, [row]);
  }
  // PostgreSQL writes a uuid in small letters; it was asked for as given.
  return new Map(ids.map((documentId) => [documentId, storedStateOf(rowsOf.get(documentId.toLowerCase()) ?? [])]));
}

/** One document's rows (its snapshot first, if any, then its log in order) as its stored state. */
function storedStateOf(rows: { snapshot: boolean; id: number; data: Uint8Array }[]): StoredState {
  const snapshot = rows[0]?.snapshot ? rows[0] : null;
  const tail = (snapshot ? rows.slice(1) : rows).map((row) => ({ id: Number(row.id), update: toBytes(row.data) }));
  const after = snapshot ? Number(snapshot.id) : 0;
  return {
    snapshot: snapshot ? toBytes(snapshot.data) : null,
    snapshotLastUpdateId: snapshot ? after : null,
    tail,
    lastUpdateId: tail.at(-1)?.id ?? after,
  };
}

/** Applies a stored state to a fresh Y.Doc (or the one given), in one Yjs transaction. */
export function applyStoredState(state: StoredState, doc = new Y.Doc()): Y.Doc {
  doc.transact(() => {
    if (state.snapshot) Y.applyUpdate(doc, state.snapshot);
    for (const row of state.tail) Y.applyUpdate(doc, row.update);
  });
  return doc;
}

export interface Rendering {
  html: string;
  text: string;
  /** The last person whose edits are in it, or null to leave `updated_by` as it is. */
  editorId: string | null;
}

export function renderDocument(doc: Y.Doc, editorId: string | null): Rendering {
  return { html: renderHtml(doc), text: renderText(doc), editorId };
}

/**
 * Appends one batch (already merged into one update) to the log, with the document's rendering
 * when one is given, in one statement (atomic on its own: no transaction round trips); returns
 * the row's id.
 */
export async function appendUpdate(
  db: Kysely<Database>,
  documentId: string,
  update: Uint8Array,
  rendering: Rendering | null,
): Promise<number> {
  const values = { document_id: documentId, update };
  const row = rendering
    ? await db
        .with("rendered", (query) => query.updateTable("documents").set(renderingColumns(rendering)).where("id", "=", documentId))
        .insertInto("document_updates")
        .values(values)
        .returning("id")
        .executeTakeFirstOrThrow()
    : await db.insertInto("document_updates").values(values).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Appends one batch for each of several documents, with the renderings that are due, in one
 * statement; returns each document's new row id. Each document may appear once.
 */
export async function appendUpdates(
  db: Kysely<Database>,
  batches: { documentId: string; update: Uint8Array; rendering: Rendering | null }[],
): Promise<Map<string, number>> {
  const rows = batches.map((batch) => sql`(${batch.documentId}::uuid, ${batch.update})`);
  const insert = sql`insert into document_updates (document_id, update) values ${sql.join(rows)} returning id, document_id`;
  const renderings = batches.flatMap((batch) =>
    batch.rendering
      ? [sql`(${batch.documentId}::uuid, ${batch.rendering.html}::text, ${batch.rendering.text}::text, ${batch.rendering.editorId}::uuid)`]
      : [],
  );
  const statement =
    renderings.length === 0
      ? insert
      : sql`with rendered as (
          update documents as d
          set content_html = r.html, content_text = r.text, updated_at = now(), updated_by = coalesce(r.editor, d.updated_by)
          from (values ${sql.join(renderings)}) as r (id, html, text, editor)
          where d.id = r.id
        ) ${insert}`;
  const result = await statement.execute(db);
  return new Map((result.rows as { id: number; document_id: string }[]).map((row) => [row.document_id, Number(row.id)]));
}

export async function saveRendering(db: Kysely<Database>, documentId: string, rendering: Rendering): Promise<void> {
  await db.updateTable("documents").set(renderingColumns(rendering)).where("id", "=", documentId).execute();
}

function renderingColumns(rendering: Rendering) {
  return {
    content_html: rendering.html,
    content_text: rendering.text,
    updated_at: new Date(),
    ...(rendering.editorId ? { updated_by: rendering.editorId } : {}),
  };
}

export interface CompactionResult {
  /** Log rows folded into the snapshot and deleted. */
  folded: number;
  lastUpdateId: number;
  /** The compacted document (the committed state), for rendering. */
  doc: Y.Doc;
}

export class SnapshotMovedError extends Error {
  constructor(reason: string) {
    super(`${reason}; nothing was changed`);
    this.name = "SnapshotMovedError";
  }
}

export interface SnapshotReplacement {
  /** The whole state, covering at least every log row up to `lastUpdateId`. */
  state: Uint8Array;
  /** The last log row the state covers: it and the rows before it are deleted. */
  lastUpdateId: number;
  /** The current snapshot's last_update_id (null: no snapshot yet); the write is refused if it moved. */
  previousLastUpdateId: number | null;
  /** How many log rows there are up to `lastUpdateId`; the write is refused if that is not exactly right. */
  foldedRows: number;
}

/**
 * Replaces the snapshot and the log rows it covers, in one transaction: upserts the snapshot (only
 * if nobody moved it meanwhile) and deletes exactly the rows folded in (the transaction rolls back
 * with SnapshotMovedError if the snapshot or those rows are not what the caller said). Rows
 * appended after `lastUpdateId` stay in the log.
 */
export async function replaceLogWithSnapshot(
  db: Kysely<Database>,
  documentId: string,
  replacement: SnapshotReplacement,
  rendering: Rendering | null,
): Promise<void> {
  const { state, lastUpdateId, previousLastUpdateId, foldedRows } = replacement;
  await db.transaction().execute(async (trx) => {
    const result = await trx
      .insertInto("document_snapshots")
      .values({ document_id: documentId, state, last_update_id: lastUpdateId, updated_at: new Date() })
      .onConflict((conflict) =>
        conflict
          .column("document_id")
          .doUpdateSet({ state, last_update_id: lastUpdateId, updated_at: new Date() })
          .where("document_snapshots.last_update_id", "=", previousLastUpdateId ?? -1),
      )
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) !== 1) throw new SnapshotMovedError("the snapshot moved while compacting");
    const deleted = await trx
      .deleteFrom("document_updates")
      .where("document_id", "=", documentId)
      .where("id", "<=", lastUpdateId)
      .executeTakeFirst();
    // A row that committed late with a lower id would be deleted without being folded: refuse.
    if (Number(deleted.numDeletedRows) !== foldedRows) throw new SnapshotMovedError("the update log changed under compaction");
    if (rendering) await saveRendering(trx, documentId, rendering);
  });
}

/**
 * Folds the log into the snapshot from the database alone (for a document nobody has loaded):
 * reads the snapshot and every row after it, encodes their merged state, and replaces them (see
 * `replaceLogWithSnapshot`). Rows appended while this runs have higher ids and stay in the log.
 * Returns null when there was nothing to fold.
 */
export async function compactDocument(
  db: Kysely<Database>,
  documentId: string,
  renderingFor: (doc: Y.Doc) => Rendering | null,
): Promise<CompactionResult | null> {
  const stored = await readStoredState(db, documentId);
  if (stored.tail.length === 0) return null;
  const doc = applyStoredState(stored);
  const replacement = {
    state: Y.encodeStateAsUpdate(doc),
    lastUpdateId: stored.lastUpdateId,
    previousLastUpdateId: stored.snapshotLastUpdateId,
    foldedRows: stored.tail.length,
  };
  await replaceLogWithSnapshot(db, documentId, replacement, renderingFor(doc));
  return { folded: stored.tail.length, lastUpdateId: stored.lastUpdateId, doc };
}
