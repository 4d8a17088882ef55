/**
 * The upgrade router: the one place that decides which websocket upgrades this server accepts.
 * `/socket.io/` goes to Socket.io, `/collab/<documentId>` to the Yjs collaboration endpoint;
 * every other path is answered 404 and the socket destroyed. Both sockets must be opened from our
 * own origin (the one origin rule, server/http/origin.ts): 403 otherwise.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { OriginRule } from "./http/origin.js";
import type { Logger } from "./logger.js";

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface UpgradeRoutes {
  socketIo: UpgradeHandler;
  collaboration: (request: IncomingMessage, socket: Duplex, head: Buffer, documentId: string, query: URLSearchParams) => void;
}

export const SOCKET_IO_PATH = "/socket.io/";
const collaborationPath = /^\/collab\/([^/]+)$/;

/** Writes a plain HTTP error response on a socket that asked to upgrade, then destroys it. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  if (socket.writable) {
    const body = JSON.stringify({ error: reason });
    socket.write(
      `HTTP/1.1 ${status} ${httpStatusText(status)}\r\n` +
        "Connection: close\r\n" +
        "Content-Type: application/json; charset=utf-8\r\n" +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        "\r\n" +
        body,
    );
  }
  socket.destroy();
}

export function createUpgradeRouter(routes: UpgradeRoutes, logger: Logger, origins: OriginRule): UpgradeHandler {
  return (request, socket, head) => {
    // A client that drops mid-upgrade must not raise an unhandled 'error' on the socket.
    socket.on("error", (error) => logger.debug({ category: "upgrade", err: error.message }, "upgrade socket error"));
    // Nothing thrown here may leave the 'upgrade' listener: it would stop the process.
    try {
      route(request, socket, head);
    } catch (error) {
      logger.error({ category: "upgrade", err: error }, "upgrade failed");
      refuseUpgrade(socket, 500, "INTERNAL_ERROR");
    }
  };

  function route(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = parseTarget(request.url);
    if (!target) {
      refuseUpgrade(socket, 400, "BAD_REQUEST");
      return;
    }
    const toSocketIo = target.pathname === SOCKET_IO_PATH || target.pathname.startsWith(SOCKET_IO_PATH);
    const collaboration = collaborationPath.exec(target.pathname);
    if ((toSocketIo || collaboration) && !origins.isOwnOrigin(request, "allow")) {
      // A page of another site (or a sandboxed frame, Origin: null) may not open either socket.
      logger.warn({ category: "upgrade", path: target.pathname.slice(0, 200), origin: request.headers.origin?.slice(0, 200) }, "refused an upgrade from another origin");
      refuseUpgrade(socket, 403, "FORBIDDEN_ORIGIN");
      return;
    }
    if (toSocketIo) {
      routes.socketIo(request, socket, head);
      return;
    }
    if (collaboration?.[1]) {
      let documentId: string;
      try {
        documentId = decodeURIComponent(collaboration[1]);
      } catch {
        refuseUpgrade(socket, 400, "BAD_ENCODING");
        return;
      }
      routes.collaboration(request, socket, head, documentId, target.searchParams);
      return;
    }
    logger.info({ category: "upgrade", path: target.pathname.slice(0, 200) }, "refused upgrade to unknown path");
    refuseUpgrade(socket, 404, "NOT_FOUND");
  }
}

/** The path and query of an upgrade's request line, or null when it is not an absolute path. */
function parseTarget(url: string | undefined): URL | null {
  if (!url?.startsWith("/")) return null;
  try {
    return new URL(url, "http://localhost");
  } catch {
    return null;
  }
}

function httpStatusText(status: number): string {
  return (
    { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable" }[
      status
    ] ?? "Error"
  );
}
