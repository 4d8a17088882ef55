/**
 * A loaded document's persistence (the storing part of a SharedDocument): accepted updates wait
 * in `pending` and go to the update log as one merged row per batch, at most `batchWindowMs` after
 * the first (through the commit queue, in one statement with other documents' batches due at the
 * same time). A batch that fails is kept, nothing of it acknowledged, and retried after 1, 2, 4…
 * up to 16 s. Once the log after the snapshot is long enough it is compacted: the loaded document
 * itself, encoded, replaces the snapshot and the rows it covers. All database work for one document
 * runs one task at a time (`serially`).
 */
import type { Kysely } from "kysely";
import type * as Y from "yjs";
import type { Database } from "../../db/database.js";
import type { Logger } from "../logger.js";
import type { CommitQueue } from "./commit-queue.js";
import { mergeBatch } from "./document-relay.js";
import { type Rendering, type StoredState, compactDocument, saveRendering } from "./document-store.js";

export interface PersistenceLimits {
  /** Compact once the log after the snapshot has more rows than this. */
  compactAfterRows: number;
  /** Wait before retrying a batch whose commit failed; doubles with each failure in a row, up to the max. */
  retryAfterMs: number;
  maxRetryAfterMs: number;
}

export interface DocumentPersistenceOptions {
  documentId: string;
  doc: Y.Doc;
  db: Kysely<Database>;
  commits: CommitQueue;
  logger: Logger;
  limits: PersistenceLimits;
  /**
   * After each batch is committed: its row, and the highest number (`seq`) among its updates
   * (what the other processes were sent as those updates, document-fanout.ts).
   */
  onCommitted(rowId: number, seq: number): void;
}

/** An accepted update waiting for its batch. */
export interface PendingUpdate {
  update: Uint8Array;
  /** The lowest clock of each client whose content it holds: nothing from there on is saved yet. */
  minClocks: ReadonlyMap<number, number>;
  /** Its number on the processes' bus (0 when it was not sent there). */
  seq: number;
}

export class DocumentPersistence {
  /** Set once this copy of the document holds something that must not be stored (see `poison`). */
  private poisoned = false;
  private stopped = false;
  /** Accepted updates not yet committed, in the order they were applied (the batch in flight too). */
  private pending: PendingUpdate[] = [];
  /** The batch being committed: not saved until its statement succeeds. */
  private inFlight: PendingUpdate[] = [];
  /** Set while a failed commit waits for its retry: batches wait for it too. */
  private retryTimer: NodeJS.Timeout | undefined;
  /** Commits that failed in a row (0: the last one succeeded). */
  private failedCommits = 0;
  /** The tail of this document's database tasks: each runs after the one before it. */
  private tasks: Promise<unknown> = Promise.resolve();
  /** Rows in the log after the snapshot. */
  private tailRows = 0;
  /** The id of the last row this process committed. */
  private lastUpdateId = 0;
  /** After a failed compaction, the next waits until the log has grown this long. */
  private compactAgainAtRows = 0;
  /** A rendering that goes with the next batch's statement (or alone, if no batch is waiting). */
  private nextRendering: Rendering | null = null;

  constructor(private readonly options: DocumentPersistenceOptions) {}

  /** What the stored state said when the document was loaded into `doc`. */
  loaded(stored: StoredState): void {
    this.tailRows = stored.tail.length;
    this.lastUpdateId = stored.lastUpdateId;
    if (this.compactionDue()) this.compactInBackground();
  }

  get pendingUpdates(): number {
    return this.pending.length;
  }

  /** What is not committed yet: waiting for a batch, or in the batch being committed. */
  *uncommitted(): Iterable<PendingUpdate> {
    yield* this.inFlight;
    yield* this.pending;
  }

  /** An update applied to the document, to be committed with its batch. */
  queue(pending: PendingUpdate): void {
    this.pending.push(pending);
    // After a failed commit the retry takes what has arrived since, when it is due.
    if (!this.stopped && !this.retryTimer) this.options.commits.schedule(this);
  }

  /** Commits everything accepted so far (after any database task already running). */
  flush(): Promise<void> {
    return this.serially(() => this.commitPending());
  }

