/**
 * The Socket.io server: server-pushed app events and presence.
 * It is bound to the HTTP server for long-polling requests, but its websocket upgrades arrive only
 * through our upgrade router (`upgrade.ts`), so no other code listens for upgrades.
 *
 * Presence: `document:join` {documentId} (acknowledged `{ ok: true }` or `{ ok: false, error }`
 * with FORBIDDEN, NOT_FOUND, BAD_REQUEST or UNAVAILABLE) puts the socket in the room
 * `document:<id>` after the policy says the person may read the document; `document:leave` takes it
 * out. After each join, leave and disconnect the room gets `document:presence`
 * {documentId, viewers: [{userId, name, organisation}]}, one entry per person however many tabs
 * they have open. Presence lives in this process's memory only; it is never stored.
 */
import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Kysely } from "kysely";
import { type Socket, Server as SocketServer } from "socket.io";
import { z } from "zod";
import type { Auth, SessionUser } from "../app/auth/lucia.server.js";
import { loadActor } from "../app/models/actor.server.js";
import { documentResource, findDocument } from "../app/models/document-access.server.js";
import { findMeeting, meetingRoom } from "../app/models/meetings.server.js";
import { can } from "../app/policy/policy.js";
import { nzCalendarDate } from "../app/utils/dates.js";
import type { Database } from "../db/database.js";
import type { Logger } from "./logger.js";
import { documentRoom, userRoom } from "./realtime.js";
import { SOCKET_IO_PATH } from "./upgrade.js";
import type { OriginRule } from "./http/origin.js";
import { membershipActiveOn } from "../app/models/memberships.server.js";

export interface SocketServerOptions {
  logger: Logger;
  /** The one origin rule (server/http/origin.ts): other origins are refused at the handshake. */
  origins: OriginRule;
  auth: Auth;
  /** For presence events: who may read a document, and their organisation. */
  db: Kysely<Database>;
}

export interface SocketData {
  user: SessionUser;
  /** Documents this socket has joined, by id, with how it appears in the presence list. */
  documents?: Map<string, DocumentViewer>;
}

/** One person looking at a document, as the presence list shows them. */
export interface DocumentViewer {
  userId: string;
  name: string;
  organisation: string | null;
}

export type PresenceAck = { ok: true } | { ok: false; error: "FORBIDDEN" | "NOT_FOUND" | "BAD_REQUEST" | "UNAVAILABLE" };

const documentPayload = z.object({ documentId: z.uuid() });
const meetingPayload = z.object({ meetingId: z.uuid() });

export { documentRoom };

