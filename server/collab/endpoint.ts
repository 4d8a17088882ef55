/**
 * The Yjs collaboration endpoint at /collab/<documentId>: the y-websocket protocol on y-protocols
 * (docs/decisions/002-own-yjs-endpoint-on-y-protocols.md).
 *
 * It decides at the HTTP upgrade, before any Yjs message is read (the upgrade router has already
 * refused a foreign Origin with 403): no session 401 whatever the id, then an unknown document or
 * `can(actor, "document.read")` false alike 404. An allowed
 * connection is editable or read-only per `can(actor, "document.edit")`. Frames are checked at the
 * edge (binary only, ≤ 1 MiB, fully decodable) and each failure closes only that connection with
 * its own code. Documents live in `SharedDocument`s, loaded on first connection and unloaded
 * (flushed and compacted) when the last one leaves. It also serves `services.collaboration`.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import * as Y from "yjs";
import type { SessionUser } from "../../app/auth/lucia.server.js";
import type { MembershipRole } from "../../db/database.js";
import { actorFor, rolesByUser } from "../../app/models/actor.server.js";
import { type FoundDocument, findDocument, findDocuments } from "../../app/models/document-access.server.js";
import { documentResource } from "../../app/models/policy-resources.server.js";
import { can } from "../../app/policy/policy.js";
import { batchedReads } from "../../db/batched-reads.js";
import type { DatabaseHandle } from "../../db/connect.js";
import type { Logger } from "../logger.js";
import { refuseUpgrade } from "../upgrade.js";
import { CollabConnection } from "./collab-connection.js";
import type { CollaborationService } from "./collaboration-service.js";
import { CommitQueue } from "./commit-queue.js";
import { RenderThread } from "./render-thread.js";
import type { DocumentFanout } from "../cluster/document-fanout.js";
import { type StoredState, applyStoredState, readStoredState, readStoredStates } from "./document-store.js";
import { type ClientMessage, CloseCode, MalformedMessageError, decodeClientMessage } from "./protocol.js";
import { type CollabLimits, defaultLimits } from "./collab-limits.js";
import { SharedDocument } from "./shared-document.js";

/** Largest websocket message accepted; larger frames are closed with 1009 by `ws`. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
const heartbeatMs = 30_000;
/** How long shutdown waits for clients to answer the close handshake before cutting them off. */
const closeGraceMs = 2_000;

export interface CollaborationEndpointOptions {
  database: DatabaseHandle;
  logger: Logger;
  /** Resolves the signed-in person from a Cookie header, or null. */
  authenticate(cookieHeader: string | undefined): Promise<SessionUser | null>;
  /** With several processes (REDIS_URL): how documents reach the same document in the others. */
  fanout?: DocumentFanout | null;
  limits?: Partial<CollabLimits>;
}

type AccessDecision =
  /** `documentId`: the document's id as stored (small letters), whatever the URL's letters. */
  | { allowed: true; user: SessionUser; canEdit: boolean; documentId: string }
  | { allowed: false; status: 401 | 403 | 404; reason: string };

/** Thrown by the service's reads and writes for an id that names no document. */
export class DocumentNotFoundError extends Error {
  readonly code = "NOT_FOUND";
  constructor(documentId: string) {
    super(`no document ${documentId}`);
    this.name = "DocumentNotFoundError";
  }
}

