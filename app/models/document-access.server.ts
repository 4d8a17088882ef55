/**
 * Finding documents by id: one query for many (the Yjs upgrade batches them), an id in capitals
 * finding its document too. What a person may do with one is asked of the policy through
 * `documentResource` (app/models/policy-resources.server.ts).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { isUuid } from "../utils/ids.js";

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
