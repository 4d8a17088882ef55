/**
 * The Socket.io server: server-pushed app events and presence, typed by the realtime contract
 * (app/realtime/contract.ts). It is bound to the HTTP server for long-polling requests, but its
 * websocket upgrades arrive only through our upgrade router (`upgrade.ts`), so no other code
 * listens for upgrades.
 *
 * Every client event goes through `on()` below: its payload is checked with the contract's schema
 * (BAD_REQUEST otherwise), its handler's refusals and failures are acknowledged with the error
 * model's codes (FORBIDDEN, NOT_FOUND, UNAVAILABLE), and nothing it throws reaches the process.
 *
 * Presence: `document:join` puts the socket in the document's room after the policy says the
 * person may read it; the room then gets `document:presence` after each join, leave and
 * disconnect, one entry per person however many tabs they have open. Presence lives in this
 * process's memory only; it is never stored.
 */
import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Kysely } from "kysely";
import { type ServerOptions, type Socket, Server as SocketServer } from "socket.io";
import type { Auth, SessionUser } from "../app/auth/lucia.server.js";
import { AppError, isAppError } from "../app/errors.js";
import { loadActor } from "../app/models/actor.server.js";
import { findDocument } from "../app/models/document-access.server.js";
import { findMeeting } from "../app/models/meetings.server.js";
import { currentOrganisationName } from "../app/models/memberships.server.js";
import { mayFollowProposal } from "../app/models/proposals.server.js";
import { documentResource, meetingResource } from "../app/models/policy-resources.server.js";
import { can } from "../app/policy/policy.js";
import {
  type Ack,
  type ClientEvent,
  type ClientEventPayload,
  type ClientToServerEvents,
  type DocumentViewer,
  type ServerToClientEvents,
  clientEventSchemas,
  documentRoom,
  meetingRoom,
  proposalRoom,
  userRoom,
} from "../app/realtime/contract.js";
import type { Database } from "../db/database.js";
import type { OriginRule } from "./http/origin.js";
import type { Logger } from "./logger.js";
import { SOCKET_IO_PATH } from "./upgrade.js";

export interface SocketServerOptions {
  logger: Logger;
  /** The one origin rule (server/http/origin.ts): other origins are refused at the handshake. */
  origins: OriginRule;
  auth: Auth;
  /** For presence and rooms: who may read a document or see a meeting, and their organisation. */
  db: Kysely<Database>;
  /**
   * With several processes: the Socket.io adapter that carries events, rooms and presence between
   * them (@socket.io/redis-streams-adapter, docs/decisions/015).
   */
  adapter?: ServerOptions["adapter"];
}

