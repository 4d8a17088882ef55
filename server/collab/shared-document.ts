/**
 * One collaborative document held in memory while someone has it open: its Y.Doc and awareness,
 * the connections on it, and its persistence. It loads the stored state (snapshot + log tail)
 * before it answers anything, queues what arrives meanwhile in order, applies and relays accepted
 * updates, drops read-only connections' updates, appends each ≤ 50 ms batch to the log (through
 * the commit queue, in one statement with other documents' batches due at the same time), tells
 * the connections whose typing was committed ("saved", message 100), and compacts the log into the
 * snapshot. All database work for one document runs one task at a time.
 */
import type { Kysely } from "kysely";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import type { Database } from "../../db/database.js";
import type { Logger } from "../logger.js";
import { type Broadcast, CollabConnection, prepareBroadcast } from "./collab-connection.js";
import type { CommitQueue } from "./commit-queue.js";
import {
  applyStoredState,
  type StoredState,
  renderDocument,
  replaceLogWithSnapshot,
  saveRendering,
} from "./document-store.js";
import {
  type ClientMessage,
  CloseCode,
  encodeAwareness,
  encodeSaved,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
} from "./protocol.js";

export interface CollabLimits {
  /** At most this long between an accepted update and the start of its batch's commit. */
  batchWindowMs: number;
  /** Compact once the log after the snapshot has more rows than this. */
  compactAfterRows: number;
  /** Rewrite documents.content_html/content_text at most this often while people type. */
  renderEveryMs: number;
  /** Largest encoded document state accepted; an update that would pass it is refused (4413). */
  maxDocumentBytes: number;
  /** Messages a document holds for its connections while it loads, before the sender is closed. */
  maxQueuedMessages: number;
  maxQueuedBytes: number;
  /**
   * Wait before retrying a batch whose commit failed; it doubles with each failure in a row, up to
   * `maxRetryAfterMs`, so a database that refuses writes is not asked again by every document every
   * second.
   */
  retryAfterMs: number;
  maxRetryAfterMs: number;
}

export const defaultLimits: CollabLimits = {
  batchWindowMs: 50,
  compactAfterRows: 200,
  renderEveryMs: 5_000,
  maxDocumentBytes: 5 * 1024 * 1024,
  maxQueuedMessages: 10_000,
  maxQueuedBytes: 16 * 1024 * 1024,
  retryAfterMs: 1_000,
  maxRetryAfterMs: 16_000,
};

/** Transaction origin of updates the server makes itself (restoring a version, for example). */
export const serverOrigin = Symbol("server");

export class DocumentTooLargeError extends Error {
  constructor() {
    super("document too large");
    this.name = "DocumentTooLargeError";
  }
}

export interface SharedDocumentOptions {
  documentId: string;
  db: Kysely<Database>;
  logger: Logger;
  limits: CollabLimits;
  /** Resolves when an earlier copy of this document has finished unloading. */
  previousUnload: Promise<void> | undefined;
  /** Where batches are appended, together with other documents' (group commit). */
  commits: CommitQueue;
  /** Reads the stored state, together with other documents loading at the same time (batched reads). */
  readStoredState(documentId: string): Promise<StoredState>;
  /** Called when no connection and no server task holds the document any more. */
  onIdle(shared: SharedDocument): void;
}

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };

/**
 * A message waiting to go to everyone on the document: an update (from `origin`; `received`: the
 * sync message it arrived in, which relaying it alone sends as it is) or presence.
 */
type Relay =
  | { update: Uint8Array; origin: unknown; received?: Uint8Array; awareness?: undefined }
  | { awareness: Uint8Array; update?: undefined; origin?: undefined; received?: undefined };

export class SharedDocument {
  readonly documentId: string;
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  readonly connections = new Set<CollabConnection>();
  /** Resolves once the stored state is loaded; rejects when it could not be. */
  readonly ready: Promise<void>;
  loaded = false;
  failed = false;

  private readonly db: Kysely<Database>;
  private readonly readStoredState: (documentId: string) => Promise<StoredState>;
  private readonly commits: CommitQueue;
  private readonly logger: Logger;
  private readonly limits: CollabLimits;
  private readonly onIdle: (shared: SharedDocument) => void;
  private holds = 0;
  private idleSignalled = false;
  private unloading = false;

  /** Messages received before the stored state was loaded, in arrival order. */
  private waiting: { connection: CollabConnection; message: ClientMessage; bytes: number }[] = [];
  private waitingBytes = 0;

