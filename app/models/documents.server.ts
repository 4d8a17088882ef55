/**
 * A group's documents: listing them, and the commands that create, rename and archive one.
 * A document is never deleted: archiving keeps it, read-only, for the record. Each command checks
 * the policy and writes its audit entry in the same transaction as the change.
 * The text itself lives in the Yjs collaboration state (server/collab); this module owns the row.
 */
import type { Kysely, Transaction } from "kysely";
import type { Classification, Database, DocumentKind } from "../../db/database.js";
import { DOCUMENT_TITLE_MAX } from "../documents/limits.js";
import { type Actor, can } from "../policy/policy.js";
import { isUuid } from "../utils/ids.js";
import { recordAudit } from "./audit.server.js";
import { findDocument } from "./document-access.server.js";
import { documentResource } from "./policy-resources.server.js";
import { AppError } from "../errors.js";

type Db = Kysely<Database> | Transaction<Database>;

/** One row of a group's document list. */
export async function listDocuments(db: Db, groupId: string, options: { archived: boolean }) {
  let query = db
    .selectFrom("documents")
    .leftJoin("users", "users.id", "documents.updated_by")
    .select([
      "documents.id",
      "documents.kind",
      "documents.title",
      "documents.status",
      "documents.classification",
      "documents.updated_at",
      "documents.archived_at",
      "users.display_name as updated_by_name",
    ])
    .where("documents.group_id", "=", groupId);
  query = options.archived
    ? query.where("documents.archived_at", "is not", null).orderBy("documents.archived_at", "desc")
    : query.where("documents.archived_at", "is", null).orderBy("documents.updated_at", "desc");
  return query.orderBy("documents.title").execute();
}

/** The group's current documents by title: what an agenda item's papers are chosen from. */
export async function listDocumentTitles(db: Db, groupId: string) {
  return db.selectFrom("documents").select(["id", "title"]).where("group_id", "=", groupId).where("archived_at", "is", null).orderBy("title").execute();
}

/** A document with who created and last edited it, for its page. */
export async function findDocumentDetails(db: Kysely<Database>, documentId: string) {
  const document = await findDocument(db, documentId);
  if (!document) return undefined;
  const people = await db
    .selectFrom("documents")
    .leftJoin("users as creator", "creator.id", "documents.created_by")
    .leftJoin("users as editor", "editor.id", "documents.updated_by")
    .select([
      "documents.created_at",
      "documents.content_html",
      "creator.display_name as created_by_name",
      "editor.display_name as updated_by_name",
    ])
    .where("documents.id", "=", document.id)
    .executeTakeFirstOrThrow();
  return { ...document, ...people };
}

/** The group a document belongs to, for its pages' headings. */
export async function findDocumentGroup(db: Kysely<Database>, groupId: string) {
  return db.selectFrom("groups").select(["id", "name"]).where("id", "=", groupId).executeTakeFirstOrThrow();
}

/** Why this person cannot edit the document, or null when they can. */
export function readOnlyReason(
  actor: Actor,
  document: { status: string; archived_at: Date | null },
  resource: Awaited<ReturnType<typeof documentResource>>,
): string | null {
  if (can(actor, "document.edit", resource)) return null;
  if (resource.locked && can(actor, "document.edit", { ...resource, locked: false })) return lockedMessage(document);
  return "You can read this document; your role does not include editing";
}

export interface CreateDocumentInput {
  title: string;
  kind: DocumentKind;
  classification: Classification;
  ip?: string | null;
}

/** Creates an empty document in a group; returns its id. */
export async function createDocument(
  db: Kysely<Database>,
  actor: Actor,
  groupId: string,
  input: CreateDocumentInput,
): Promise<string> {
  const title = requireTitle(input.title);
  if (!can(actor, "document.create", { type: "document", groupId })) {
    throw new AppError("FORBIDDEN", "Your role in this group does not include creating documents");
  }
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto("documents")
      .values({
        group_id: groupId,
        kind: input.kind,
        title,
        classification: input.classification,
        created_by: actor.id,
        updated_by: actor.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "document.created",
      groupId,
      subjectType: "document",
      subjectId: created.id,
      ip: input.ip ?? null,
      details: { kind: input.kind, title, classification: input.classification },
    });
    return created.id;
  });
}

