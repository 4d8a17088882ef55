/**
 * Co-editing across processes (docs/decisions/015): every process that has a document loaded
 * subscribes to its channel (`collab:v2:<id>`) and sends there, at once, each update it accepted and
 * each change of its connections' presence; after each batch it commits it says so ("committed up
 * to my message n, in row r"). A receiving process applies updates and presence and relays them
 * to its own connections; it does not store them, because their process does (and if that process
 * dies first, the receiver stores them itself: see SharedDocument).
 *
 * Messages from one process arrive in order, numbered per document (afresh each time it loads the
 * document). A message that was missed is read back from the database (the one durable copy) by
 * the receiver (document-peers.ts says exactly when); Yjs ignores what it already has, so
 * duplicates are harmless.
 *
 * The channel's name carries the wire format's version (v2 since 7 December 2026: the join number,
 * the lowest clocks and the sync message were added). During a rolling restart from a version
 * with another format, old and new processes do not hear each other instead of misreading each
 * other: nothing is lost (each stores its own), and people on a new process see typing from an
 * old one once its clients reconnect to a new process and sync.
 *
 * Wire format (lib0 encoding): varUint kind, varString origin, varUint join (this process's count
 * of its joins: the numbers start again at each), varUint number, then for an update its lowest
 * clocks (varUint count, then per client varUint id and varUint clock), whether it deletes anything
 * (varUint 1 or 0) and the y-websocket sync
 * message that carries it (to the end of the message: what a receiver relays to its connections
 * as it is), for presence a varUint8Array of it, for "committed" a varUint row id.
 *
 * Redis sends a process its own messages too. They are recognised by their first bytes (the
 * origin, written right after the kind) and dropped before anything is decoded.
 */
import crypto from "node:crypto";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import type { RedisBus } from "./redis-bus.js";

const KIND_UPDATE = 1;
const KIND_AWARENESS = 2;
const KIND_COMMITTED = 3;
const MESSAGE_SYNC = 0;
const SYNC_UPDATE = 2;

export interface RemoteListener {
  /**
   * An update another process accepted: `update` is the Yjs update, `message` the y-websocket
   * sync message carrying it (relayed as it is), `minClocks` its lowest clock per client.
   */
  onRemoteUpdate(origin: string, join: number, seq: number, update: Uint8Array, minClocks: Map<number, number>, deletes: boolean, message: Uint8Array): void;
  onRemoteAwareness(origin: string, update: Uint8Array): void;
  onRemoteCommitted(origin: string, join: number, seq: number, rowId: number): void;
  /** The bus lost its connection and came back: anything may have been missed. */
  onResubscribed(): void;
}

export interface DocumentChannel {
  /**
   * Sends an accepted update to the other processes; returns its number. `message` is the sync
   * message carrying it when there is one already (a keystroke as received); otherwise it is built.
   */
  publishUpdate(update: Uint8Array, minClocks: ReadonlyMap<number, number>, deletes: boolean, message?: Uint8Array): number;
  publishAwareness(update: Uint8Array): void;
  /** This process committed every update it sent up to number `seq`, in log row `rowId`. */
  publishCommitted(seq: number, rowId: number): void;
  /** The number of the last update sent. */
  readonly lastSeq: number;
  leave(): Promise<void>;
}

/** The y-websocket sync message for an update: type 0, sync type 2, the update. */
function writeSyncUpdate(encoder: encoding.Encoder, update: Uint8Array): void {
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  encoding.writeVarUint(encoder, SYNC_UPDATE);
  encoding.writeVarUint8Array(encoder, update);
}

export class DocumentFanout {
  /** This process on the bus: its instance id and a random part, new at each start. */
  readonly origin: string;
  private readonly documents = new Map<string, RemoteListener>();
  /** The origin as it is written in every message (after the kind byte): how our own are recognised. */
  private readonly originBytes: Buffer;
  private joins = 0;