export interface SocketData {
  user: SessionUser;
  /**
   * Documents this socket has joined, by id, with how it appears in the presence list. A plain
   * object: with several processes it travels to the others (fetchSockets) serialised.
   */
  documents: Record<string, DocumentViewer>;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type TypedSocketServer = SocketServer<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type TypedSocket = Socket<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;

export { documentRoom };
export type { DocumentViewer };

export interface SocketService {
  io: TypedSocketServer;
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

/** A handler's answer: extra fields for `{ ok: true }`, or nothing. */
type Handled = object | void;

export function createSocketService(httpServer: HttpServer, options: SocketServerOptions): SocketService {
  const { logger, db } = options;
  const io: TypedSocketServer = new SocketServer(httpServer, {
    path: SOCKET_IO_PATH,
    serveClient: false,
    // Our upgrade router decides; engine.io must not destroy upgrades on paths it does not own.
    destroyUpgrade: false,
    maxHttpBufferSize: 64 * 1024,
    pingInterval: 20_000,
    pingTimeout: 20_000,
    // A tab that drops for a moment (or whose process restarts, with several) gets the events it
    // missed and keeps its rooms; one that was away longer reloads its data (socket.recovered false).
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
    ...(options.adapter ? { adapter: options.adapter } : {}),
    // Non-browser clients send no Origin; browsers always do, and it must be ours. The rule never
    // throws: an exception here would escape Engine.IO's request handler and stop the process.
    allowRequest: (request, callback) => {
      let allowed = false;
      try {
        allowed = options.origins.isOwnOrigin(request, "allow");
      } catch (error) {
        logger.error({ category: "socket", err: error }, "origin check failed");
      }
      callback(allowed ? null : "FORBIDDEN_ORIGIN", allowed);
    },
  });
  // engine.io added its own 'upgrade' listener when it attached; the router is the only one we keep.
  httpServer.removeAllListeners("upgrade");

  // Authenticate at the handshake: a socket without a valid session never connects.
  io.use((socket, next) => {
    options.auth
      .userFromCookieHeader(socket.request.headers.cookie)
      .then((user) => {
        if (!user) return next(Object.assign(new Error("UNAUTHENTICATED"), { data: { code: "UNAUTHENTICATED" } }));
        socket.data.user = user;
        socket.data.documents = {};
        next();
      })
      .catch(() => next(Object.assign(new Error("UNAVAILABLE"), { data: { code: "UNAVAILABLE" } })));
  });

  /**
   * The one way a client event is handled: the payload checked against the contract, the
   * handler's AppError acknowledged with its code, anything else logged and acknowledged as
   * UNAVAILABLE. A client that sent no acknowledgement callback is simply not answered.
   */
  function on<E extends ClientEvent>(
    socket: TypedSocket,
    event: E,
    handler: (payload: ClientEventPayload<E>) => Promise<Handled> | Handled,
  ): void {
    const listen = socket.on.bind(socket) as (event: string, listener: (payload: unknown, ack?: unknown) => void) => void;
    listen(event, (payload, ack) => {
      const reply = (answer: Ack) => {
        if (typeof ack === "function") (ack as (answer: Ack) => void)(answer);
      };
      const parsed = clientEventSchemas[event].safeParse(payload);
      if (!parsed.success) return reply({ ok: false, error: "BAD_REQUEST" });
      Promise.resolve()
        .then(() => handler(parsed.data as ClientEventPayload<E>))
        .then((extra) => reply({ ok: true, ...(extra ?? {}) }))
        .catch((error: unknown) => {
          if (isAppError(error)) {
            logger.info({ category: "socket", event, userId: socket.data.user.id, error: error.code }, "refused a socket event");
            return reply({ ok: false, error: error.code });
          }
          logger.error({ category: "socket", event, userId: socket.data.user.id, err: error }, "socket event failed");
          reply({ ok: false, error: "UNAVAILABLE" });
        });
    });
  }

  /** Everyone in a document's room, once each, in the order they arrived. */
  const viewersOf = async (documentId: string): Promise<DocumentViewer[]> => {
    const sockets = await io.in(documentRoom(documentId)).fetchSockets();
    const viewers = new Map<string, DocumentViewer>();
    for (const member of sockets) {
      const viewer = member.data.documents?.[documentId];
      if (viewer && !viewers.has(viewer.userId)) viewers.set(viewer.userId, viewer);
    }
    return [...viewers.values()];
  };
  const broadcastPresence = async (documentId: string) => {
    io.to(documentRoom(documentId)).emit("document:presence", { documentId, viewers: await viewersOf(documentId) });
  };

  /** May this person read the document? Their name and organisation in its group if so. */
  const admitToDocument = async (user: SessionUser, documentId: string): Promise<DocumentViewer> => {
    const document = await findDocument(db, documentId);
    const actor = await loadActor(db, user);
    // Unknown and unreadable alike: nothing tells the person the document exists.
    if (!document || !can(actor, "document.read", await documentResource(db, actor, document))) {
      throw new AppError("NOT_FOUND", "no such document");
    }
    return { userId: user.id, name: user.displayName, organisation: await currentOrganisationName(db, user.id, document.group_id) };
  };

  const leaveDocument = async (socket: TypedSocket, documentId: string) => {
    if (!socket.data.documents[documentId]) return;
    delete socket.data.documents[documentId];
    await socket.leave(documentRoom(documentId));
    await broadcastPresence(documentId);
  };

  io.on("connection", (socket) => {
    const { user } = socket.data;
    // A recovered connection keeps its rooms and data; the presence it had is rebuilt by its page.
    socket.data.documents ??= {};
    void socket.join(userRoom(user.id));
    logger.debug({ category: "socket", socketId: socket.id, userId: user.id }, "socket connected");

    on(socket, "ping", () => ({ serverTime: new Date().toISOString() }));

    on(socket, "document:join", async ({ documentId }) => {
      const viewer = await admitToDocument(user, documentId);
      // The socket may have gone while the database answered.
      if (socket.disconnected) return;
      socket.data.documents[documentId] = viewer;
      await socket.join(documentRoom(documentId));
      // Presence goes out after the acknowledgement, so the joiner is ready for it.
      setImmediate(() => {
        broadcastPresence(documentId).catch((error: unknown) =>
          logger.error({ category: "socket", documentId, err: error }, "presence broadcast failed"),
        );
      });
    });

    on(socket, "document:leave", async ({ documentId }) => {
      await leaveDocument(socket, documentId);
    });

    on(socket, "meeting:join", async ({ meetingId }) => {
      const meeting = await findMeeting(db, meetingId);
      if (!meeting) throw new AppError("NOT_FOUND", "no such meeting");
      const actor = await loadActor(db, user);
      if (!can(actor, "meeting.view", meetingResource(actor, meeting))) throw new AppError("FORBIDDEN", "may not see the meeting");
      if (socket.disconnected) return;
      await socket.join(meetingRoom(meetingId));
    });

    on(socket, "meeting:leave", async ({ meetingId }) => {
      await socket.leave(meetingRoom(meetingId));
    });

    // Live tallies: the room hears only "it changed"; the page's loader shows what the policy allows.
    on(socket, "proposal:join", async ({ proposalId }) => {
      const actor = await loadActor(db, user);
      if (!(await mayFollowProposal(db, actor, proposalId))) throw new AppError("NOT_FOUND", "no such proposal");
      if (socket.disconnected) return;
      await socket.join(proposalRoom(proposalId));
    });

    on(socket, "proposal:leave", async ({ proposalId }) => {
      await socket.leave(proposalRoom(proposalId));
    });

    socket.on("disconnect", (reason) => {
      logger.debug({ category: "socket", socketId: socket.id, reason }, "socket disconnected");
      // The socket has already left its rooms; tell the others who is still here.
      const left = Object.keys(socket.data.documents);
      socket.data.documents = {};
      for (const documentId of left) {
        broadcastPresence(documentId).catch((error: unknown) =>
          logger.error({ category: "socket", documentId, err: error }, "presence broadcast failed"),
        );
      }
    });
  });

  return {
    io,
    handleUpgrade: (request, socket, head) => {
      io.engine.handleUpgrade(request, socket, head);
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Tell every client the server is going away; they reconnect to the next process.
        io.local.disconnectSockets(true);
        io.engine.close();
        resolve();
      }),
  };
}
