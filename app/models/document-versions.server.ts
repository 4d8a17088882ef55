/**
 * Named versions of a document: saving one, listing them, comparing two, and restoring one.
 * A version is an immutable copy of the Yjs state with its HTML, text and text hash (the database
 * refuses UPDATE and DELETE). Restoring never rewrites history: it applies a new change that turns
 * the current text into the version's, after saving the current text as a version of its own.
 *
 * The live state comes from the collaboration service (server/collab), which holds the documents
 * being edited in memory; `flush` first commits any batch still waiting, so a version includes
 * everything typed up to the moment it is saved.
 */
import type { Kysely, Transaction } from "kysely";
import * as Y from "yjs";
import type { Database, VersionReason } from "../../db/database.js";
import { VERSION_NAME_MAX } from "../documents/limits.js";
import { renderHtml } from "../documents/render-html.server.js";
import { COLLAB_FIELD, contentHash, renderText } from "../documents/content.js";
import { type Actor, can } from "../policy/policy.js";
import { recordAudit } from "./audit.server.js";
import { findDocument } from "./document-access.server.js";
import { documentResource } from "./policy-resources.server.js";
import { lockedMessage } from "./documents.server.js";
import { AppError } from "../errors.js";

type Db = Kysely<Database> | Transaction<Database>;

/** What this module needs from the collaboration service (`context.services.collaboration`). */
export interface DocumentStateService {
  /** Commits every update still waiting in the document's batch. */
  flush(documentId: string): Promise<void>;
  /** The document's whole current state as one Yjs update. */
  encodeState(documentId: string): Promise<Uint8Array>;
  /** Applies an update as a change to the live document: stored and sent to everyone connected. */
  applyUpdate(documentId: string, update: Uint8Array): Promise<void>;
}

/** The document's content right now, rendered. */
export interface CapturedContent {
  state: Uint8Array;
  html: string;
  text: string;
  hash: string;
}

/** Commits anything waiting and renders the live state. */
export async function captureCurrentContent(
  collaboration: Pick<DocumentStateService, "flush" | "encodeState">,
  documentId: string,
): Promise<CapturedContent> {
  await collaboration.flush(documentId);
  const state = await collaboration.encodeState(documentId);
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    const text = renderText(doc);
    return { state, html: renderHtml(doc), text, hash: contentHash(text) };
  } finally {
    doc.destroy();
  }
}

export async function listVersions(db: Db, documentId: string) {
  return db
    .selectFrom("document_versions")
    .leftJoin("users", "users.id", "document_versions.created_by")
    .select([
      "document_versions.id",
      "document_versions.number",
      "document_versions.name",
      "document_versions.reason",
      "document_versions.content_hash",
      "document_versions.created_at",
      "users.display_name as created_by_name",
    ])
    .where("document_versions.document_id", "=", documentId)
    .orderBy("document_versions.number", "desc")
    .execute();
}

export async function findVersion(db: Db, documentId: string, number: number) {
  if (!Number.isSafeInteger(number) || number < 1) return undefined;
  return db
    .selectFrom("document_versions")
    .leftJoin("users", "users.id", "document_versions.created_by")
    .select([
      "document_versions.id",
      "document_versions.document_id",
      "document_versions.number",
      "document_versions.name",
      "document_versions.reason",
      "document_versions.state",
      "document_versions.content_html",
      "document_versions.content_text",
      "document_versions.content_hash",
      "document_versions.created_at",
      "users.display_name as created_by_name",
    ])
    .where("document_versions.document_id", "=", documentId)
    .where("document_versions.number", "=", number)
    .executeTakeFirst();
}

/** The document, if the actor may edit it; otherwise the refusal they should see. */
async function requireEditable(db: Kysely<Database>, actor: Actor, documentId: string) {
  const document = await findDocument(db, documentId);
  if (!document) throw new AppError("NOT_FOUND", "There is no such document");
  const resource = await documentResource(db, actor, document);
  if (!can(actor, "document.read", resource)) throw new AppError("NOT_FOUND", "There is no such document");
  if (!can(actor, "document.edit", resource)) {
    if (resource.locked && can(actor, "document.edit", { ...resource, locked: false })) {
      throw new AppError("DOCUMENT_LOCKED", lockedMessage(document));
    }
    throw new AppError("FORBIDDEN", "Your role in this group does not include editing this document");
  }
  return document;
}

function requireVersionName(value: string): string {
  const name = value.trim();
  if (name.length === 0) throw new AppError("INVALID_INPUT", "Enter a name for the version");
  if (name.length > VERSION_NAME_MAX) {
    throw new AppError("INVALID_INPUT", `Keep the name to ${VERSION_NAME_MAX} characters or fewer`);
  }
  return name;
}

/**
 * Inserts a version with the next number for its document, and its audit entry, in `trx`.
 * The one way a version is written (saving by hand, before a restore, at submission for approval).
 */
