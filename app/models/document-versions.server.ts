/**
 * Named versions of a document: saving one, listing them, and restoring one (comparing two is
 * app/documents/word-diff.ts).
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
import { COLLAB_FIELD, contentHash, renderText } from "../documents/content.js";
import { renderHtml } from "../documents/render-html.server.js";
import { notFound } from "../errors.js";
import type { Actor } from "../policy/policy.js";
import { recordAudit } from "./audit.server.js";
import { findDocument } from "./document-access.server.js";
import { assertMayEdit } from "./documents.server.js";
import { documentResource } from "./policy-resources.server.js";

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
  if (!document) throw notFound("There is no such document");
  assertMayEdit(actor, await documentResource(db, actor, document), "Your role in this group does not include editing this document");
  return document;
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

/** Saves the document's current content as a named version (`name` as saveVersionSchema leaves it); returns its number. */
export async function saveVersion(
  db: Kysely<Database>,
  collaboration: DocumentStateService,
  actor: Actor,
  documentId: string,
  input: { name: string; ip?: string | null },
): Promise<{ id: string; number: number; name: string }> {
  const document = await requireEditable(db, actor, documentId);
  const content = await captureCurrentContent(collaboration, document.id);
  return db
    .transaction()
    .execute((trx) => insertVersion(trx, actor, document, { name: input.name, reason: "manual", content, ip: input.ip ?? null }));
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
  if (!version) throw notFound(`There is no version ${number} of this document`);
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

/** How each reason for a version reads in the history. */
export const versionReasonLabels: Record<VersionReason, string> = {
  manual: "Saved by hand",
  submission: "Submitted for approval",
  restore: "Saved automatically before a restore",
};
