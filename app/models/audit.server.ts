/**
 * The audit log: append-only (a database trigger refuses UPDATE, DELETE and TRUNCATE).
 * Always written with the same transaction as the change it records.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/database.js";

export interface AuditEntry {
  actorId: string | null;
  /** Who, in words, when there is no account (e.g. the email typed at a failed sign-in). */
  actorLabel?: string | null;
  action: string;
  groupId?: string | null;
  subjectType?: string | null;
  subjectId?: string | null;
  ip?: string | null;
  /** What changed; never passwords, tokens or document content. */
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Kysely<Database> | Transaction<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      actor_id: entry.actorId,
      actor_label: entry.actorLabel ?? null,
      action: entry.action,
      group_id: entry.groupId ?? null,
      subject_type: entry.subjectType ?? null,
      subject_id: entry.subjectId ?? null,
      ip: entry.ip ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}