/** Renames a document. Needs the right to edit it, so a locked or archived document keeps its title. */
export async function renameDocument(
  db: Kysely<Database>,
  actor: Actor,
  documentId: string,
  input: { title: string; ip?: string | null },
): Promise<void> {
  const title = requireTitle(input.title);
  await db.transaction().execute(async (trx) => {
    const document = await lockDocument(trx, documentId);
    const resource = await documentResource(trx, actor, document);
    if (!can(actor, "document.read", resource)) throw new AppError("NOT_FOUND", "There is no such document");
    if (!can(actor, "document.edit", resource)) {
      if (resource.locked && can(actor, "document.edit", { ...resource, locked: false })) {
        throw new AppError("DOCUMENT_LOCKED", lockedMessage(document));
      }
      throw new AppError("FORBIDDEN", "Your role in this group does not include editing documents");
    }
    if (document.title === title) return;
    await trx
      .updateTable("documents")
      .set({ title, updated_by: actor.id, updated_at: new Date() })
      .where("id", "=", document.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "document.renamed",
      groupId: document.group_id,
      subjectType: "document",
      subjectId: document.id,
      ip: input.ip ?? null,
      details: { from: document.title, to: title },
    });
  });
}

/** Archives a document: it leaves the working list, stays readable, and is never edited again. */
export async function archiveDocument(
  db: Kysely<Database>,
  actor: Actor,
  documentId: string,
  input: { ip?: string | null } = {},
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const document = await lockDocument(trx, documentId);
    const resource = await documentResource(trx, actor, document);
    if (!can(actor, "document.read", resource)) throw new AppError("NOT_FOUND", "There is no such document");
    // The policy decides; the state that blocks it is named first, so the person sees why.
    if (!can(actor, "document.archive", { ...resource, locked: false, awaitingApproval: false })) {
      throw new AppError("FORBIDDEN", "Only the chair or the secretary can archive a document");
    }
    if (resource.locked) throw new AppError("ALREADY_ARCHIVED", "This document is already archived");
    if (resource.awaitingApproval) {
      throw new AppError("DOCUMENT_LOCKED", "A document submitted for approval cannot be archived until it is decided");
    }
    await trx
      .updateTable("documents")
      .set({ archived_at: new Date(), updated_by: actor.id, updated_at: new Date() })
      .where("id", "=", document.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "document.archived",
      groupId: document.group_id,
      subjectType: "document",
      subjectId: document.id,
      ip: input.ip ?? null,
      details: { title: document.title },
    });
  });
}

/** Why a document cannot be edited by someone whose role otherwise could. */
export function lockedMessage(_document: { status: string; archived_at: Date | null }): string {
  // Only archiving locks a document; one submitted for approval stays editable (its submitted
  // version is frozen separately).
  return "Archived documents are kept read-only for the record";
}

function requireTitle(value: string): string {
  const title = value.trim();
  if (title.length === 0) throw new AppError("INVALID_INPUT", "Enter a title");
  if (title.length > DOCUMENT_TITLE_MAX) {
    throw new AppError("INVALID_INPUT", `Keep the title to ${DOCUMENT_TITLE_MAX} characters or fewer`);
  }
  return title;
}

async function lockDocument(trx: Transaction<Database>, documentId: string) {
  if (!isUuid(documentId)) {
    throw new AppError("NOT_FOUND", "There is no such document");
  }
  const document = await trx
    .selectFrom("documents")
    .select(["id", "group_id", "kind", "title", "status", "classification", "archived_at"])
    .where("id", "=", documentId)
    .forUpdate()
    .executeTakeFirst();
  if (!document) throw new AppError("NOT_FOUND", "There is no such document");
  return document;
}
