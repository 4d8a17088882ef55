/**
 * One collaborative document held in memory while someone has it open: its Y.Doc and awareness,
 * and the connections on it. It loads the stored state (snapshot + log tail) before it answers
 * anything, queues what arrives meanwhile in order, applies accepted updates, drops read-only
 * connections' updates, and tells the connections whose typing was committed ("saved", message
 * 100). Relaying (document-relay.ts), storing and compacting (document-persistence.ts) and
 * rendering (document-rendering.ts) are its parts.
 */
import type { Kysely } from "kysely";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import type { Database } from "../../db/database.js";
import type { Logger } from "../logger.js";
import { type Broadcast, CollabConnection, prepareBroadcast } from "./collab-connection.js";
import type { CommitQueue } from "./commit-queue.js";
import type { DocumentFanout } from "../cluster/document-fanout.js";
import { DocumentPeers, peerOrigin } from "./document-peers.js";
import { DocumentPersistence } from "./document-persistence.js";
import { DocumentRelay } from "./document-relay.js";
import { DocumentRendering } from "./document-rendering.js";
import { type StoredState, applyStoredState } from "./document-store.js";
import {
  type ClientMessage,
  CloseCode,
  encodeAwareness,
  encodeSaved,
  encodeSyncStep1,
  encodeSyncStep2,
  updateLowestClocks,
} from "./protocol.js";
import type { RenderThread } from "./render-thread.js";
import type { CollabLimits } from "./collab-limits.js";


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
  /** Where the document is rendered to HTML and text, off the event loop. */
  renderer: RenderThread;
  /** The other server processes, when there are several (REDIS_URL): null for one process. */
  fanout: DocumentFanout | null;
  /** Reads the stored state, together with other documents loading at the same time (batched reads). */
  readStoredState(documentId: string): Promise<StoredState>;
  /** Called when no connection and no server task holds the document any more. */
  onIdle(shared: SharedDocument): void;
}

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };

export class SharedDocument {
  readonly documentId: string;
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  readonly connections = new Set<CollabConnection>();
  /** Resolves once the stored state is loaded; rejects when it could not be. */
  readonly ready: Promise<void>;
  loaded = false;
  failed = false;

  private readonly readStoredState: (documentId: string) => Promise<StoredState>;
  private readonly logger: Logger;
  private readonly limits: CollabLimits;
  private readonly onIdle: (shared: SharedDocument) => void;
  private readonly relays: DocumentRelay;
  private readonly persistence: DocumentPersistence;
  private readonly rendering: DocumentRendering;
  private readonly peers: DocumentPeers | null;
  private holds = 0;
  private idleSignalled = false;

  /** Messages received before the stored state was loaded, in arrival order. */
  private waiting: { connection: CollabConnection; message: ClientMessage; bytes: number }[] = [];
  private waitingBytes = 0;

  /**
   * While a client's update is being applied: what Yjs reports of it, held back until the update
   * has applied completely (then stored and relayed), or thrown away if it failed halfway.
   */
  private applying: Uint8Array[] | null = null;
  /** An upper estimate of the encoded state's size; measured exactly when near the limit. */
  private estimatedBytes = 0;

