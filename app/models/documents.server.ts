/**
 * A group's documents: listing them, and the commands that create, rename and archive one.
 * A document is never deleted: archiving keeps it, read-only, for the record. Each command checks
 * the policy and writes its audit entry in the same transaction as the change (runCommand); its
 * input comes already checked by its form's schema (app/documents/schemas.ts).
 * The text itself lives in the Yjs collaboration state (server/collab); this module owns the row.
 */
import type { Kysely, Transaction } from "kysely";
import type { Classification, Database, DocumentKind } from "../../db/database.js";
import { conflict, forbidden, notFound } from "../errors.js";
import { type Actor, can } from "../policy/policy.js";
import { isUuid } from "../utils/ids.js";
import { type AuditEntry, recordAudit } from "./audit.server.js";
import { runCommand } from "./command.server.js";
import { findDocument } from "./document-access.server.js";
import { type DocumentResource, documentResource, groupResource } from "./policy-resources.server.js";

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
export function readOnlyReason(actor: Actor, resource: DocumentResource): string | null {
  if (can(actor, "document.edit", resource)) return null;
  if (lockedForThem(actor, resource)) return LOCKED_MESSAGE;
  return "You can read this document; your role does not include editing";
}

/** Only archiving locks a document; one submitted for approval stays editable (its submitted version is frozen apart). */
const LOCKED_MESSAGE = "Archived documents are kept read-only for the record";

/** Their role could edit it, but it is locked. */
function lockedForThem(actor: Actor, resource: DocumentResource): boolean {
  return resource.locked === true && can(actor, "document.edit", { ...resource, locked: false });
}

/**
 * Refuses unless the actor may edit the document: NOT_FOUND when they may not even read it,
 * DOCUMENT_LOCKED once it is archived, FORBIDDEN (with `forbiddenMessage`) for their role.
 */
export function assertMayEdit(actor: Actor, resource: DocumentResource, forbiddenMessage: string): void {
  if (!can(actor, "document.read", resource)) throw notFound("There is no such document");
  if (can(actor, "document.edit", resource)) return;
  if (lockedForThem(actor, resource)) throw conflict("DOCUMENT_LOCKED", LOCKED_MESSAGE);
  throw forbidden(forbiddenMessage);
}

export interface CreateDocumentInput {
  /** Trimmed, 1 to DOCUMENT_TITLE_MAX characters (createDocumentSchema). */
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
  if (!can(actor, "document.create", groupResource(groupId))) {
    throw forbidden("Your role in this group does not include creating documents");
  }
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto("documents")
      .values({
        group_id: groupId,
        kind: input.kind,
        title: input.title,
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
      details: { kind: input.kind, title: input.title, classification: input.classification },
    });
    return created.id;
  });
}

/** Renames a document (`title` as renameDocumentSchema leaves it). Needs the right to edit it, so an archived document keeps its title. */
export async function renameDocument(
  db: Kysely<Database>,
  actor: Actor,
  documentId: string,
  input: { title: string; ip?: string | null },
): Promise<void> {
  await runCommand(db, {
    lock: (trx) => lockDocument(trx, actor, documentId),
    check: ({ resource }) => assertMayEdit(actor, resource, "Your role in this group does not include editing documents"),
    change: async (trx, { document }) => {
      if (document.title === input.title) return false;
      await trx
        .updateTable("documents")
        .set({ title: input.title, updated_by: actor.id, updated_at: new Date() })
        .where("id", "=", document.id)
        .execute();
      return true;
    },
    audit: ({ document }, renamed) =>
      renamed ? documentAudit(actor, document, "document.renamed", input.ip, { from: document.title, to: input.title }) : [],
  });
}

/** Archives a document: it leaves the working list, stays readable, and is never edited again. */
export async function archiveDocument(
  db: Kysely<Database>,
  actor: Actor,
  documentId: string,
  input: { ip?: string | null } = {},
): Promise<void> {
  await runCommand(db, {
    lock: (trx) => lockDocument(trx, actor, documentId),
    check: ({ resource }) => {
      if (!can(actor, "document.read", resource)) throw notFound("There is no such document");
      // The policy decides; the state that blocks it is named first, so the person sees why.
      if (!can(actor, "document.archive", { ...resource, locked: false, awaitingApproval: false })) {
        throw forbidden("Only the chair or the secretary can archive a document");
      }
      if (resource.locked) throw conflict("ALREADY_ARCHIVED", "This document is already archived");
      if (resource.awaitingApproval) {
        throw conflict("DOCUMENT_LOCKED", "A document submitted for approval cannot be archived until it is decided");
      }
    },
    change: async (trx, { document }) => {
      await trx
        .updateTable("documents")
        .set({ archived_at: new Date(), updated_by: actor.id, updated_at: new Date() })
        .where("id", "=", document.id)
        .execute();
    },
    audit: ({ document }) => documentAudit(actor, document, "document.archived", input.ip, { title: document.title }),
  });
}

/** An audit entry about a document (ids and titles, never its text). */
export function documentAudit(
  actor: Actor,
  document: { id: string; group_id: string },
  action: string,
  ip: string | null | undefined,
  details: Record<string, unknown>,
): AuditEntry {
  return { actorId: actor.id, action, groupId: document.group_id, subjectType: "document", subjectId: document.id, ip: ip ?? null, details };
}

/** The document row, locked for a change in `trx`, and the policy's view of it for this actor. */
async function lockDocument(trx: Transaction<Database>, actor: Actor, documentId: string) {
  const document = isUuid(documentId)
    ? await trx
        .selectFrom("documents")
        .select(["id", "group_id", "kind", "title", "status", "classification", "archived_at"])
        .where("id", "=", documentId)
        .forUpdate()
        .executeTakeFirst()
    : undefined;
  if (!document) throw notFound("There is no such document");
  return { document, resource: await documentResource(trx, actor, document) };
}
