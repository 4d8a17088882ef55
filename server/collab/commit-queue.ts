/**
 * Group commit for the update log: the batches of every loaded document go through one queue, so
 * documents typed into at the same time are appended together, in one statement.
 *
 * Documents ask to be flushed with `schedule`; one clock for all of them flushes every document
 * that asked, `batchWindowMs` after the first one asked. A batch therefore still waits at most that
 * long, each document still commits at most once per window, and documents busy at the same time
 * reach the queue together. Appends that reach it in one turn of the event loop, or while the
 * previous statement runs, go out as one statement; if that fails, each is tried on its own, in
 * random order, so one bad batch cannot hold back the others. When the first few of those fail too
 * and none has succeeded, the database is refusing every write (an outage, a full disk, a
 * constraint): the rest fail with them, without a statement each, and each document retries on its
 * own schedule. Many documents' flushes and acknowledgements are spread over turns of the event
 * loop, ten at a time, so relays are not held up behind them. Each document keeps its own order: it
 * never has more than one append waiting (its database tasks run one at a time).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { type Rendering, appendUpdate, appendUpdates } from "./document-store.js";

export interface Flushable {
  flush(): Promise<void>;
}

interface WaitingAppend {
  documentId: string;
  update: Uint8Array;
  rendering: Rendering | null;
  resolve(id: number): void;
  reject(error: unknown): void;
}

/** Batches in one statement at most (two parameters each, four more with a rendering). */
const maxGroup = 500;
/**
 * Batches tried on their own after a group failed that must all fail, with none succeeding, before
 * the rest of the group fails without being tried: 500 statements become 4 when the database
 * refuses everything, and a batch behind a few bad ones is still tried (the order is random).
 */
const failuresBeforeGivingUp = 3;
/**
 * Documents flushed, or told their batch is committed, per turn of the event loop: each costs a
 * little (a merge, acknowledgements), and keystrokes waiting to be relayed go in between.
 */
const documentsPerTurn = 10;

/** Calls `each` on `items`, `perTurn` at a time, letting the event loop run between slices. */
function inTurns<T>(items: T[], perTurn: number, each: (item: T) => void): void {
  for (const item of items.slice(0, perTurn)) each(item);
  if (items.length > perTurn) setImmediate(() => inTurns(items.slice(perTurn), perTurn, each));
}

export class CommitQueue {
  private readonly scheduled = new Set<Flushable>();
  private timer: NodeJS.Timeout | undefined;
  private waiting: WaitingAppend[] = [];
  private running = false;
  private runScheduled = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly batchWindowMs: number,
  ) {}

  /** Flushes `document` at most `batchWindowMs` from now, with every other document that asked. */
  schedule(document: Flushable): void {
    this.scheduled.add(document);
    if (this.timer) return;
    this.timer = setTimeout(this.flushScheduled, this.batchWindowMs);
    this.timer.unref();
  }

  cancel(document: Flushable): void {
    this.scheduled.delete(document);
  }

  /** Appends one document's batch (with its rendering when one is given); resolves with its row id. */
  append(documentId: string, update: Uint8Array, rendering: Rendering | null): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ documentId, update, rendering, resolve, reject });
      this.kick();
    });
  }

  private readonly flushScheduled = (): void => {
    this.timer = undefined;
    const documents = [...this.scheduled];
    this.scheduled.clear();
    // A failed flush is logged and retried by its document.
    inTurns(documents, documentsPerTurn, (document) => void document.flush().catch(() => undefined));
  };

  private kick(): void {
    if (this.running || this.runScheduled || this.waiting.length === 0) return;
    this.runScheduled = true;
    // Let every append of this turn of the event loop join the statement.
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.runScheduled = false;
    this.running = true;
    const group = this.waiting.splice(0, maxGroup);
    void this.commit(group).finally(() => {
      this.running = false;
      this.kick();
    });
  };

  private async commit(group: WaitingAppend[]): Promise<void> {
    if (group.length > 1 && new Set(group.map((job) => job.documentId)).size === group.length) {
      try {
        const ids = await appendUpdates(this.db, group);
        inTurns(group, documentsPerTurn, (job) => job.resolve(ids.get(job.documentId)!));
        return;
      } catch {
        // Each on its own below: the failure is reported to the batch that caused it.
      }
    }
    let failures = 0;
    let succeeded = false;
    let lastError: unknown;
    for (const job of shuffled(group)) {
      if (!succeeded && failures >= failuresBeforeGivingUp) {
        job.reject(lastError);
        continue;
      }
      try {
        job.resolve(await appendUpdate(this.db, job.documentId, job.update, job.rendering));
        succeeded = true;
      } catch (error) {
        failures++;
        lastError = error;
        job.reject(error);
      }
    }
  }
}

/** A copy of `items` in random order (Fisher–Yates). */
function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