  constructor(
    private readonly bus: RedisBus,
    instanceId: string,
  ) {
    this.origin = `${instanceId}#${crypto.randomBytes(4).toString("hex")}`;
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, this.origin);
    this.originBytes = Buffer.from(encoding.toUint8Array(encoder));
    bus.onResubscribed(() => {
      for (const listener of this.documents.values()) listener.onResubscribed();
    });
  }

  /** Subscribes to a document's channel; resolves once subscribed, so nothing sent after is missed. */
  async join(documentId: string, listener: RemoteListener): Promise<DocumentChannel> {
    const channel = `collab:v2:${documentId}`;
    this.documents.set(documentId, listener);
    await this.bus.subscribe(channel, (message) => this.receive(message, listener));
    let seq = 0;
    const join = ++this.joins;
    const send = (kind: number, number: number, write: (encoder: encoding.Encoder) => void) => {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, kind);
      encoding.writeUint8Array(encoder, this.originBytes);
      encoding.writeVarUint(encoder, join);
      encoding.writeVarUint(encoder, number);
      write(encoder);
      this.bus.publish(channel, Buffer.from(encoding.toUint8Array(encoder)));
    };
    return {
      publishUpdate: (update, minClocks, deletes, message) => {
        seq++;
        send(KIND_UPDATE, seq, (encoder) => {
          encoding.writeVarUint(encoder, minClocks.size);
          for (const [client, clock] of minClocks) {
            encoding.writeVarUint(encoder, client);
            encoding.writeVarUint(encoder, clock);
          }
          encoding.writeVarUint(encoder, deletes ? 1 : 0);
          if (message) encoding.writeUint8Array(encoder, message);
          else writeSyncUpdate(encoder, update);
        });
        return seq;
      },
      publishAwareness: (update) => send(KIND_AWARENESS, 0, (encoder) => encoding.writeVarUint8Array(encoder, update)),
      publishCommitted: (committedSeq, rowId) => send(KIND_COMMITTED, committedSeq, (encoder) => encoding.writeVarUint(encoder, rowId)),
      get lastSeq() {
        return seq;
      },
      leave: async () => {
        if (this.documents.get(documentId) === listener) this.documents.delete(documentId);
        await this.bus.unsubscribe(channel);
      },
    };
  }

  private receive(message: Buffer, listener: RemoteListener): void {
    // Our own messages come back to us too: they are already here. Dropped before decoding.
    const own = this.originBytes;
    if (message.byteLength > own.byteLength && message.compare(own, 0, own.byteLength, 1, 1 + own.byteLength) === 0) return;
    const bytes = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
    const decoder = decoding.createDecoder(bytes);
    const kind = decoding.readVarUint(decoder);
    const origin = decoding.readVarString(decoder);
    const join = decoding.readVarUint(decoder);
    const number = decoding.readVarUint(decoder);
    switch (kind) {
      case KIND_UPDATE: {
        const minClocks = new Map<number, number>();
        for (let count = decoding.readVarUint(decoder); count > 0; count--) minClocks.set(decoding.readVarUint(decoder), decoding.readVarUint(decoder));
        const deletes = decoding.readVarUint(decoder) !== 0;
        const syncMessage = bytes.subarray(decoder.pos);
        if (decoding.readVarUint(decoder) !== MESSAGE_SYNC || decoding.readVarUint(decoder) !== SYNC_UPDATE) throw new Error("not a sync update");
        const update = decoding.readVarUint8Array(decoder);
        if (decoding.hasContent(decoder)) throw new Error("trailing bytes after the update");
        listener.onRemoteUpdate(origin, join, number, update, minClocks, deletes, syncMessage);
        return;
      }
      case KIND_AWARENESS:
        listener.onRemoteAwareness(origin, decoding.readVarUint8Array(decoder));
        return;
      case KIND_COMMITTED:
        listener.onRemoteCommitted(origin, join, number, decoding.readVarUint(decoder));
        return;
    }
  }
}
