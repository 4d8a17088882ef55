/**
 * The one shape of a command (CONVENTIONS.md, practice 6): in one transaction, lock and read what
 * it changes, check the policy and the state, make the change and write its audit entry; then,
 * only after the commit, announce it (Socket.io pushes, notifications). Nothing is announced for
 * work that rolled back, and an announcement that fails never undoes the command.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/database.js";
import { type AuditEntry, recordAudit } from "./audit.server.js";

export interface Command<Locked, Result> {
  /** Reads (and locks, `forUpdate`) what the command changes; throws an AppError when it is not there. */
  lock(trx: Transaction<Database>): Promise<Locked>;
  /** Throws an AppError when the policy or the state refuses. */
  check?(locked: Locked): void | Promise<void>;
  /** The change itself. */
  change(trx: Transaction<Database>, locked: Locked): Promise<Result>;
  /** The audit entries for it, written in the same transaction (ids and verbs, never content). */
  audit(locked: Locked, result: Result): AuditEntry | AuditEntry[];
  /** After the commit: tell the people it concerns. A failure here is logged, never thrown. */
  announce?(locked: Locked, result: Result): void | Promise<void>;
}

interface ErrorLogger {
  error(details: object, message: string): void;
}

export async function runCommand<Locked, Result>(
  db: Kysely<Database>,
  command: Command<Locked, Result>,
  options: { logger?: ErrorLogger } = {},
): Promise<Result> {
  const { locked, result } = await db.transaction().execute(async (trx) => {
    const locked = await command.lock(trx);
    await command.check?.(locked);
    const result = await command.change(trx, locked);
    const entries = command.audit(locked, result);
    for (const entry of Array.isArray(entries) ? entries : [entries]) await recordAudit(trx, entry);
    return { locked, result };
  });
  try {
    await command.announce?.(locked, result);
  } catch (error) {
    // The change is committed: a push or a notification that failed must not make it look undone.
    options.logger?.error({ category: "command", err: error }, "announcing a committed change failed");
  }
  return result;
}
