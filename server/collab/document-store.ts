/**
 * Where a collaborative document's Yjs state lives in the database: one snapshot
 * (document_snapshots) plus the update log after it (document_updates), appended in batches and
 * folded into the snapshot by compaction. Also writes the document's HTML and text renderings.
 *
 * Every function takes `db | trx` first. Several processes may append to one document's log at
 * once (docs/decisions/015): compaction takes the document's advisory lock, folds exactly the rows
 * it read and deletes exactly those, so a row another process commits meanwhile, whatever its id,
 * stays in the log; and a load reads every row still in the log, not only those after the
 * snapshot's last id. Reads and appends are one statement each: one round trip, and atomic
 * without a transaction.
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
  /** The log rows not yet folded into the snapshot, oldest first. */
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
            where u.document_id in (${sql.join(ids)})
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
    lastUpdateId: Math.max(after, tail.at(-1)?.id ?? 0),
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
  /** The highest id among them (the snapshot's last_update_id). */
  lastUpdateId: number;
  /** The compacted document (the stored state), for rendering. */
  doc: Y.Doc;
}

/** The advisory lock that makes one compaction of a document run at a time, across processes. */
function compactionLock(documentId: string) {
  return sql`select pg_advisory_xact_lock(hashtextextended(${`compact:${documentId}`}, 0))`;
}

/**
 * Folds the log into the snapshot, from the database alone, under the document's advisory lock:
 * reads the snapshot and every row in the log, writes their merged state as the snapshot and
 * deletes exactly the rows it read. A row appended meanwhile by any process is not among them and
 * stays in the log; two compactions of one document wait for each other. Returns null when there
 * was nothing to fold.
 */
export async function compactDocument(
  db: Kysely<Database>,
  documentId: string,
  renderingFor: (doc: Y.Doc) => Rendering | null = () => null,
): Promise<CompactionResult | null> {
  return db.transaction().execute(async (trx) => {
    await compactionLock(documentId).execute(trx);
    const stored = await readStoredState(trx, documentId);
    if (stored.tail.length === 0) return null;
    const doc = applyStoredState(stored);
    const state = Y.encodeStateAsUpdate(doc);
    const lastUpdateId = stored.lastUpdateId;
    await trx
      .insertInto("document_snapshots")
      .values({ document_id: documentId, state, last_update_id: lastUpdateId, updated_at: new Date() })
      .onConflict((conflict) => conflict.column("document_id").doUpdateSet({ state, last_update_id: lastUpdateId, updated_at: new Date() }))
      .execute();
    await trx
      .deleteFrom("document_updates")
      .where("document_id", "=", documentId)
      .where(
        "id",
        "in",
        stored.tail.map((row) => row.id),
      )
      .execute();
    const rendering = renderingFor(doc);
    if (rendering) await saveRendering(trx, documentId, rendering);
    return { folded: stored.tail.length, lastUpdateId, doc };
  });
}