  /** Runs a database task for this document after the ones before it. */
  serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tasks.then(task, task);
    this.tasks = run.catch(() => undefined);
    return run;
  }

  /**
   * Stores a rendering of the document: with the batch waiting to be committed, in the same
   * statement, when there is one; otherwise on its own, after the document's other tasks.
   */
  saveRendering(rendering: Rendering): Promise<void> {
    if (this.pending.length > 0 && !this.stopped) {
      this.nextRendering = rendering;
      return this.flush();
    }
    return this.serially(() => saveRendering(this.options.db, this.options.documentId, rendering));
  }

  /** The document holds part of an update that failed: it is never compacted from. */
  poison(): void {
    this.poisoned = true;
  }

  /** Unloading: no more batches are scheduled or retried; what is pending is flushed by the caller. */
  stop(): void {
    this.stopped = true;
    this.options.commits.cancel(this);
    clearTimeout(this.retryTimer);
  }

  /** Forgets what was never committed (the document is being freed). */
  discard(): void {
    this.pending = [];
  }

  /** One batch: every pending update merged into one row and appended; then `onCommitted`. */
  private async commitPending(): Promise<void> {
    if (this.pending.length === 0) {
      // A rendering whose batch went before it was taken: stored on its own.
      const rendering = this.nextRendering;
      this.nextRendering = null;
      if (rendering) await saveRendering(this.options.db, this.options.documentId, rendering);
      return;
    }
    const updates = this.pending;
    this.pending = [];
    this.inFlight = updates;
    const rendering = this.nextRendering;
    this.nextRendering = null;
    const merged = mergeBatch(updates.map((entry) => entry.update));
    try {
      this.lastUpdateId = await this.options.commits.append(this.options.documentId, merged, rendering);
    } catch (error) {
      this.inFlight = [];
      this.pending = updates.concat(this.pending);
      this.nextRendering ??= rendering;
      this.failedCommits++;
      const { retryAfterMs, maxRetryAfterMs } = this.options.limits;
      // Each document's wait differs a little, so documents that failed together retry apart.
      const wait = Math.min(retryAfterMs * 2 ** (this.failedCommits - 1), maxRetryAfterMs) * (0.9 + Math.random() * 0.2);
      const details = { err: error, updates: updates.length, failedInARow: this.failedCommits, retryInMs: Math.round(wait) };
      // The first failure in a row is an error; the retries that fail again are the same error.
      if (this.failedCommits === 1) this.options.logger.error(details, "could not commit a batch; keeping it to retry");
      else this.options.logger.debug(details, "could not commit a batch again; keeping it to retry");
      if (!this.stopped) {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.flush().catch(() => undefined);
        }, wait);
        this.retryTimer.unref();
      }
      throw error;
    }
    if (this.failedCommits > 0) {
      this.options.logger.info({ failedInARow: this.failedCommits }, "committed the batch that had failed");
      this.failedCommits = 0;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.inFlight = [];
    this.tailRows++;
    this.options.onCommitted(this.lastUpdateId, updates.reduce((highest, entry) => Math.max(highest, entry.seq), 0));
    if (this.compactionDue()) this.compactInBackground();
  }

  private compactionDue(): boolean {
    return this.tailRows > this.options.limits.compactAfterRows && this.tailRows >= this.compactAgainAtRows;
  }

  private compactInBackground(): void {
    this.compact().catch(() => undefined); // logged in compact
  }

  /**
   * Folds the log into the snapshot, after pending tasks, from what the database holds (any
   * process may have appended rows: compactDocument folds exactly the rows it read, under the
   * document's advisory lock).
   */
  compact(): Promise<void> {
    return this.serially(async () => {
      if (this.tailRows === 0 || this.poisoned) return;
      const started = performance.now();
      let result: Awaited<ReturnType<typeof compactDocument>>;
      try {
        result = await compactDocument(this.options.db, this.options.documentId);
      } catch (error) {
        this.compactAgainAtRows = this.tailRows * 2;
        this.options.logger.error({ err: error }, "compaction failed; the log is kept");
        throw error;
      }
      this.tailRows = 0;
      this.compactAgainAtRows = 0;
      if (!result) return;
      result.doc.destroy();
      this.options.logger.info(
        { folded: result.folded, lastUpdateId: result.lastUpdateId, ms: Math.round(performance.now() - started) },
        "compacted the update log",
      );
    });
  }
}