export async function insertVersion(
  trx: Transaction<Database>,
  actor: Actor,
  document: { id: string; group_id: string },
  input: { name: string; reason: VersionReason; content: CapturedContent; ip: string | null },
) {
  // Lock the document row so two saves at once cannot take the same number.
  await trx.selectFrom("documents").select("id").where("id", "=", document.id).forUpdate().executeTakeFirstOrThrow();
  const last = await trx
    .selectFrom("document_versions")
    .select((eb) => eb.fn.max("number").as("number"))
    .where("document_id", "=", document.id)
    .executeTakeFirst();
  const number = Number(last?.number ?? 0) + 1;
  const created = await trx
    .insertInto("document_versions")
    .values({
      document_id: document.id,
      number,
      name: input.name,
      reason: input.reason,
      state: input.content.state,
      content_html: input.content.html,
      content_text: input.content.text,
      content_hash: input.content.hash,
      created_by: actor.id,
    })
    .returning(["id", "number", "name"])
    .executeTakeFirstOrThrow();
  await recordAudit(trx, {
    actorId: actor.id,
    action: "document.version_saved",
    groupId: document.group_id,
    subjectType: "document",
    subjectId: document.id,
    ip: input.ip,
    details: { versionId: created.id, number, name: input.name, reason: input.reason, contentHash: input.content.hash },
  });
  return created;
}

/** Saves the document's current content as a named version; returns its number. */
export async function saveVersion(
  db: Kysely<Database>,
  collaboration: DocumentStateService,
  actor: Actor,
  documentId: string,
  input: { name: string; ip?: string | null },
): Promise<{ id: string; number: number; name: string }> {
  const name = requireVersionName(input.name);
  const document = await requireEditable(db, actor, documentId);
  const content = await captureCurrentContent(collaboration, document.id);
  return db
    .transaction()
    .execute((trx) => insertVersion(trx, actor, document, { name, reason: "manual", content, ip: input.ip ?? null }));
}

/**
 * The update that turns `currentState` into `versionState`: the current top-level content is
 * deleted and a copy of the version's inserted, as one new change on top of the current history.
 */
export function restoreUpdate(currentState: Uint8Array, versionState: Uint8Array): Uint8Array {
  const doc = new Y.Doc();
  const versionDoc = new Y.Doc();
  try {
    Y.applyUpdate(doc, currentState);
    Y.applyUpdate(versionDoc, versionState);
    const before = Y.encodeStateVector(doc);
    const target = doc.getXmlFragment(COLLAB_FIELD);
    const source = versionDoc.getXmlFragment(COLLAB_FIELD);
    doc.transact(() => {
      if (target.length > 0) target.delete(0, target.length);
      target.insert(
        0,
        source.toArray().map((node) => node.clone() as Y.XmlElement | Y.XmlText),
      );
    });
    return Y.encodeStateAsUpdate(doc, before);
  } finally {
    doc.destroy();
    versionDoc.destroy();
  }
}

/**
 * Restores version `number`: saves the current text as "Before restoring version N" (reason
 * "restore"), then applies a change that makes the live document read as the version did.
 * Returns the number of the version saved first.
 */
export async function restoreVersion(
  db: Kysely<Database>,
  collaboration: DocumentStateService,
  actor: Actor,
  documentId: string,
  number: number,
  input: { ip?: string | null } = {},
): Promise<{ savedVersionNumber: number }> {
  const document = await requireEditable(db, actor, documentId);
  const version = await findVersion(db, document.id, number);
  if (!version) throw new AppError("NOT_FOUND", `There is no version ${number} of this document`);
  const ip = input.ip ?? null;

  const current = await captureCurrentContent(collaboration, document.id);
  const saved = await db.transaction().execute((trx) =>
    insertVersion(trx, actor, document, {
      name: `Before restoring version ${version.number}`,
      reason: "restore",
      content: current,
      ip,
    }),
  );

  // The collaboration service stores the change in its own transaction and sends it to everyone
  // editing; the audit entry follows once it is committed, so it never records a restore that failed.
  await collaboration.applyUpdate(document.id, restoreUpdate(current.state, new Uint8Array(version.state)));
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("documents")
      .set({ updated_by: actor.id, updated_at: new Date() })
      .where("id", "=", document.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "document.version_restored",
      groupId: document.group_id,
      subjectType: "document",
      subjectId: document.id,
      ip,
      details: {
        versionId: version.id,
        number: version.number,
        name: version.name,
        savedBeforeRestoreNumber: saved.number,
        contentHash: version.content_hash,
      },
    });
  });
  return { savedVersionNumber: saved.number };
}

// ---------------------------------------------------------------------------------------------
// Comparing two texts

export type DiffPart = { kind: "equal" | "insert" | "delete"; text: string };

