/**
 * A group's documents: listing them, and the commands that create, rename and archive one.
 * A document is never deleted: archiving keeps it, read-only, for the record. Each command checks
 * the policy and writes its audit entry in the same transaction as the change.
 * The text itself lives in the Yjs collaboration state (server/collab); this module owns the row.
 */
import { type AppLoadContext, redirect } from "@remix-run/node";
import type { Kysely, Transaction } from "kysely";
import type { Classification, Database, DocumentKind } from "../../db/database.js";
import { requireActor } from "../auth/require.server.js";
import { DOCUMENT_TITLE_MAX } from "../components/editor/document-limits.js";
import { type Actor, assertCan, can } from "../policy/policy.js";
import { isUuid } from "../utils/ids.js";
import { recordAudit } from "./audit.server.js";
import { closedConsultationForConsultee } from "./consultations.server.js";
import { documentResource, findDocument } from "./document-access.server.js";

type Db = Kysely<Database> | Transaction<Database>;

export type DocumentErrorCode = "NOT_FOUND" | "FORBIDDEN" | "DOCUMENT_LOCKED" | "ALREADY_ARCHIVED" | "INVALID_INPUT";

/** A refusal from a document command, with a stable code the UI turns into a message. */
export class DocumentError extends Error {
  constructor(
    readonly code: DocumentErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "DocumentError";
  }
}

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

/**
 * For the document's pages: the signed-in person, and the document if they may read it. Someone
 * who may not read it gets a 404, as if it did not exist (docs/ARCHITECTURE.md, request flow 7).
 */
export async function requireReadableDocument(
  request: Request,
  context: AppLoadContext,
  params: { groupId?: string; documentId?: string },
) {
  const { user, actor } = await requireActor(request, context);
  const db = context.services.db;
  const document = await findDocumentDetails(db, params.documentId ?? "");
  if (!document || document.group_id !== params.groupId) throw new Response("Not found", { status: 404 });
  const resource = await documentResource(db, actor, document);
  if (!can(actor, "document.read", resource)) {
    // A consultee following a link after their consultation closed learns that, not "not found".
    if (actor.rolesByGroup.get(document.group_id) === "consultee" && (await closedConsultationForConsultee(db, actor.id, document.id))) {
      throw redirect(`/groups/${document.group_id}/documents/${document.id}/consultation/closed`);
    }
    throw new Response("Not found", { status: 404 });
  }
  const group = await db
    .selectFrom("groups")
    .select(["id", "name"])
    .where("id", "=", document.group_id)
    .executeTakeFirstOrThrow();
  return { user, actor, document, resource, group };
}

/**
 * A document's history (versions, comparisons, approvals, the approved text and their exports):
 * for the group's readers, not consultees, who see only the text opened to them.
 */
export async function requireDocumentHistory(
  request: Request,
  context: AppLoadContext,
  params: { groupId?: string; documentId?: string },
) {
  const found = await requireReadableDocument(request, context, params);
  assertCan(found.actor, "document.history", found.resource);
  return found;
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
    throw new DocumentError("FORBIDDEN", "Your role in this group does not include creating documents");
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
    if (!can(actor, "document.read", resource)) throw new DocumentError("NOT_FOUND", "There is no such document");
    if (!can(actor, "document.edit", resource)) {
      if (resource.locked && can(actor, "document.edit", { ...resource, locked: false })) {
        throw new DocumentError("DOCUMENT_LOCKED", lockedMessage(document));
      }
      throw new DocumentError("FORBIDDEN", "Your role in this group does not include editing documents");
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
    if (!can(actor, "document.read", resource)) throw new DocumentError("NOT_FOUND", "There is no such document");
    if (!can(actor, "document.archive", resource)) {
      throw new DocumentError("FORBIDDEN", "Only the chair or the secretary can archive a document");
    }
    if (document.archived_at !== null) throw new DocumentError("ALREADY_ARCHIVED", "This document is already archived");
    if (document.status === "submitted") {
      throw new DocumentError("DOCUMENT_LOCKED", "A document submitted for approval cannot be archived until it is decided");
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
  if (title.length === 0) throw new DocumentError("INVALID_INPUT", "Enter a title");
  if (title.length > DOCUMENT_TITLE_MAX) {
    throw new DocumentError("INVALID_INPUT", `Keep the title to ${DOCUMENT_TITLE_MAX} characters or fewer`);
  }
  return title;
}

async function lockDocument(trx: Transaction<Database>, documentId: string) {
  if (!isUuid(documentId)) {
    throw new DocumentError("NOT_FOUND", "There is no such document");
  }
  const document = await trx
    .selectFrom("documents")
    .select(["id", "group_id", "kind", "title", "status", "classification", "archived_at"])
    .where("id", "=", documentId)
    .forUpdate()
    .executeTakeFirst();
  if (!document) throw new DocumentError("NOT_FOUND", "There is no such document");
  return document;
}