export interface SocketService {
  io: SocketServer;
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

export function createSocketService(httpServer: HttpServer, options: SocketServerOptions): SocketService {
  const { logger } = options;
  const io = new SocketServer(httpServer, {
    path: SOCKET_IO_PATH,
    serveClient: false,
    // Our upgrade router decides; engine.io must not destroy upgrades on paths it does not own.
    destroyUpgrade: false,
    maxHttpBufferSize: 64 * 1024,
    pingInterval: 20_000,
    pingTimeout: 20_000,
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
        (socket.data as SocketData).user = user;
        next();
      })
      .catch(() => next(Object.assign(new Error("UNAVAILABLE"), { data: { code: "UNAVAILABLE" } })));
  });

  /** Everyone in a document's room, once each, in the order they arrived. */
  const viewersOf = async (documentId: string): Promise<DocumentViewer[]> => {
    const sockets = await io.in(documentRoom(documentId)).fetchSockets();
    const viewers = new Map<string, DocumentViewer>();
    for (const member of sockets) {
      const viewer = (member.data as SocketData).documents?.get(documentId);
      if (viewer && !viewers.has(viewer.userId)) viewers.set(viewer.userId, viewer);
    }
    return [...viewers.values()];
  };
  const broadcastPresence = async (documentId: string) => {
    io.to(documentRoom(documentId)).emit("document:presence", { documentId, viewers: await viewersOf(documentId) });
  };

  /** May this person read the document? Their name and organisation in its group if so. */
  const admitToDocument = async (
    user: SessionUser,
    documentId: string,
  ): Promise<{ ok: true; viewer: DocumentViewer } | { ok: false; error: "FORBIDDEN" | "NOT_FOUND" | "UNAVAILABLE" }> => {
    const db = options.db;
    const document = await findDocument(db, documentId);
    if (!document) return { ok: false, error: "NOT_FOUND" };
    const actor = await loadActor(db, user);
    if (!can(actor, "document.read", await documentResource(db, actor, document))) return { ok: false, error: "FORBIDDEN" };
    const today = nzCalendarDate();
    const membership = await db
      .selectFrom("memberships")
      .leftJoin("organisations", "organisations.id", "memberships.organisation_id")
      .select(["organisations.name as organisation"])
      .where("memberships.user_id", "=", user.id)
      .where("memberships.group_id", "=", document.group_id)
      .where(membershipActiveOn(today))
      .orderBy("memberships.starts_on", "desc")
      .executeTakeFirst();
    return { ok: true, viewer: { userId: user.id, name: user.displayName, organisation: membership?.organisation ?? null } };
  };

  const leaveDocument = async (socket: Socket, documentId: string) => {
    const joined = (socket.data as SocketData).documents;
    if (!joined?.delete(documentId)) return;
    await socket.leave(documentRoom(documentId));
    await broadcastPresence(documentId);
  };

  io.on("connection", (socket) => {
    const data = socket.data as SocketData;
    const { user } = data;
    data.documents = new Map();
    void socket.join(userRoom(user.id));
    logger.debug({ category: "socket", socketId: socket.id, userId: user.id }, "socket connected");
    socket.on("ping", (_payload: unknown, ack?: unknown) => {
      if (typeof ack === "function") ack({ ok: true, serverTime: new Date().toISOString() });
    });

    socket.on("document:join", (payload: unknown, ack?: unknown) => {
      const reply = (answer: PresenceAck) => {
        if (typeof ack === "function") ack(answer);
      };
      const parsed = documentPayload.safeParse(payload);
      if (!parsed.success) return reply({ ok: false, error: "BAD_REQUEST" });
      const { documentId } = parsed.data;
      admitToDocument(user, documentId)
        .then(async (admission) => {
          if (!admission.ok) {
            logger.info({ category: "socket", userId: user.id, documentId, error: admission.error }, "refused document join");
            return reply({ ok: false, error: admission.error });
          }
          // The socket may have gone while the database answered.
          if (socket.disconnected) return;
          data.documents?.set(documentId, admission.viewer);
          await socket.join(documentRoom(documentId));
          reply({ ok: true });
          await broadcastPresence(documentId);
        })
        .catch((error: unknown) => {
          logger.error({ category: "socket", userId: user.id, documentId, err: error }, "document join failed");
          reply({ ok: false, error: "UNAVAILABLE" });
        });
    });

    socket.on("document:leave", (payload: unknown, ack?: unknown) => {
      const reply = (answer: PresenceAck) => {
        if (typeof ack === "function") ack(answer);
      };
      const parsed = documentPayload.safeParse(payload);
      if (!parsed.success) return reply({ ok: false, error: "BAD_REQUEST" });
      leaveDocument(socket, parsed.data.documentId)
        .then(() => reply({ ok: true }))
        .catch((error: unknown) => {
          logger.error({ category: "socket", userId: user.id, err: error }, "document leave failed");
          reply({ ok: false, error: "UNAVAILABLE" });
        });
    });

    socket.on("meeting:join", (payload: unknown, ack?: unknown) => {
      const reply = (answer: PresenceAck) => {
        if (typeof ack === "function") ack(answer);
      };
      const parsed = meetingPayload.safeParse(payload);
      if (!parsed.success) return reply({ ok: false, error: "BAD_REQUEST" });
      const { meetingId } = parsed.data;
      (async () => {
        const meeting = await findMeeting(options.db, meetingId);
        if (!meeting) return reply({ ok: false, error: "NOT_FOUND" });
        const actor = await loadActor(options.db, user);
        if (!can(actor, "meeting.view", { type: "group", groupId: meeting.group_id })) {
          logger.info({ category: "socket", userId: user.id, meetingId }, "refused meeting join");
          return reply({ ok: false, error: "FORBIDDEN" });
        }
        if (socket.disconnected) return;
        await socket.join(meetingRoom(meetingId));
        reply({ ok: true });
      })().catch((error: unknown) => {
        logger.error({ category: "socket", userId: user.id, meetingId, err: error }, "meeting join failed");
        reply({ ok: false, error: "UNAVAILABLE" });
      });
    });

    socket.on("meeting:leave", (payload: unknown, ack?: unknown) => {
      const parsed = meetingPayload.safeParse(payload);
      if (!parsed.success) {
        if (typeof ack === "function") ack({ ok: false, error: "BAD_REQUEST" });
        return;
      }
      void socket.leave(meetingRoom(parsed.data.meetingId));
      if (typeof ack === "function") ack({ ok: true });
    });

    socket.on("disconnect", (reason) => {
      logger.debug({ category: "socket", socketId: socket.id, reason }, "socket disconnected");
      // The socket has already left its rooms; tell the others who is still here.
      const left = [...(data.documents?.keys() ?? [])];
      data.documents?.clear();
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
