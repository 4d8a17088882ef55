/**
 * Co-editing across processes (docs/decisions/015): every process that has a document loaded
 * subscribes to its channel (`collab:<id>`) and sends there, at once, each update it accepted and
 * each change of its connections' presence; after each batch it commits it says so ("committed up
 * to my message n, in row r"). A receiving process applies updates and presence and relays them
 * to its own connections; it does not store them, because their process does (and if that process
 * dies first, the receiver stores them itself: see SharedDocument).
 *
 * Messages from one process arrive in order, numbered per document. A gap in the numbers, a
 * "committed" naming a message that never arrived, or the bus reconnecting are all the same signal:
 * something was missed, and the receiver reads the document from the database (the one durable
 * copy) and applies it; Yjs ignores what it already has, so duplicates are harmless.
 *
 * Wire format (lib0 encoding): varUint kind, varString origin, varUint number, then for an update
 * or presence a varUint8Array of it, for "committed" a varUint row id.
 */
import crypto from "node:crypto";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import type { RedisBus } from "./redis-bus.js";

const KIND_UPDATE = 1;
const KIND_AWARENESS = 2;
const KIND_COMMITTED = 3;

export interface RemoteListener {
  onRemoteUpdate(origin: string, seq: number, update: Uint8Array): void;
  onRemoteAwareness(origin: string, update: Uint8Array): void;
  onRemoteCommitted(origin: string, seq: number, rowId: number): void;
  /** The bus lost its connection and came back: anything may have been missed. */
  onResubscribed(): void;
}

export interface DocumentChannel {
  /** Sends an accepted update to the other processes; returns its number. */
  publishUpdate(update: Uint8Array): number;
  publishAwareness(update: Uint8Array): void;
  /** This process committed every update it sent up to number `seq`, in log row `rowId`. */
  publishCommitted(seq: number, rowId: number): void;
  /** The number of the last update sent. */
  readonly lastSeq: number;
  leave(): Promise<void>;
}

export class DocumentFanout {
  /** This process on the bus: its instance id and a random part, new at each start. */
  readonly origin: string;
  private readonly documents = new Map<string, RemoteListener>();

  constructor(
    private readonly bus: RedisBus,
    instanceId: string,
  ) {
    this.origin = `${instanceId}#${crypto.randomBytes(4).toString("hex")}`;
    bus.onResubscribed(() => {
      for (const listener of this.documents.values()) listener.onResubscribed();
    });
  }

  /** Subscribes to a document's channel; resolves once subscribed, so nothing sent after is missed. */
  async join(documentId: string, listener: RemoteListener): Promise<DocumentChannel> {
    const channel = `collab:${documentId}`;
    this.documents.set(documentId, listener);
    await this.bus.subscribe(channel, (message) => this.receive(message, listener));
    let seq = 0;
    const send = (kind: number, number: number, write: (encoder: encoding.Encoder) => void) => {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, kind);
      encoding.writeVarString(encoder, this.origin);
      encoding.writeVarUint(encoder, number);
      write(encoder);
      this.bus.publish(channel, Buffer.from(encoding.toUint8Array(encoder)));
    };
    return {
      publishUpdate: (update) => {
        seq++;
        send(KIND_UPDATE, seq, (encoder) => encoding.writeVarUint8Array(encoder, update));
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
    const decoder = decoding.createDecoder(new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
    const kind = decoding.readVarUint(decoder);
    const origin = decoding.readVarString(decoder);
    // Our own messages come back to us too: they are already here.
    if (origin === this.origin) return;
    const number = decoding.readVarUint(decoder);
    switch (kind) {
      case KIND_UPDATE:
        listener.onRemoteUpdate(origin, number, decoding.readVarUint8Array(decoder));
        return;
      case KIND_AWARENESS:
        listener.onRemoteAwareness(origin, decoding.readVarUint8Array(decoder));
        return;
      case KIND_COMMITTED:
        listener.onRemoteCommitted(origin, number, decoding.readVarUint(decoder));
        return;
    }
  }
}
