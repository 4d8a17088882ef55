/**
 * The browser's one way to connect to the server's Socket.io: the client library is loaded only
 * when a component needs it (after the page has rendered), and the connection is a websocket from
 * the start. Long-polling would tie a page to the process that opened its session, and with
 * several processes behind a balancer without sticky sessions (ADR 015) its next poll could land
 * on another; a websocket stays on the process it reached.
 */
import type { Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "./contract.js";

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function connectSocket(): Promise<AppSocket> {
  const { io } = await import("socket.io-client");
  return io({ path: "/socket.io/", transports: ["websocket"], withCredentials: true });
}
