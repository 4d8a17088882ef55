/**
 * A loaded document's peers: the same document loaded in other server processes
 * (docs/decisions/015), reached through the bus (server/cluster/document-fanout.ts).
 *
 * - What this process accepts goes to them at once (`publishUpdate`, `publishAwareness`), and
 *   after each batch it commits it says so (`committed`).
 * - What they accept arrives here, is applied and relayed to this process's connections, but not
 *   stored: its own process stores it. It waits in `remotePending` until that process says it is
 *   committed; if no word comes within `graceMs` (the process died, or its database writes fail),
 *   this process stores it too (a duplicate in the log is harmless: Yjs ignores what it has).
 * - Nothing is told "saved" that is only pending somewhere (see SharedDocument.savedVector).
 * - Messages from each peer are numbered (afresh each time it loads the document: a "join").
 *   Something was missed when the first message from a peer is not its number 1 (it was typing
 *   before we subscribed), when a number is skipped, when a "committed" names a number that never
 *   came, or when the bus reconnects. Then the document is read from the database (the one durable
 *   copy) and applied, and Yjs keeps only what was missing; for a skipped number, once the peer
 *   says it has committed it (before that the database does not have it either). A "committed"
 *   for numbers already here reads nothing: a peer's batch commits while it goes on sending, so
 *   its "committed" nearly always names fewer than it has sent.
 */
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import type { DocumentChannel, DocumentFanout, RemoteListener } from "../cluster/document-fanout.js";
import type { Logger } from "../logger.js";
import type { DocumentPersistence, PendingUpdate } from "./document-persistence.js";
import { type StoredState, applyStoredState } from "./document-store.js";

/** Transaction origin of what another process accepted, and of what a catch-up read back. */
export const peerOrigin = Symbol("another server process");

/** What this process knows of one peer's current join. */
interface PeerState {
  join: number;
  /** The highest number received (or named by a "committed"). */
  lastSeen: number;
  /** Numbers up to this one may have been missed: read back once the peer has committed them (0: none). */
  missedUpTo: number;
}

interface RemoteUpdate extends PendingUpdate {
  peer: PeerState;
  receivedAt: number;
}

export interface DocumentPeersOptions {
  documentId: string;
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  fanout: DocumentFanout;
  persistence: DocumentPersistence;
  readStoredState(documentId: string): Promise<StoredState>;
  /**
   * Applies a peer's update to the document and relays it to this process's connections (`message`
   * is the sync message carrying it, relayed as it is when nothing else came with it). Throws
   * when the update cannot be applied.
   */
  applyRemoteUpdate(update: Uint8Array, message: Uint8Array, minClocks: ReadonlyMap<number, number>, deletes: boolean): void;
  logger: Logger;
  /** What is saved may have moved (a peer committed, or a catch-up): tell the connections. */
  onSavedChanged(): void;
  /** How long a peer's update may wait for its "committed" before this process stores it. */
  graceMs: number;
}

export class DocumentPeers implements RemoteListener {
  private channel: DocumentChannel | null = null;
  /** Messages that arrived before the document was loaded, in order. */
  private early: (() => void)[] | null = [];
  private readonly remotePending: RemoteUpdate[] = [];
  /** Per peer (its origin), what is known of its messages. */
  private readonly peers = new Map<string, PeerState>();
  private graceTimer: NodeJS.Timeout | undefined;
  private catchingUp: Promise<void> | null = null;
  private catchUpAgain = false;
  private left = false;

  constructor(private readonly options: DocumentPeersOptions) {}

  /** Subscribes; before the stored state is read, so nothing committed after it is missed. */
  async join(): Promise<void> {
    this.channel = await this.options.fanout.join(this.options.documentId, this);
  }

  /** The document is loaded: what arrived meanwhile is applied now, in order. */
  loaded(): void {
    const early = this.early ?? [];
    this.early = null;
    for (const message of early) message();
  }

  publishUpdate(update: Uint8Array, minClocks: ReadonlyMap<number, number>, deletes: boolean, message?: Uint8Array): number {
    return this.channel?.publishUpdate(update, minClocks, deletes, message) ?? 0;
  }

  publishAwareness(update: Uint8Array): void {
    this.channel?.publishAwareness(update);
  }

  /** This process committed its updates up to `seq` in row `rowId`. */
  committed(rowId: number, seq: number): void {
    if (seq > 0) this.channel?.publishCommitted(seq, rowId);
  }

  /** Peers' updates not yet known to be stored. */
  uncommitted(): Iterable<PendingUpdate> {
    return this.remotePending;
  }

  async leave(): Promise<void> {
    this.left = true;
    clearTimeout(this.graceTimer);
    // What peers sent and never confirmed is stored by us before the document goes.
    this.storeUnconfirmed(0);
    await this.channel?.leave();
  }

  // ---- from the peers -----------------------------------------------------------------------

