/**
 * One person's websocket on one collaborative document: who they are, whether the server accepts
 * their edits, which awareness client ids they speak for, and a send that will not let a reader
 * who stopped reading grow the server's memory.
 *
 * Messages are framed here and the frame written to the socket in one piece; a message that goes
 * to everyone on a document (a relayed update, presence) is framed once, as a `Broadcast`, and the
 * same bytes are written to each socket. `ws` would build a frame per connection and write it in two
 * pieces (docs/decisions/008-broadcast-frames-written-once.md).
 */
import crypto from "node:crypto";
import type { Duplex } from "node:stream";
import { WebSocket } from "ws";
import type { SessionUser } from "../../app/auth/lucia.server.js";
import type { Logger } from "../logger.js";

/** Past this much unsent data the reader is not keeping up, and the socket is dropped. */
const maxBufferedBytes = 16 * 1024 * 1024;
const binaryOptions = { binary: true } as const;

/** A binary message framed once (RFC 6455 §5.2, server to client: FIN, opcode 2, unmasked). */
export interface Broadcast {
  payload: Uint8Array;
  frame: Buffer;
}

export function prepareBroadcast(payload: Uint8Array): Broadcast {
  const length = payload.byteLength;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x82;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.set(payload, headerLength);
  return { payload, frame };
}

/** The parts of `ws`'s WebSocket a raw frame write depends on (private fields of ws 8). */
interface WsInternals {
  _socket?: Duplex;
  _sender?: { _queue?: unknown[]; _state?: number };
  _extensions?: Record<string, unknown>;
}

export class CollabConnection {
  readonly id = crypto.randomUUID();
  /** Set once the server closed it: nothing it sent is applied any more. */
  closed = false;
  /** Answered the last heartbeat ping. */
  alive = true;
  /** The awareness client ids this connection has set states for (removed when it closes). */
  readonly awarenessClients = new Set<number>();
  /** The Yjs client ids whose content arrived in this connection's accepted updates. */
  readonly editingClients = new Set<number>();
  /** What this connection was last told is committed, per client id (created on first use). */
  acknowledged: Map<number, number> | null = null;
  /** Updates dropped because the connection is read-only (the first is logged at info). */
  droppedUpdates = 0;
  readonly logger: Logger;
  /** No extension (compression) was negotiated: frames we build are what `ws` would send. */
  private readonly uncompressed: boolean;

  constructor(
    readonly ws: WebSocket,
    readonly documentId: string,
    readonly user: SessionUser,
    /** Kept (in memory only, never logged) so access can be checked again while it is open. */
    readonly cookieHeader: string | undefined,
    /** Read-only connections receive the document and awareness; their updates are dropped. */
    public readOnly: boolean,
    /** Asked for our "saved" messages (type 100) when it connected (`?saved=1`). */
    readonly wantsSaved: boolean,
    logger: Logger,
  ) {
    this.logger = logger.child({ connectionId: this.id, userId: user.id });
    this.uncompressed = Object.keys((ws as unknown as WsInternals)._extensions ?? {}).length === 0;
  }

  /** Whether broadcasts go straight to the socket (ws's private fields are as ADR 008 expects). */
  fastPathAvailable(): boolean {
    const internals = this.ws as unknown as WsInternals;
    return this.uncompressed && internals._socket !== undefined && Array.isArray(internals._sender?._queue) && typeof internals._sender?._state === "number";
  }

  /** Sends one message: a payload for this connection alone, or a broadcast framed once for all. */
  send(message: Uint8Array | Broadcast): void {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > maxBufferedBytes) {
      this.logger.warn({ bufferedBytes: this.ws.bufferedAmount }, "dropping a connection that stopped reading");
      this.terminate();
      return;
    }
    const { payload, frame } = message instanceof Uint8Array ? prepareBroadcast(message) : message;
    // The frame goes straight to the socket when `ws` holds nothing back that must go first (it
    // queues only while compressing, which is off, or while reading a Blob, which we never send);
    // otherwise `ws` frames the payload itself. Write errors reach `ws` as socket errors and close
    // the connection.
    const internals = this.ws as unknown as WsInternals;
    const socket = internals._socket;
    const sender = internals._sender;
    if (socket && !socket.destroyed && sender?._state === 0 && sender._queue?.length === 0 && this.uncompressed) {
      socket.write(frame);
    } else {
      this.ws.send(payload, binaryOptions);
    }
  }

  /** Closes with a code the client can act on; anything it sends afterwards is ignored. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.logger.info({ code, reason }, "closing collaboration connection");
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }
}
