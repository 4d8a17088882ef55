/**
 * One person's websocket on one collaborative document: who they are, whether the server accepts
 * their edits, which awareness client ids they speak for, and a send that will not let a reader
 * who stopped reading grow the server's memory.
 */
import crypto from "node:crypto";
import { WebSocket } from "ws";
import type { SessionUser } from "../../app/auth/lucia.server.js";
import type { Logger } from "../logger.js";

/** Past this much unsent data the reader is not keeping up, and the socket is dropped. */
const maxBufferedBytes = 16 * 1024 * 1024;

export class CollabConnection {
  readonly id = crypto.randomUUID();
  /** Set once the server closed it: nothing it sent is applied any more. */
  closed = false;
  /** Answered the last heartbeat ping. */
  alive = true;
  /** The awareness client ids this connection has set states for (removed when it closes). */
  readonly awarenessClients = new Set<number>();
  /** Updates dropped because the connection is read-only (the first is logged at info). */
  droppedUpdates = 0;
  readonly logger: Logger;

  constructor(
    readonly ws: WebSocket,
    readonly documentId: string,
    readonly user: SessionUser,
    /** Kept (in memory only, never logged) so access can be checked again while it is open. */
    readonly cookieHeader: string | undefined,
    /** Read-only connections receive the document and awareness; their updates are dropped. */
    public readOnly: boolean,
    logger: Logger,
  ) {
    this.logger = logger.child({ connectionId: this.id, userId: user.id });
  }

  send(message: Uint8Array): void {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > maxBufferedBytes) {
      this.logger.warn({ bufferedBytes: this.ws.bufferedAmount }, "dropping a connection that stopped reading");
      this.terminate();
      return;
    }
    this.ws.send(message, { binary: true }, (error) => {
      if (error) this.logger.debug({ err: error.message }, "send failed");
    });
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