  onRemoteUpdate(origin: string, join: number, seq: number, update: Uint8Array, minClocks: Map<number, number>, deletes: boolean, message: Uint8Array): void {
    if (this.early) {
      this.early.push(() => this.onRemoteUpdate(origin, join, seq, update, minClocks, deletes, message));
      return;
    }
    let peer = this.peers.get(origin);
    if (!peer || peer.join !== join) {
      // First word from this join of the peer: what it sent before we subscribed may be missing.
      peer = { join, lastSeen: seq, missedUpTo: seq - 1 };
      this.peers.set(origin, peer);
    } else if (seq === peer.lastSeen + 1) {
      peer.lastSeen = seq;
    } else if (seq > peer.lastSeen + 1) {
      // A gap: read back once the peer has committed what was missed.
      peer.missedUpTo = seq - 1;
      peer.lastSeen = seq;
    }
    // (A number already seen is a duplicate: Yjs ignores what it has.)
    this.remotePending.push({ peer, seq, update, minClocks, receivedAt: Date.now() });
    try {
      this.options.applyRemoteUpdate(update, message, minClocks, deletes);
    } catch (error) {
      this.options.logger.error({ err: error, peer: origin }, "could not apply an update from another process");
      this.remotePending.pop();
      return;
    }
    this.armGraceTimer();
  }

  onRemoteAwareness(origin: string, update: Uint8Array): void {
    if (this.early) {
      this.early.push(() => this.onRemoteAwareness(origin, update));
      return;
    }
    try {
      awarenessProtocol.applyAwarenessUpdate(this.options.awareness, update, peerOrigin);
    } catch (error) {
      this.options.logger.error({ err: error, peer: origin }, "could not apply presence from another process");
    }
  }

  onRemoteCommitted(origin: string, join: number, seq: number, rowId: number): void {
    if (this.early) {
      this.early.push(() => this.onRemoteCommitted(origin, join, seq, rowId));
      return;
    }
    const peer = this.peers.get(origin);
    if (!peer || peer.join !== join) {
      // First word from this join of the peer, and it is committed: read it back from the log.
      this.peers.set(origin, { join, lastSeen: seq, missedUpTo: 0 });
      this.catchUp("first word from another process");
      return;
    }
    // Its updates up to `seq` are stored: they no longer hold anyone's "saved" back.
    const pending = this.remotePending;
    let kept = 0;
    for (const entry of pending) if (entry.peer !== peer || entry.seq > seq) pending[kept++] = entry;
    const dropped = kept < pending.length;
    pending.length = kept;
    if (seq > peer.lastSeen) {
      peer.lastSeen = seq;
      peer.missedUpTo = 0;
      this.catchUp("another process committed what never arrived");
      return;
    }
    if (peer.missedUpTo > 0 && seq >= peer.missedUpTo) {
      peer.missedUpTo = 0;
      this.catchUp("another process committed what was missed");
      return;
    }
    if (dropped) this.options.onSavedChanged();
  }

  onResubscribed(): void {
    if (this.early) return;
    // Anything may have been missed while the bus was away: every peer is unknown again.
    this.peers.clear();
    this.catchUp("the bus reconnected");
  }

  // ---- catching up and storing what peers did not ------------------------------------------

  /** Reads the document back from the database and applies it; one at a time, again if asked meanwhile. */
  private catchUp(reason: string): void {
    if (this.left) return;
    if (this.catchingUp) {
      this.catchUpAgain = true;
      return;
    }
    this.options.logger.debug({ reason }, "catching up from the database");
    this.catchingUp = this.options.persistence
      .serially(async () => {
        const stored = await this.options.readStoredState(this.options.documentId);
        if (this.left) return;
        const copy = applyStoredState(stored);
        try {
          // Relayed to this process's connections (they may lack it too), never stored again.
          Y.applyUpdate(this.options.doc, Y.encodeStateAsUpdate(copy, Y.encodeStateVector(this.options.doc)), peerOrigin);
        } finally {
          copy.destroy();
        }
      })
      .catch((error: unknown) => this.options.logger.warn({ err: error }, "catching up from the database failed; the next word from a peer tries again"))
      .finally(() => {
        this.catchingUp = null;
        this.options.onSavedChanged();
        if (this.catchUpAgain) {
          this.catchUpAgain = false;
          this.catchUp("asked again while catching up");
        }
      });
  }

  private armGraceTimer(): void {
    if (this.graceTimer || this.left) return;
    this.graceTimer = setTimeout(() => {
      this.graceTimer = undefined;
      this.storeUnconfirmed(this.options.graceMs);
      if (this.remotePending.length > 0) this.armGraceTimer();
    }, this.options.graceMs);
    this.graceTimer.unref();
  }

  /** Peers' updates older than `olderThanMs` with no "committed" yet are stored by this process. */
  private storeUnconfirmed(olderThanMs: number): void {
    const now = Date.now();
    let moved = 0;
    for (let i = 0; i < this.remotePending.length; ) {
      const entry = this.remotePending[i]!;
      if (now - entry.receivedAt >= olderThanMs) {
        this.remotePending.splice(i, 1);
        this.options.persistence.queue({ update: entry.update, minClocks: entry.minClocks, seq: 0 });
        moved++;
      } else {
        i++;
      }
    }
    if (moved > 0) this.options.logger.info({ updates: moved }, "storing updates from another process that never said they were committed");
  }
}