  /** Messages for everyone, sent together at the end of this turn of the event loop. */
  private outbox: Relay[] = [];
  /** A message for everyone has gone out in this turn of the event loop: the next ones wait. */
  private turnOpen = false;
  /**
   * While a client's update is being applied: what Yjs reports of it, held back until the update
   * has applied completely (then stored and relayed), or thrown away if it failed halfway.
   */
  private applying: Uint8Array[] | null = null;
  /** An update failed halfway: this copy holds part of it, so it is never compacted or rendered. */
  private poisoned = false;
  /** Accepted updates not yet committed, in the order they were applied. */
  private pending: Uint8Array[] = [];
  /** Set while a failed commit waits for its retry: batches wait for it too. */
  private retryTimer: NodeJS.Timeout | undefined;
  /** Commits that failed in a row (0: the last one succeeded). */
  private failedCommits = 0;
  private renderTimer: NodeJS.Timeout | undefined;
  /** The tail of this document's database tasks: each runs after the one before it. */
  private tasks: Promise<unknown> = Promise.resolve();

  /** State vector of what is committed: the loaded state plus every committed batch. */
  private committedStateVector: Uint8Array = new Uint8Array([0]);
  /** Rows in the log after the snapshot. */
  private tailRows = 0;
  /** The snapshot's last_update_id (null: no snapshot), and the id of the last row committed. */
  private snapshotLastUpdateId: number | null = null;
  private lastUpdateId = 0;
  /** After a failed compaction, the next waits until the log has grown this long. */
  private compactAgainAtRows = 0;
  /** An upper estimate of the encoded state's size; measured exactly when near the limit. */
  private estimatedBytes = 0;
  private lastRenderAt = 0;
  private renderDirty = false;
  private lastEditorId: string | null = null;

  constructor(options: SharedDocumentOptions) {
    this.documentId = options.documentId;
    // The document's own id as its guid: Yjs would otherwise draw a random one, 31 calls to the
    // system's random source for each document loaded.
    this.doc = new Y.Doc({ guid: options.documentId });
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.readStoredState = options.readStoredState;
    this.db = options.db;
    this.commits = options.commits;
    this.logger = options.logger;
    this.limits = options.limits;
    this.onIdle = options.onIdle;
    // The server has no presence of its own.
    this.awareness.setLocalState(null);
    this.ready = this.load(options.previousUnload);
    this.ready.catch((error: unknown) => this.loadFailed(error));
  }

  // ---- who holds the document ----------------------------------------------------------------

  attach(connection: CollabConnection): void {
    this.connections.add(connection);
    if (this.loaded) this.greet(connection);
  }

  /** Forgets a connection and its awareness states (telling the others); idempotent. */
  detach(connection: CollabConnection): void {
    // Messages it queued while the document loaded still count (they arrived before it left).
    if (!this.connections.delete(connection)) return;
    if (connection.awarenessClients.size > 0 && this.loaded) {
      awarenessProtocol.removeAwarenessStates(this.awareness, Array.from(connection.awarenessClients), null);
    }
    this.checkIdle();
  }

  /** Keeps the document loaded for a server task (flush, applyUpdate) until `release`. */
  hold(): void {
    this.holds++;
  }