  constructor(options: SharedDocumentOptions) {
    this.documentId = options.documentId;
    // The document's own id as its guid: Yjs would otherwise draw a random one, 31 calls to the
    // system's random source for each document loaded.
    this.doc = new Y.Doc({ guid: options.documentId });
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.readStoredState = options.readStoredState;
    this.logger = options.logger;
    this.limits = options.limits;
    this.onIdle = options.onIdle;
    this.relays = new DocumentRelay(() => this.connections);
    this.persistence = new DocumentPersistence({
      documentId: options.documentId,
      doc: this.doc,
      db: options.db,
      commits: options.commits,
      logger: options.logger,
      limits: options.limits,
      onCommitted: (rowId, seq) => {
        this.peers?.committed(rowId, seq);
        this.acknowledge();
        this.rendering.changed();
      },
    });
    this.peers = options.fanout
      ? new DocumentPeers({
          documentId: options.documentId,
          doc: this.doc,
          awareness: this.awareness,
          fanout: options.fanout,
          persistence: this.persistence,
          readStoredState: options.readStoredState,
          applyRemoteUpdate: (update, message, minClocks, deletes) => this.applyRemoteUpdate(update, message, minClocks, deletes),
          logger: options.logger,
          onSavedChanged: () => this.acknowledge(),
          graceMs: options.limits.peerGraceMs,
        })
      : null;
    this.rendering = new DocumentRendering({
      doc: this.doc,
      logger: options.logger,
      renderer: options.renderer,
      renderEveryMs: options.limits.renderEveryMs,
      save: (rendering) => this.persistence.saveRendering(rendering),
    });
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
    // Subscribed before reading: whatever a peer commits after the read reaches us on the bus.
    await this.peers?.join();
    const stored = await this.readStoredState(this.documentId);
    applyStoredState(stored, this.doc);
    this.estimatedBytes = (stored.snapshot?.byteLength ?? 0) + stored.tail.reduce((sum, row) => sum + row.update.byteLength, 0);
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
    this.persistence.loaded(stored);
    this.peers?.loaded();
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
        if (connection.wantsSaved) connection.send(encodeSaved(Y.encodeStateVector(this.savedVector())));
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
    { kind, update, clients, minClocks, deletes, received }: Extract<ClientMessage, { kind: "sync-step-2" | "sync-update" }>,
  ): void {
    if (!this.fitsSizeLimit(update)) {
      connection.logger.warn({ limit: this.limits.maxDocumentBytes }, "refused an update: the document would be too large");
      connection.close(CloseCode.documentTooLarge, "document too large");
      return;
    }
    const store = this.doc.store;
    const asReceived = kind === "sync-update" && store.pendingStructs === null && store.pendingDs === null;
    // A keystroke that deletes nothing is applied without Yjs encoding it again for its `update`
    // event: the update as received is what is stored, sent to the other processes and relayed.
    const quietly = asReceived && !deletes;
    const before = quietly ? clockSum(store, minClocks) : 0;
    const changes: Uint8Array[] = [];
    let changed: boolean;
    try {
      if (quietly) {
        this.applyWithoutUpdateEvent(update, connection);
        changed = clockSum(store, minClocks) > before;
      } else {
        this.applying = changes;
        Y.applyUpdate(this.doc, update, connection);
        changed = changes.length > 0;
      }
    } catch (error) {
      connection.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "update could not be applied");
      connection.close(CloseCode.malformed, "malformed update");
      if (changes.length > 0 || (quietly && clockSum(store, minClocks) > before)) this.reloadAfterFailedUpdate();
      return;
    } finally {
      this.applying = null;
    }
    if (changed) {
      // The other processes get what this one accepted, whole (duplicates are harmless), in the
      // message it came in when that is a keystroke: they relay it as it is.
      const seq = this.peers?.publishUpdate(update, minClocks, deletes, kind === "sync-update" ? received : undefined) ?? 0;
      this.rendering.lastEditorId = connection.user.id;
      if (quietly) this.persistence.queue({ update, minClocks, seq });
      else for (const change of changes) this.persistence.queue({ update: change, minClocks, seq });
    }
    if (asReceived) {
      this.relays.relay({ update, origin: connection, received });
    } else {
      for (const change of changes) this.relays.relay({ update: change, origin: connection });
    }
    // Whose typing this connection brought: it is told when that is committed.
    for (const client of clients) connection.editingClients.add(client);
  }

  /**
   * Applies an update another process accepted and relays it to this process's connections, as
   * the sync message it crossed the bus in when nothing else came with it (as for a keystroke,
   * acceptClientUpdate), otherwise what Yjs reports. Not stored: its own process stores it
   * (document-peers.ts). Throws when it cannot be applied; what it half-did is then never
   * relayed, and the document reloads.
   */
  private applyRemoteUpdate(update: Uint8Array, message: Uint8Array, minClocks: ReadonlyMap<number, number>, deletes: boolean): void {
    const store = this.doc.store;
    const asReceived = store.pendingStructs === null && store.pendingDs === null;
    if (asReceived && !deletes) {
      const before = clockSum(store, minClocks);
      try {
        this.applyWithoutUpdateEvent(update, peerOrigin);
      } catch (error) {
        if (clockSum(store, minClocks) > before) this.reloadAfterFailedUpdate();
        throw error;
      }
      if (clockSum(store, minClocks) > before) this.relays.relay({ update, origin: peerOrigin, received: message });
      return;
    }
    const changes: Uint8Array[] = [];
    this.applying = changes;
    try {
      Y.applyUpdate(this.doc, update, peerOrigin);
    } catch (error) {
      if (changes.length > 0) this.reloadAfterFailedUpdate();
      throw error;
    } finally {
      this.applying = null;
    }
    if (changes.length === 0) return;
    if (asReceived) {
      this.relays.relay({ update, origin: peerOrigin, received: message });
    } else {
      for (const change of changes) this.relays.relay({ update: change, origin: peerOrigin });
    }
  }

  /**
   * Applies an update with the document's `update` listener taken off for the call, so Yjs does
   * not encode the transaction again for it (about 8 KB of garbage a keystroke in a document of
   * 50 editors). Only for updates whose every effect the caller handles itself.
   */
  private applyWithoutUpdateEvent(update: Uint8Array, origin: unknown): void {
    this.doc.off("update", this.onDocumentUpdate);
    try {
      Y.applyUpdate(this.doc, update, origin);
    } finally {
      this.doc.on("update", this.onDocumentUpdate);
    }
  }

  /**
   * The document in memory holds part of an update that failed: it must not be stored, compacted
   * or sent to anyone. Every connection is told to reconnect (1012) and the document unloads,
   * committing only what applied cleanly; the next connection loads it again from the database,
   * and each client's own sync brings back anything of theirs not yet committed.
   */
  private reloadAfterFailedUpdate(): void {
    this.logger.error({ connections: this.connections.size }, "an update failed halfway; reloading the document");
    this.persistence.poison();
    this.rendering.stop();
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
    // Another process's (or read back from the log): its process stores it (document-peers.ts).
    if (origin !== peerOrigin) {
      // A change the server made itself: stored here, and sent to the other processes.
      const minClocks = updateLowestClocks(update);
      const seq = this.peers?.publishUpdate(update, minClocks, true) ?? 0;
      this.persistence.queue({ update, minClocks, seq });
    }
    this.relays.relay({ update, origin });
  };

  private readonly onAwarenessUpdate = ({ added, updated, removed }: AwarenessChange, origin: unknown): void => {
    if (origin instanceof CollabConnection) {
      for (const client of added.concat(updated)) origin.awarenessClients.add(client);
      for (const client of removed) origin.awarenessClients.delete(client);
    }
    const changed = added.concat(updated, removed);
    // Presence of this process's connections (and their leaving) goes to the other processes.
    if (this.peers && origin !== peerOrigin && changed.length > 0) {
      this.peers.publishAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
    }
    const awareness = encodeAwareness(this.awareness, changed);
    if (awareness) this.relays.relay({ awareness });
  };

  // ---- persistence -------------------------------------------------------------------------

  /** Commits everything accepted so far (after any database task already running). */
  flush(): Promise<void> {
    return this.persistence.flush();
  }

  /** Folds the update log into the snapshot (after pending tasks). */
  compact(): Promise<void> {
    return this.persistence.compact();
  }

  /**
   * What is saved: the document's state, except anything not yet known to be stored (this
   * process's batches waiting or in flight, and other processes' updates they have not said they
   * committed). Per client, nothing from the lowest clock still pending on is claimed.
   */
  private savedVector(): Map<number, number> {
    // The document's state vector, read from its store (encoding and decoding one costs ~20 KB).
    const store = this.doc.store;
    const vector = new Map<number, number>();
    for (const client of store.clients.keys()) vector.set(client, Y.getState(store, client));
    const cap = (entries: Iterable<{ minClocks: ReadonlyMap<number, number> }>) => {
      for (const entry of entries) {
        for (const [client, clock] of entry.minClocks) {
          if ((vector.get(client) ?? 0) > clock) vector.set(client, clock);
        }
      }
    };
    cap(this.persistence.uncommitted());
    if (this.peers) cap(this.peers.uncommitted());
    return vector;
  }

  /**
   * Tells each connection (that asked for "saved" messages) what of its own typing is now stored:
   * the saved clocks of the client ids it edits as or speaks for in awareness, only when one has
   * moved. A connection that has not said who it is gets the whole saved state vector, as after
   * the initial sync.
   */
  private acknowledge(): void {
    let saved: Map<number, number> | undefined;
    let whole: Broadcast | undefined;
    for (const connection of this.connections) {
      if (!connection.wantsSaved) continue;
      saved ??= this.savedVector();
      if (connection.editingClients.size === 0 && connection.awarenessClients.size === 0) {
        whole ??= prepareBroadcast(encodeSaved(Y.encodeStateVector(saved)));
        connection.send(whole);
        continue;
      }
      let moved: Map<number, number> | undefined;
      const acknowledged = (connection.acknowledged ??= new Map());
      for (const clients of [connection.editingClients, connection.awarenessClients]) {
        for (const client of clients) {
          const clock = saved.get(client);
          if (clock === undefined || clock <= (acknowledged.get(client) ?? 0)) continue;
          acknowledged.set(client, clock);
          (moved ??= new Map()).set(client, clock);
        }
      }
      if (moved) connection.send(encodeSaved(Y.encodeStateVector(moved)));
    }
  }

  /**
   * Unloads: commits what is pending, compacts, saves the rendering, then frees everything, even
   * when the database failed (logged: the clients still hold their changes and resend them on
   * their next sync).
   */
  async unload(): Promise<void> {
    this.persistence.stop();
    try {
      await this.ready;
      // What other processes sent and never confirmed is stored before the document goes.
      await this.peers?.leave();
      await this.persistence.flush();
      await this.persistence.compact();
      if (!this.failed) await this.rendering.finish();
    } catch (error) {
      if (!this.failed) {
        this.logger.error({ err: error, uncommittedUpdates: this.persistence.pendingUpdates }, "could not save the document while unloading");
      }
    } finally {
      this.rendering.stop();
      this.doc.off("update", this.onDocumentUpdate);
      this.awareness.off("update", this.onAwarenessUpdate);
      this.awareness.destroy();
      this.doc.destroy();
      this.persistence.discard();
      this.logger.debug("document unloaded");
    }
  }
}

/**
 * The sum of the clocks reached by `clients` in the document: it grows exactly when an update
 * carrying content of theirs added something.
 */
function clockSum(store: Y.Doc["store"], clients: ReadonlyMap<number, number>): number {
  let sum = 0;
  for (const client of clients.keys()) sum += Y.getState(store, client);
  return sum;
}
