/**
 * The upgrade router: the one place that decides which websocket upgrades this server accepts.
 * `/socket.io/` goes to Socket.io, `/collab/<documentId>` to the Yjs collaboration endpoint;
 * every other path is answered 404 and the socket destroyed.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "./logger.js";

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface UpgradeRoutes {
  socketIo: UpgradeHandler;
  collaboration: (request: IncomingMessage, socket: Duplex, head: Buffer, documentId: string) => void;
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

export function createUpgradeRouter(routes: UpgradeRoutes, logger: Logger): UpgradeHandler {
  return (request, socket, head) => {
    // A client that drops mid-upgrade must not raise an unhandled 'error' on the socket.
    socket.on("error", (error) => logger.debug({ category: "upgrade", err: error.message }, "upgrade socket error"));
    let pathname: string;
    try {
      pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    } catch {
      refuseUpgrade(socket, 400, "BAD_REQUEST");
      return;
    }
    if (pathname === SOCKET_IO_PATH || pathname.startsWith(SOCKET_IO_PATH)) {
      routes.socketIo(request, socket, head);
      return;
    }
    const collaboration = collaborationPath.exec(pathname);
    if (collaboration?.[1]) {
      routes.collaboration(request, socket, head, decodeURIComponent(collaboration[1]));
      return;
    }
    logger.info({ category: "upgrade", path: pathname }, "refused upgrade to unknown path");
    refuseUpgrade(socket, 404, "NOT_FOUND");
  };
}

function httpStatusText(status: number): string {
  return (
    { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 503: "Service Unavailable" }[
      status
    ] ?? "Error"
  );
}
