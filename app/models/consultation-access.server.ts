/**
 * Whether a document is open to a consultee right now: the one fact about consultations the
 * policy needs (through `documentResource`, app/models/policy-resources.server.ts). Read and comment
 * rights for consultees follow from `can()` and end at the closing instant with no job to run.
 */
import type { ExpressionBuilder, Kysely, Transaction } from "kysely";
import type { Database } from "../../db/database.js";

type Db = Kysely<Database> | Transaction<Database>;

/** Open at `now`: not closed early and the closing instant is still ahead. */
export function openAt(now: Date) {
  return (eb: ExpressionBuilder<Database, "consultations">) =>
    eb.and([eb("consultations.closed_early_at", "is", null), eb("consultations.closes_at", ">", now)]);
}

/** Is the document opened to this person as an invited consultee at `now`? */
export async function isOpenToConsultee(db: Db, userId: string, documentId: string, now = new Date()): Promise<boolean> {
  const row = await db
    .selectFrom("consultations")
    .innerJoin("consultation_invitees", "consultation_invitees.consultation_id", "consultations.id")
    .select("consultations.id")
    .where("consultations.document_id", "=", documentId)
    .where("consultation_invitees.user_id", "=", userId)
    .where(openAt(now))
    .executeTakeFirst();
  return row !== undefined;
}
