/**
 * Where a collaborative document's Yjs state lives in the database: one snapshot
 * (document_snapshots) plus the update log after it (document_updates), appended in batches and
 * folded into the snapshot by compaction. Also writes the document's HTML and text renderings.
 *
 * Every function takes `db | trx` first. The log is written by one process per document (the
 * endpoint serialises each document's appends and compactions), which is what makes "delete the
 * rows up to the id folded into the snapshot" safe.
 */
import type { Kysely } from "kysely";
import * as Y from "yjs";
import { renderHtml, renderText } from "../../app/documents/content.js";
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

/** Reads one snapshot and the log after it, consistently (one repeatable-read transaction). */
export async function readStoredState(db: Kysely<Database>, documentId: string): Promise<StoredState> {
  return db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (trx) => {
      const snapshot = await trx
        .selectFrom("document_snapshots")
        .select(["state", "last_update_id"])
        .where("document_id", "=", documentId)
        .executeTakeFirst();
      const after = snapshot?.last_update_id ?? 0;
      const rows = await trx
        .selectFrom("document_updates")
        .select(["id", "update"])
        .where("document_id", "=", documentId)
        .where("id", ">", after)
        .orderBy("id")
        .execute();
      return {
        snapshot: snapshot ? toBytes(snapshot.state) : null,
        snapshotLastUpdateId: snapshot?.last_update_id ?? null,
        tail: rows.map((row) => ({ id: row.id, update: toBytes(row.update) })),
        lastUpdateId: rows.at(-1)?.id ?? after,
      };
    });
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

/** Appends one batch (already merged into one update) to the log; returns its id. */
export async function appendUpdate(
  db: Kysely<Database>,
  documentId: string,
  update: Uint8Array,
  rendering: Rendering | null,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("document_updates")
      .values({ document_id: documentId, update })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (rendering) await saveRendering(trx, documentId, rendering);
    return row.id;
  });
}

export async function saveRendering(db: Kysely<Database>, documentId: string, rendering: Rendering): Promise<void> {
  await db
    .updateTable("documents")
    .set({
      content_html: rendering.html,
      content_text: rendering.text,
      updated_at: new Date(),
      ...(rendering.editorId ? { updated_by: rendering.editorId } : {}),
    })
    .where("id", "=", documentId)
    .execute();
}

export interface CompactionResult {
  /** Log rows folded into the snapshot and deleted. */
  folded: number;
  lastUpdateId: number;
  /** The compacted document (the committed state), for rendering. */
  doc: Y.Doc;
}

/**
 * Folds the log into the snapshot: reads the snapshot and every row after it, encodes their
 * merged state, then in one transaction upserts the snapshot (only if nobody moved it meanwhile)
 * and deletes exactly the rows folded in (id <= the last one read; the transaction rolls back if
 * that is not exactly the rows read). Rows appended while this runs have higher ids and stay in
 * the log. Returns null when there was nothing to fold.
 */
export async function compactDocument(
  db: Kysely<Database>,
  documentId: string,
  renderingFor: (doc: Y.Doc) => Rendering | null,
): Promise<CompactionResult | null> {
  const stored = await readStoredState(db, documentId);
  if (stored.tail.length === 0) return null;
  const doc = applyStoredState(stored);
  const state = Y.encodeStateAsUpdate(doc);
  const rendering = renderingFor(doc);
  await db.transaction().execute(async (trx) => {
    const result = await trx
      .insertInto("document_snapshots")
      .values({ document_id: documentId, state, last_update_id: stored.lastUpdateId, updated_at: new Date() })
      .onConflict((conflict) =>
        conflict
          .column("document_id")
          .doUpdateSet({ state, last_update_id: stored.lastUpdateId, updated_at: new Date() })
          .where("document_snapshots.last_update_id", "=", stored.snapshotLastUpdateId ?? -1),
      )
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) !== 1) {
      throw new Error("the snapshot moved while compacting; nothing was changed");
    }
    const deleted = await trx
      .deleteFrom("document_updates")
      .where("document_id", "=", documentId)
      .where("id", "<=", stored.lastUpdateId)
      .executeTakeFirst();
    // A row that committed late with a lower id would be deleted without being folded: refuse.
    if (Number(deleted.numDeletedRows) !== stored.tail.length) {
      throw new Error("the update log changed under compaction; nothing was changed");
    }
    if (rendering) await saveRendering(trx, documentId, rendering);
  });
  return { folded: stored.tail.length, lastUpdateId: stored.lastUpdateId, doc };
}