export class CollaborationEndpoint implements CollaborationService {
  private readonly logger: Logger;
  private readonly limits: CollabLimits;
  private readonly wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
  });
  private readonly documents = new Map<string, SharedDocument>();
  private readonly commits: CommitQueue;
  /** Renders documents to HTML and text off the event loop, for every document loaded here. */
  private readonly renderer = new RenderThread();
  private readonly unloads = new Map<string, Promise<void>>();
  private readonly connections = new Set<CollabConnection>();
  private readonly heartbeat: NodeJS.Timeout;
  private closing: Promise<void> | undefined;
  /**
   * What an upgrade reads, batched with the other upgrades of the same turn of the event loop
   * (db/batched-reads.ts): a meeting reconnecting after a restart is checked and loaded in a few
   * queries, not four for each connection. The session is batched the same way, in its adapter.
   */
  private readonly reads: {
    document: (documentId: string) => Promise<FoundDocument | undefined>;
    roles: (userId: string) => Promise<Map<string, MembershipRole> | undefined>;
    storedState: (documentId: string) => Promise<StoredState | undefined>;
  };

  constructor(private readonly options: CollaborationEndpointOptions) {
    const { db } = options.database;
    this.reads = {
      document: batchedReads((ids) => findDocuments(db, ids)),
      roles: batchedReads((userIds) => rolesByUser(db, userIds)),
      storedState: batchedReads((ids) => readStoredStates(db, ids)),
    };
    this.logger = options.logger.child({ category: "collab" });
    this.limits = { ...defaultLimits, ...options.limits };
    this.commits = new CommitQueue(options.database.db, this.limits.batchWindowMs);
    this.heartbeat = setInterval(() => this.checkHeartbeats(), heartbeatMs);
    this.heartbeat.unref();
  }

  // ---- the upgrade ---------------------------------------------------------------------------

  /** Authorises an upgrade to /collab/<documentId>; only an allowed request reaches `ws`. */
  async handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    documentId: string,
    query: URLSearchParams = new URLSearchParams(),
  ): Promise<void> {
    const logger = this.logger.child({ documentId });
    try {
      if (this.closing) {
        refuseUpgrade(socket, 503, "SERVER_RESTARTING");
        return;
      }
      const cookieHeader = request.headers.cookie;
      const decision = await this.decideAccess(cookieHeader, documentId);
      if (!decision.allowed) {
        logger.info({ status: decision.status, reason: decision.reason }, "refused a collaboration upgrade");
        refuseUpgrade(socket, decision.status, decision.reason);
        return;
      }
      if (this.closing) {
        refuseUpgrade(socket, 503, "SERVER_RESTARTING");
        return;
      }
      if (socket.destroyed) return;
      // Our own "saved" message goes only to clients that asked for it (our editor does, with
      // ?saved=1); a stock y-websocket client would log every one as a message it cannot read.
      const wantsSaved = query.get("saved") === "1";
      this.wss.handleUpgrade(request, socket, head, (ws) =>
        this.accept(ws, decision.documentId, decision.user, cookieHeader, !decision.canEdit, wantsSaved, logger),
      );
    } catch (error) {
      logger.error({ err: error }, "collaboration upgrade failed");
      refuseUpgrade(socket, 503, "COLLABORATION_UNAVAILABLE");
    }
  }

  /**
   * The one access decision, at the upgrade and again in `recheckAccess`. Who is asking comes
   * first: without a session the answer is 401 whatever the id, so nobody learns which documents
   * exist. A signed-in person who may not read the document gets the answer an unknown id gets.
   */
  private async decideAccess(cookieHeader: string | undefined, documentId: string): Promise<AccessDecision> {
    const user = await this.options.authenticate(cookieHeader);
    if (!user) return { allowed: false, status: 401, reason: "UNAUTHENTICATED" };
    const [document, roles] = await Promise.all([this.reads.document(documentId), this.reads.roles(user.id)]);
    if (!document) return { allowed: false, status: 404, reason: "NOT_FOUND" };
    const actor = actorFor(user, roles);
    const resource = await documentResource(this.options.database.db, actor, document);
    if (!can(actor, "document.read", resource)) return { allowed: false, status: 404, reason: "NOT_FOUND" };
    return { allowed: true, user, canEdit: can(actor, "document.edit", resource), documentId: document.id };
  }

  private accept(
    ws: WebSocket,
    documentId: string,
    user: SessionUser,
    cookieHeader: string | undefined,
    readOnly: boolean,
    wantsSaved: boolean,
    logger: Logger,
  ): void {
    const connection = new CollabConnection(ws, documentId, user, cookieHeader, readOnly, wantsSaved, logger);
    if (this.closing) {
      connection.close(CloseCode.serverRestarting, "server restarting");
      return;
    }
    const shared = this.sharedDocument(documentId);
    this.connections.add(connection);
    connection.logger.info({ readOnly }, "collaboration connection opened");

    ws.on("message", (data, isBinary) => this.onMessage(connection, shared, data, isBinary));
    ws.on("pong", () => {
      connection.alive = true;
    });
    // `ws` closes the socket itself after an error (1009 for an oversized frame, 1002 for a bad frame).
    ws.on("error", (error) => connection.logger.info({ err: error.message }, "collaboration socket error"));
    ws.on("close", (code) => {
      connection.logger.info({ code }, "collaboration connection closed");
      this.connections.delete(connection);
      try {
        shared.detach(connection);
      } catch (error) {
        connection.logger.error({ err: error }, "detaching a closed connection failed");
      }
    });
    try {
      shared.attach(connection);
    } catch (error) {
      connection.logger.error({ err: error }, "attaching a connection failed");
      connection.close(CloseCode.internalError, "internal error");
    }
  }

  private onMessage(connection: CollabConnection, shared: SharedDocument, data: RawData, isBinary: boolean): void {
    if (connection.closed) return;
    if (!isBinary) {
      connection.close(CloseCode.unsupportedData, "binary messages only");
      return;
    }
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    let message: ClientMessage;
    try {
      message = decodeClientMessage(bytes);
    } catch (error) {
      const reason = error instanceof MalformedMessageError ? error.message : String(error);
      connection.logger.info({ reason, bytes: bytes.byteLength }, "malformed collaboration message");
      connection.close(CloseCode.malformed, "malformed message");
      return;
    }
    try {
      shared.receive(connection, message, bytes.byteLength);
    } catch (error) {
      // A bug here must cost one connection, never the process.
      connection.logger.error({ err: error }, "collaboration message failed");
      connection.close(CloseCode.internalError, "internal error");
    }
  }

  private checkHeartbeats(): void {
    for (const connection of this.connections) {
      // A timer is a door too: one connection's failure must not stop the others' heartbeat.
      try {
        if (!connection.alive) {
          connection.logger.info("no answer to the heartbeat; dropping the connection");
          connection.terminate();
          continue;
        }
        connection.alive = false;
        if (connection.ws.readyState === WebSocket.OPEN) connection.ws.ping();
      } catch (error) {
        connection.logger.warn({ err: error }, "heartbeat failed; dropping the connection");
        connection.terminate();
      }
    }
  }

  // ---- the documents held in memory ----------------------------------------------------------

  /** The loaded (or loading) document, created on first use. */
  private sharedDocument(documentId: string): SharedDocument {
    const existing = this.documents.get(documentId);
    if (existing && !existing.failed) return existing;
    const shared = new SharedDocument({
      documentId,
      db: this.options.database.db,
      logger: this.logger.child({ documentId }),
      limits: this.limits,
      previousUnload: this.unloads.get(documentId),
      commits: this.commits,
      renderer: this.renderer,
      fanout: this.options.fanout ?? null,
      readStoredState: async (id) => (await this.reads.storedState(id))!,
      onIdle: (idle) => this.unload(idle),
    });
    this.documents.set(documentId, shared);
    return shared;
  }

  private unload(shared: SharedDocument): void {
    const { documentId } = shared;
    if (this.documents.get(documentId) === shared) this.documents.delete(documentId);
    const previous = this.unloads.get(documentId);
    const unloading = (previous ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => shared.unload())
      .finally(() => {
        if (this.unloads.get(documentId) === unloading) this.unloads.delete(documentId);
      });
    this.unloads.set(documentId, unloading);
  }

  /** Runs `task` with the document loaded and held; it unloads afterwards if nobody else has it. */
  private async withDocument<T>(documentId: string, task: (shared: SharedDocument) => Promise<T>): Promise<T> {
    const shared = this.sharedDocument(documentId);
    shared.hold();
    try {
      await shared.ready;
      return await task(shared);
    } finally {
      shared.release();
    }
  }

  // ---- services.collaboration ----------------------------------------------------------------

  async flush(documentId: string): Promise<void> {
    const shared = this.documents.get(documentId);
    if (shared && !shared.failed) {
      await shared.ready;
      await shared.flush();
      return;
    }
    // A document being unloaded is flushed by the unload: wait for it (failures are logged there).
    await this.unloads.get(documentId);
  }

  async encodeState(documentId: string): Promise<Uint8Array> {
    const shared = this.documents.get(documentId);
    if (shared && !shared.failed) {
      return this.withDocument(documentId, async (held) => {
        await held.flush();
        if (!this.options.fanout) return Y.encodeStateAsUpdate(held.doc);
        // With several processes, everything committed anywhere is in the database, even what
        // this process has not heard of yet: the two together.
        const stored = applyStoredState(await readStoredState(this.options.database.db, documentId));
        try {
          Y.applyUpdate(stored, Y.encodeStateAsUpdate(held.doc));
          return Y.encodeStateAsUpdate(stored);
        } finally {
          stored.destroy();
        }
      });
    }
    if (!(await findDocument(this.options.database.db, documentId))) throw new DocumentNotFoundError(documentId);
    await this.unloads.get(documentId)?.catch(() => undefined);
    const doc = applyStoredState(await readStoredState(this.options.database.db, documentId));
    try {
      return Y.encodeStateAsUpdate(doc);
    } finally {
      doc.destroy();
    }
  }

  async applyUpdate(documentId: string, update: Uint8Array): Promise<void> {
    if (!(await findDocument(this.options.database.db, documentId))) throw new DocumentNotFoundError(documentId);
    await this.withDocument(documentId, async (shared) => {
      shared.applyServerUpdate(update);
      await shared.flush();
    });
  }

  async recheckAccess(filter: { userId?: string; documentId?: string } = {}): Promise<void> {
    const affected = [...this.connections].filter(
      (connection) =>
        !connection.closed &&
        (filter.userId === undefined || connection.user.id === filter.userId) &&
        (filter.documentId === undefined || connection.documentId === filter.documentId),
    );
    // Decided all at once, so their reads share queries.
    const decisions = await Promise.all(affected.map((connection) => this.decideAccess(connection.cookieHeader, connection.documentId)));
    for (const [index, connection] of affected.entries()) {
      const decision = decisions[index]!;
      if (connection.closed) continue;
      if (!decision.allowed) {
        connection.logger.info({ reason: decision.reason }, "access ended; closing the connection");
        connection.close(CloseCode.policyViolation, decision.reason);
        continue;
      }
      if (connection.readOnly !== !decision.canEdit) {
        connection.readOnly = !decision.canEdit;
        connection.logger.info({ readOnly: connection.readOnly }, "connection access changed");
      }
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.heartbeat);
      const open = [...this.documents.values()];
      await Promise.allSettled(open.map((shared) => shared.ready.then(() => shared.flush())));
      const connections = [...this.connections];
      for (const connection of connections) connection.close(CloseCode.serverRestarting, "server restarting");
      // Shutdown does not wait for the close handshake: the documents unload (flush, compact) now.
      for (const shared of open) for (const connection of [...shared.connections]) shared.detach(connection);
      const cutOff = setTimeout(() => {
        for (const connection of connections) if (connection.ws.readyState !== WebSocket.CLOSED) connection.ws.terminate();
      }, closeGraceMs);
      cutOff.unref();
      await Promise.allSettled([...this.unloads.values()]);
      await this.renderer.close();
      this.wss.close();
      this.logger.info({ documents: open.length, connections: connections.length }, "collaboration endpoint closed");
    })();
    return this.closing;
  }
}
