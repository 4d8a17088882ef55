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
 * - Messages from each peer are numbered. A gap, a "committed" naming a message that never came,
 *   or the bus reconnecting mean something was missed: the document is read from the database (the
 *   one durable copy) and applied, and Yjs keeps only what was missing.
 */
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import type { DocumentChannel, DocumentFanout, RemoteListener } from "../cluster/document-fanout.js";
import type { Logger } from "../logger.js";
import type { DocumentPersistence, PendingUpdate } from "./document-persistence.js";
import { type StoredState, applyStoredState } from "./document-store.js";
import { updateLowestClocks } from "./protocol.js";

/** Transaction origin of what another process accepted, and of what a catch-up read back. */
export const peerOrigin = Symbol("another server process");

interface RemoteUpdate extends PendingUpdate {
  origin: string;
  receivedAt: number;
}

export interface DocumentPeersOptions {
  documentId: string;
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  fanout: DocumentFanout;
  persistence: DocumentPersistence;
  readStoredState(documentId: string): Promise<StoredState>;
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
  /** Per peer, the number of the last message known to be here (received, or read back). */
  private readonly lastContiguous = new Map<string, number>();
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

  publishUpdate(update: Uint8Array): number {
    return this.channel?.publishUpdate(update) ?? 0;
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

  onRemoteUpdate(origin: string, seq: number, update: Uint8Array): void {
    if (this.early) {
      this.early.push(() => this.onRemoteUpdate(origin, seq, update));
      return;
    }
    const last = this.lastContiguous.get(origin);
    if (last !== undefined) {
      if (seq === last + 1) this.lastContiguous.set(origin, seq);
      // A gap: what was missed and is committed already is read back now; the rest comes with
      // the peer's next "committed", which names a number we never had.
      else if (seq > last + 1) this.catchUp("a message from another process was missed");
    }
    try {
      this.remotePending.push({ origin, seq, update, minClocks: updateLowestClocks(update), receivedAt: Date.now() });
      Y.applyUpdate(this.options.doc, update, peerOrigin);
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

  onRemoteCommitted(origin: string, seq: number, rowId: number): void {
    if (this.early) {
      this.early.push(() => this.onRemoteCommitted(origin, seq, rowId));
      return;
    }
    // Its updates up to `seq` are stored: they no longer hold anyone's "saved" back.
    let dropped = false;
    for (let i = this.remotePending.length - 1; i >= 0; i--) {
      const entry = this.remotePending[i]!;
      if (entry.origin === origin && entry.seq <= seq) {
        this.remotePending.splice(i, 1);
        dropped = true;
      }
    }
    const last = this.lastContiguous.get(origin);
    // First word from this peer (we may have missed what it sent before we joined), or it names a
    // message we never had: read it back from the log, where it now is.
    if (last === undefined || seq > last) {
      this.lastContiguous.set(origin, seq);
      this.catchUp(last === undefined ? "first word from another process" : "another process committed what never arrived");
      return;
    }
    if (dropped) this.options.onSavedChanged();
  }

  onResubscribed(): void {
    if (this.early) return;
    // Anything may have been missed while the bus was away: every peer is unknown again.
    this.lastContiguous.clear();
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