/** Above this many differing tokens a word diff is too costly; we compare whole lines instead. */
const MAX_EDIT_DISTANCE = 2_000;

/**
 * A word-level comparison of two plain texts: runs of unchanged, inserted and deleted text, in
 * reading order, whitespace included. Falls back to whole lines for very different texts.
 */
export function diffWords(before: string, after: string): DiffPart[] {
  // Words (letters and digits, with inner hyphens and apostrophes), runs of spaces, and each
  // punctuation mark on its own, so "2027." → "2027," changes only the full stop.
  const tokenise = (text: string) => text.match(/\s+|[\p{L}\p{M}\p{N}]+(?:['’-][\p{L}\p{M}\p{N}]+)*|[^\s]/gu) ?? [];
  const words = diffTokens(tokenise(before), tokenise(after), MAX_EDIT_DISTANCE);
  if (words) return words;
  const lines = (text: string) => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return (
    diffTokens(lines(before), lines(after), MAX_EDIT_DISTANCE) ??
    merge([
      { kind: "delete", text: before },
      { kind: "insert", text: after },
    ])
  );
}

/** How many words a comparison adds and removes. */
export function diffSummary(parts: DiffPart[]): { inserted: number; deleted: number } {
  const count = (text: string) => (text.match(/[\p{L}\p{M}\p{N}]+(?:['’-][\p{L}\p{M}\p{N}]+)*/gu) ?? []).length;
  let inserted = 0;
  let deleted = 0;
  for (const part of parts) {
    if (part.kind === "insert") inserted += count(part.text);
    if (part.kind === "delete") deleted += count(part.text);
  }
  return { inserted, deleted };
}

function diffTokens(a: string[], b: string[], maxDistance: number): DiffPart[] | null {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const middle = shortestEdit(a.slice(start, endA), b.slice(start, endB), maxDistance);
  if (!middle) return null;
  return merge([
    { kind: "equal", text: a.slice(0, start).join("") },
    ...middle,
    { kind: "equal", text: a.slice(endA).join("") },
  ]);
}

/**
 * Myers' O((N+M)D) shortest edit script (E. Myers, "An O(ND) Difference Algorithm and Its
 * Variations", 1986), keeping for backtracking only the diagonals each step can reach.
 * Returns null when the texts differ by more than `maxDistance` tokens.
 */
function shortestEdit(a: string[], b: string[], maxDistance: number): DiffPart[] | null {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((text) => ({ kind: "insert", text }));
  if (m === 0) return a.map((text) => ({ kind: "delete", text }));
  const limit = Math.min(n + m, maxDistance);
  const offset = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  // trace[d] holds v (diagonals -d-1 … d+1) as it was before step d.
  const trace: Int32Array[] = [];
  for (let d = 0; d <= limit; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b);
    }
  }
  return null;
}

function backtrack(trace: Int32Array[], a: string[], b: string[]): DiffPart[] {
  const parts: DiffPart[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d]!;
    const at = (k: number) => v[k + d + 1]!;
    const k = x - y;
    const previousK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const previousX = d === 0 ? 0 : at(previousK);
    const previousY = d === 0 ? 0 : previousX - previousK;
    while (x > previousX && y > previousY) {
      parts.push({ kind: "equal", text: a[x - 1]! });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === previousX) parts.push({ kind: "insert", text: b[y - 1]! });
      else parts.push({ kind: "delete", text: a[x - 1]! });
    }
    x = previousX;
    y = previousY;
  }
  return parts.reverse();
}

/**
 * Tidies a comparison for reading: each run of changes between unchanged text becomes one
 * deletion followed by one insertion, and a lone space between two changes joins the change
 * ("a b c" → "x y z" reads as one replacement, not three). Empty parts are dropped.
 */
function merge(parts: DiffPart[]): DiffPart[] {
  const merged: DiffPart[] = [];
  let deleted = "";
  let inserted = "";
  const flush = () => {
    if (deleted) merged.push({ kind: "delete", text: deleted });
    if (inserted) merged.push({ kind: "insert", text: inserted });
    deleted = "";
    inserted = "";
  };
  parts.forEach((part, index) => {
    if (part.text.length === 0) return;
    if (part.kind === "delete") deleted += part.text;
    else if (part.kind === "insert") inserted += part.text;
    else if ((deleted || inserted) && /^[^\S\n]+$/.test(part.text) && parts.slice(index + 1).find((next) => next.text)?.kind !== "equal") {
      deleted += part.text;
      inserted += part.text;
    } else {
      flush();
      const last = merged.at(-1);
      if (last?.kind === "equal") last.text += part.text;
      else merged.push({ ...part });
    }
  });
  flush();
  return merged;
}

/** How each reason for a version reads in the history. */
export const versionReasonLabels: Record<VersionReason, string> = {
  manual: "Saved by hand",
  submission: "Submitted for approval",
  restore: "Saved automatically before a restore",
};