  release(): void {
    this.holds--;
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.connections.size === 0 && this.holds === 0 && !this.idleSignalled) {
      this.idleSignalled = true;
      this.onIdle(this);
    }
  }

  // ---- loading -------------------------------------------------------------------------------

  private async load(previousUnload: Promise<void> | undefined): Promise<void> {
    await previousUnload?.catch(() => undefined);
    const started = performance.now();
    const stored = await this.readStoredState(this.documentId);
    applyStoredState(stored, this.doc);
    this.tailRows = stored.tail.length;
    this.snapshotLastUpdateId = stored.snapshotLastUpdateId;
    this.lastUpdateId = stored.lastUpdateId;
    this.estimatedBytes = (stored.snapshot?.byteLength ?? 0) + stored.tail.reduce((sum, row) => sum + row.update.byteLength, 0);
    this.committedStateVector = Y.encodeStateVector(this.doc);
    this.doc.on("update", this.onDocumentUpdate);
    this.awareness.on("update", this.onAwarenessUpdate);
    this.loaded = true;
    this.logger.debug(
      { ms: Math.round(performance.now() - started), tailRows: stored.tail.length, snapshot: stored.snapshot !== null },
      "document loaded",
    );
    for (const connection of this.connections) this.greet(connection);
    const waiting = this.waiting;
    this.waiting = [];
    this.waitingBytes = 0;
    for (const { connection, message } of waiting) this.handle(connection, message);
    if (this.compactionDue()) this.compactInBackground();
  }

  private loadFailed(error: unknown): void {
    this.failed = true;
    this.logger.error({ err: error }, "could not load the document's stored state");
    this.waiting = [];
    for (const connection of this.connections) connection.close(CloseCode.internalError, "document unavailable");
  }

  /** What a connection gets once the document is loaded: our sync step 1 and everyone's presence. */
  private greet(connection: CollabConnection): void {
    connection.send(encodeSyncStep1(this.doc));
    const presence = encodeAwareness(this.awareness);
    if (presence) connection.send(presence);
  }

  // ---- messages ------------------------------------------------------------------------------

  /** Handles one decoded message now, or queues it (in order) while the stored state loads. */
  receive(connection: CollabConnection, message: ClientMessage, bytes: number): void {
    if (this.failed || connection.closed) return;
    if (!this.loaded) {
      if (this.waiting.length >= this.limits.maxQueuedMessages || this.waitingBytes + bytes > this.limits.maxQueuedBytes) {
        this.waiting = this.waiting.filter((entry) => entry.connection !== connection);
        this.waitingBytes = this.waiting.reduce((sum, entry) => sum + entry.bytes, 0);
        connection.close(CloseCode.tryAgainLater, "too many messages while the document loads");
        return;
      }
      this.waiting.push({ connection, message, bytes });
      this.waitingBytes += bytes;
      return;
    }
    this.handle(connection, message);
  }

  private handle(connection: CollabConnection, message: ClientMessage): void {
    // Closed by the server (refused, revoked, malformed): nothing more of it is applied.
    if (connection.closed) return;
    switch (message.kind) {
      case "sync-step-1":
        connection.send(encodeSyncStep2(this.doc, message.stateVector));
        if (connection.wantsSaved) connection.send(encodeSaved(this.committedStateVector));
        return;
      case "sync-step-2":
      case "sync-update":
        if (connection.readOnly) {
          // y-protocols would apply these as it reads them: read-only is enforced here, not in the client.
          if (message.update.byteLength > 2) {
            connection.droppedUpdates++;
            connection.logger[connection.droppedUpdates === 1 ? "info" : "debug"](
              { bytes: message.update.byteLength, dropped: connection.droppedUpdates },
              "dropped an update from a read-only connection",
            );
          }
          return;
        }
        this.acceptClientUpdate(connection, message);
        return;
      case "awareness":
        // Presence queued by a connection that has since left would only linger.
        if (!this.connections.has(connection)) return;
        try {
          awarenessProtocol.applyAwarenessUpdate(this.awareness, message.update, connection);
        } catch (error) {
          connection.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "awareness update failed");
          connection.close(CloseCode.malformed, "malformed awareness update");
        }
        return;
      case "query-awareness": {
        const presence = encodeAwareness(this.awareness);
        if (presence) connection.send(presence);
        return;
      }
    }
  }

  /**
   * Applies an editor's update, then relays it: nothing reaches the other connections before the
   * server has applied it. An update that throws halfway is never relayed, its sender is closed
   * with 1007, and what it half-did is neither stored nor kept (the document reloads).
   *
   * A keystroke (a sync update) is relayed as it was received, with no second encoding. While the
   * document holds updates that wait for missing parts, this update may complete them, and what
   * Yjs then reports includes parts nobody was sent: that report is relayed instead, as for a sync
   * step 2 (often mostly known).
   */
  private acceptClientUpdate(
    connection: CollabConnection,
    { kind, update, clients, received }: Extract<ClientMessage, { kind: "sync-step-2" | "sync-update" }>,
  ): void {
    if (!this.fitsSizeLimit(update)) {
      connection.logger.warn({ limit: this.limits.maxDocumentBytes }, "refused an update: the document would be too large");
      connection.close(CloseCode.documentTooLarge, "document too large");
      return;
    }
    const store = this.doc.store;
    const asReceived = kind === "sync-update" && store.pendingStructs === null && store.pendingDs === null;
    const changes: Uint8Array[] = [];
    this.applying = changes;
    try {
      Y.applyUpdate(this.doc, update, connection);
    } catch (error) {
      connection.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "update could not be applied");
      connection.close(CloseCode.malformed, "malformed update");
      if (changes.length > 0) this.reloadAfterFailedUpdate();
      return;
    } finally {
      this.applying = null;
    }
    for (const change of changes) this.queueForCommit(change, connection);
    if (asReceived) {
      this.relay({ update, origin: connection, received });
    } else {
      for (const change of changes) this.relay({ update: change, origin: connection });
    }
    // Whose typing this connection brought: it is told when that is committed.
    for (const client of clients) connection.editingClients.add(client);
  }

  /**
   * The document in memory holds part of an update that failed: it must not be stored, compacted
   * or sent to anyone. Every connection is told to reconnect (1012) and the document unloads,
   * committing only what applied cleanly; the next connection loads it again from the database,
   * and each client's own sync brings back anything of theirs not yet committed.
   */
  private reloadAfterFailedUpdate(): void {
    this.logger.error({ connections: this.connections.size }, "an update failed halfway; reloading the document");
    this.poisoned = true;
    this.failed = true;
    const connections = [...this.connections];
    for (const connection of connections) connection.close(CloseCode.serverRestarting, "document reloading");
    for (const connection of connections) this.detach(connection);
  }

  /** A server-made change: applied, relayed to every connection and queued for the log. */
  applyServerUpdate(update: Uint8Array): void {
    if (!this.loaded) throw new Error("the document is not loaded");
    Y.decodeUpdate(update);
    if (!this.fitsSizeLimit(update)) throw new DocumentTooLargeError();
    Y.applyUpdate(this.doc, update, serverOrigin);
  }

  /**
   * Whether the state stays within the size limit with `update` applied. Cheap while the running
   * estimate (stored size plus every accepted update) is under the limit; near it, measured by
   * applying the update to a copy.
   */
  private fitsSizeLimit(update: Uint8Array): boolean {
    const limit = this.limits.maxDocumentBytes;
    if (this.estimatedBytes + update.byteLength <= limit) {
      this.estimatedBytes += update.byteLength;
      return true;
    }
    const trial = new Y.Doc();
    try {
      Y.applyUpdate(trial, Y.encodeStateAsUpdate(this.doc));
      Y.applyUpdate(trial, update);
      const size = Y.encodeStateAsUpdate(trial).byteLength;
      if (size > limit) return false;
      this.estimatedBytes = size;
      return true;
    } finally {
      trial.destroy();
    }
  }

  private readonly onDocumentUpdate = (update: Uint8Array, origin: unknown): void => {
    // A client's update is stored and relayed once it has applied completely (acceptClientUpdate).
    if (this.applying) {
      this.applying.push(update);
      return;
    }
    this.queueForCommit(update, origin);
    this.relay({ update, origin });
  };

  private queueForCommit(update: Uint8Array, origin: unknown): void {
    this.pending.push(update);
    if (origin instanceof CollabConnection) this.lastEditorId = origin.user.id;
    this.scheduleBatch();
  }

  private readonly onAwarenessUpdate = ({ added, updated, removed }: AwarenessChange, origin: unknown): void => {
    if (origin instanceof CollabConnection) {
      for (const client of added.concat(updated)) origin.awarenessClients.add(client);
      for (const client of removed) origin.awarenessClients.delete(client);
    }
    const awareness = encodeAwareness(this.awareness, added.concat(updated, removed));
    if (awareness) this.relay({ awareness });
  };

  // ---- relaying ------------------------------------------------------------------------------

  /**
   * Sends a message to everyone on the document. The first of a turn of the event loop goes at
   * once; those that follow in the same turn are queued and sent when it ends (setImmediate), in
   * order, each run of consecutive updates merged into one: under load, many keystrokes cost one
   * send per connection instead of one each. Alone, an update goes to everyone but its sender;
   * merged, it also goes back to the senders, whose Yjs ignores what it already has.
   */
  private relay(message: Relay): void {
    this.outbox.push(message);
    if (this.turnOpen) return;
    // The first message of a turn goes at once; what follows in the same turn waits for its end.
    this.turnOpen = true;
    setImmediate(this.endTurn);
    this.sendOutbox();
  }

  private readonly endTurn = (): void => {
    this.turnOpen = false;
    this.sendOutbox();
  };

  private sendOutbox(): void {
    const outbox = this.outbox;
    this.outbox = [];
    for (let start = 0; start < outbox.length; ) {
      const first = outbox[start]!;
      if (first.awareness) {
        // To everyone, the sender included: the provider counts its own echo as a sign of life.
        const message = prepareBroadcast(first.awareness);
        for (const connection of this.connections) connection.send(message);
        start++;
        continue;
      }
      let end = start + 1;
      while (end < outbox.length && outbox[end]!.update) end++;
      const run = outbox.slice(start, end);
      const sender = run.every((item) => item.origin === first.origin) ? first.origin : undefined;
      const message =
        run.length === 1
          ? prepareBroadcast(first.received ?? encodeUpdate(first.update!))
          : prepareBroadcast(encodeUpdate(mergeBatch(run.map((item) => item.update!))));
      for (const connection of this.connections) if (connection !== sender) connection.send(message);
      start = end;
    }
  }

  // ---- persistence ---------------------------------------------------------------------------

  private scheduleBatch(): void {
    // After a failed commit the retry takes what has arrived since, when it is due.
    if (!this.unloading && !this.retryTimer) this.commits.schedule(this);
  }

  /** Commits everything accepted so far (after any database task already running). */
  flush(): Promise<void> {
    return this.serially(() => this.commitPending(false));
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tasks.then(task, task);
    this.tasks = run.catch(() => undefined);
    return run;
  }

  /**
   * One batch: every pending update merged into one row, appended in one statement (with the
   * document's rendering when it is due), with other documents' batches when they are due too.
   * Then the connections whose typing it held learn that it is committed.
   */
  private async commitPending(forceRender: boolean): Promise<void> {
    if (!this.loaded) return;
    if (this.pending.length === 0) {
      if (forceRender && this.renderDirty && !this.poisoned) {
        // Nothing pending and no task running: the live document is exactly the committed state.
        await saveRendering(this.db, this.documentId, renderDocument(this.doc, this.lastEditorId));
        this.lastRenderAt = Date.now();
        this.renderDirty = false;
      }
      return;
    }
    const updates = this.pending;
    this.pending = [];
    const stateVector = Y.encodeStateVector(this.doc);
    const merged = mergeBatch(updates);
    const renderNow = !this.poisoned && (forceRender || Date.now() - this.lastRenderAt >= this.limits.renderEveryMs);
    // Rendered now, synchronously, so the rendering is exactly the state this batch commits.
    const rendering = renderNow ? renderDocument(this.doc, this.lastEditorId) : null;
    try {
      this.lastUpdateId = await this.commits.append(this.documentId, merged, rendering);
    } catch (error) {
      this.pending = updates.concat(this.pending);
      this.failedCommits++;
      const { retryAfterMs, maxRetryAfterMs } = this.limits;
      // Each document's wait differs a little, so documents that failed together retry apart.
      const wait = Math.min(retryAfterMs * 2 ** (this.failedCommits - 1), maxRetryAfterMs) * (0.9 + Math.random() * 0.2);
      const details = { err: error, updates: updates.length, failedInARow: this.failedCommits, retryInMs: Math.round(wait) };
      // The first failure in a row is an error; the retries that fail again are the same error.
      if (this.failedCommits === 1) this.logger.error(details, "could not commit a batch; keeping it to retry");
      else this.logger.debug(details, "could not commit a batch again; keeping it to retry");
      if (!this.unloading) {
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
      this.logger.info({ failedInARow: this.failedCommits }, "committed the batch that had failed");
      this.failedCommits = 0;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.tailRows++;
    this.committedStateVector = stateVector;
    if (rendering) {
      this.lastRenderAt = Date.now();
      this.renderDirty = false;
    } else {
      this.renderDirty = true;
      this.scheduleRender();
    }
    this.acknowledge(stateVector);
    if (this.compactionDue()) this.compactInBackground();
  }

  /**
   * Tells each connection what of its own typing is now committed: the committed clocks of the
   * client ids it edits as or speaks for in awareness, only when one has moved. A connection that
   * has not said who it is gets the whole committed state vector, as after the initial sync.
   */
  private acknowledge(stateVector: Uint8Array): void {
    let committed: Map<number, number> | undefined;
    let whole: Broadcast | undefined;
    for (const connection of this.connections) {
      if (!connection.wantsSaved) continue;
      if (connection.editingClients.size === 0 && connection.awarenessClients.size === 0) {
        whole ??= prepareBroadcast(encodeSaved(stateVector));
        connection.send(whole);
        continue;
      }
      committed ??= Y.decodeStateVector(stateVector);
      let moved: Map<number, number> | undefined;
      const acknowledged = (connection.acknowledged ??= new Map());
      for (const clients of [connection.editingClients, connection.awarenessClients]) {
        for (const client of clients) {
          const clock = committed.get(client);
          if (clock === undefined || clock <= (acknowledged.get(client) ?? 0)) continue;
          acknowledged.set(client, clock);
          (moved ??= new Map()).set(client, clock);
        }
      }
      if (moved) connection.send(encodeSaved(Y.encodeStateVector(moved)));
    }
  }

  /** The rendering skipped by the throttle is written once the throttle allows it. */
  private scheduleRender(): void {
    if (this.renderTimer || this.unloading) return;
    const wait = Math.max(0, this.lastRenderAt + this.limits.renderEveryMs - Date.now());
    this.renderTimer = setTimeout(() => {
      this.renderTimer = undefined;
      this.serially(() => this.commitPending(true)).catch((error: unknown) =>
        this.logger.error({ err: error }, "could not save the document's rendering"),
      );
    }, wait);
    this.renderTimer.unref();
  }

  private compactionDue(): boolean {
    return this.tailRows > this.limits.compactAfterRows && this.tailRows >= this.compactAgainAtRows;
  }

  private compactInBackground(): void {
    this.compact().catch(() => undefined); // logged in compact
  }

  /**
   * Folds the log into the snapshot, after pending tasks. The snapshot is the loaded document
   * itself, encoded: no database read, no second copy of the document. Every row up to the last
   * one committed is in it; so may be updates still waiting for their batch (they are committed
   * later as rows after the snapshot, and applying them twice changes nothing), which only makes
   * the snapshot more complete, never less.
   */
  compact(): Promise<void> {
    return this.serially(async () => {
      if (!this.loaded || this.tailRows === 0 || this.poisoned) return;
      const started = performance.now();
      const folded = this.tailRows;
      const replacement = {
        state: Y.encodeStateAsUpdate(this.doc),
        lastUpdateId: this.lastUpdateId,
        previousLastUpdateId: this.snapshotLastUpdateId,
        foldedRows: folded,
      };
      const rendering = renderDocument(this.doc, this.lastEditorId);
      try {
        await replaceLogWithSnapshot(this.db, this.documentId, replacement, rendering);
      } catch (error) {
        this.compactAgainAtRows = this.tailRows * 2;
        this.logger.error({ err: error }, "compaction failed; the log is kept");
        throw error;
      }
      this.tailRows = 0;
      this.compactAgainAtRows = 0;
      this.snapshotLastUpdateId = replacement.lastUpdateId;
      this.lastRenderAt = Date.now();
      this.renderDirty = false;
      this.logger.info(
        { folded, lastUpdateId: replacement.lastUpdateId, ms: Math.round(performance.now() - started) },
        "compacted the update log",
      );
    });
  }

  /**
   * Unloads: commits what is pending, compacts, saves the rendering, then frees everything, even
   * when the database failed (logged: the clients still hold their changes and resend them on
   * their next sync).
   */
  async unload(): Promise<void> {
    this.unloading = true;
    this.commits.cancel(this);
    clearTimeout(this.retryTimer);
    clearTimeout(this.renderTimer);
    try {
      await this.ready;
      await this.flush();
      await this.compact();
      await this.serially(() => this.commitPending(true));
    } catch (error) {
      if (!this.failed) {
        this.logger.error({ err: error, uncommittedUpdates: this.pending.length }, "could not save the document while unloading");
      }
    } finally {
      this.doc.off("update", this.onDocumentUpdate);
      this.awareness.off("update", this.onAwarenessUpdate);
      this.awareness.destroy();
      this.doc.destroy();
      this.pending = [];
      this.logger.debug("document unloaded");
    }
  }
}

/**
 * Merges a batch into one update. Y.mergeUpdates slows down quadratically with the number of
 * inputs (2,000 keystrokes: ~50 ms; 60,000: ~2 minutes), so a flood is merged as a tree of groups
 * of 32, which stays linear (60,000: ~150 ms).
 */
export function mergeBatch(updates: Uint8Array[]): Uint8Array {
  let level = updates;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += mergeFanIn) {
      const group = level.slice(i, i + mergeFanIn);
      next.push(group.length === 1 ? group[0]! : Y.mergeUpdates(group));
    }
    level = next;
  }
  return level[0] ?? new Uint8Array([0, 0]);
}

const mergeFanIn = 32;
