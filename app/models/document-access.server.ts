/**
 * Finding a document and describing it to the policy: the one way every transport (loaders,
 * Socket.io events, the Yjs upgrade) asks whether a person may read or edit a document.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/database.js";
import type { Actor, Resource } from "../policy/policy.js";
import { isUuid } from "../utils/ids.js";
import { isOpenToConsultee } from "./consultations.server.js";

/**
 * The documents among `documentIds` that exist, in one query, keyed by the id as it was asked for
 * (a UUID in capitals finds its document too); an id that is not a UUID finds nothing.
 */
export async function findDocuments(db: Kysely<Database>, documentIds: readonly string[]) {
  const ids = [...new Set(documentIds.filter(isUuid).map((id) => id.toLowerCase()))];
  const rows =
    ids.length === 0
      ? []
      : await db
          .selectFrom("documents")
          .select(["id", "group_id", "kind", "title", "status", "classification", "archived_at", "updated_at"])
          .where("id", "in", ids)
          .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  const found = new Map<string, (typeof rows)[number]>();
  for (const asked of documentIds) {
    const row = isUuid(asked) ? byId.get(asked.toLowerCase()) : undefined;
    if (row) found.set(asked, row);
  }
  return found;
}

export type FoundDocument = Awaited<ReturnType<typeof findDocuments>> extends Map<string, infer D> ? D : never;

export async function findDocument(db: Kysely<Database>, documentId: string): Promise<FoundDocument | undefined> {
  return (await findDocuments(db, [documentId])).get(documentId);
}

/**
 * The policy resource for a document as this actor sees it. `now` decides whether a consultation
 * is still open (comments end at its closing instant); tests pass their own.
 */
export async function documentResource(
  db: Kysely<Database> | Transaction<Database>,
  actor: Actor,
  document: Pick<FoundDocument, "id" | "group_id" | "archived_at">,
  now: Date = new Date(),
): Promise<Extract<Resource, { type: "document" }>> {
  // Only a consultee's rights depend on a consultation: skip the query for everyone else.
  const consultee = actor.rolesByGroup.get(document.group_id) === "consultee";
  return {
    type: "document",
    groupId: document.group_id,
    // Archived: kept for the record, never edited again. A document submitted for approval stays
    // editable: the submission froze an immutable version, so the working draft can move on.
    locked: document.archived_at !== null,
    // Invited to a consultation on this document that has not closed (app/models/consultations.server.ts).
    openToActorForConsultation: consultee && (await isOpenToConsultee(db, actor.id, document.id, now)),
  };
}
