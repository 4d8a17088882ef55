/**
 * The Socket.io server: server-pushed app events and presence.
 * It is bound to the HTTP server for long-polling requests, but its websocket upgrades arrive only
 * through our upgrade router (`upgrade.ts`), so no other code listens for upgrades.
 */
import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { Server as SocketServer } from "socket.io";
import type { Auth, SessionUser } from "../app/auth/lucia.server.js";
import type { Logger } from "./logger.js";
import { SOCKET_IO_PATH } from "./upgrade.js";

export interface SocketServerOptions {
  logger: Logger;
  /** The allowed browser origin (PUBLIC_URL's origin); other origins are refused at the handshake. */
  allowedOrigins: string[];
  auth: Auth;
}

export interface SocketData {
  user: SessionUser;
}

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
    allowRequest: (request, callback) => {
      const origin = request.headers.origin;
      // Non-browser clients send no Origin; browsers always do, and it must be ours.
      const sameHost = origin !== undefined && new URL(origin).host === request.headers.host;
      callback(null, origin === undefined || sameHost || options.allowedOrigins.includes(origin));
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

  io.on("connection", (socket) => {
    const { user } = socket.data as SocketData;
    void socket.join(`user:${user.id}`);
    logger.debug({ category: "socket", socketId: socket.id, userId: user.id }, "socket connected");
    socket.on("ping", (_payload: unknown, ack?: unknown) => {
      if (typeof ack === "function") ack({ ok: true, serverTime: new Date().toISOString() });
    });
    socket.on("disconnect", (reason) => {
      logger.debug({ category: "socket", socketId: socket.id, reason }, "socket disconnected");
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
