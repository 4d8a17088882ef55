/**
 * Finding a document and describing it to the policy: the one way every transport (loaders,
 * Socket.io events, the Yjs upgrade) asks whether a person may read or edit a document.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/database.js";
import type { Actor, Resource } from "../policy/policy.js";
import { isUuid } from "../utils/ids.js";
import { isOpenToConsultee } from "./consultations.server.js";

export async function findDocument(db: Kysely<Database>, documentId: string) {
  if (!isUuid(documentId)) return undefined;
  return db
    .selectFrom("documents")
    .select(["id", "group_id", "kind", "title", "status", "classification", "archived_at", "updated_at"])
    .where("id", "=", documentId)
    .executeTakeFirst();
}

export type FoundDocument = NonNullable<Awaited<ReturnType<typeof findDocument>>>;

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
