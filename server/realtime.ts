/**
 * Pushing server events to people's open tabs over Socket.io, for code that runs before the
 * sockets exist: services are created before the HTTP server, so `attach` binds the Socket.io
 * server once it is up. Until then (and after shutdown) events are dropped: a push is only ever a
 * courtesy on top of what is stored.
 */
import type { SessionUser } from "../app/auth/lucia.server.js";
import { type ServerToClientEvents, documentRoom, userRoom } from "../app/realtime/contract.js";
import type { RealtimeService } from "../app/services.js";
import type { TypedSocketServer } from "./socket.js";

export { documentRoom, userRoom };
export type { RealtimeService };

export interface LateBoundRealtime extends RealtimeService {
  attach(io: TypedSocketServer): void;
  detach(): void;
}

export function createRealtime(): LateBoundRealtime {
  let io: TypedSocketServer | undefined;
  return {
    emitToUser(userId, event, payload) {
      io?.to(userRoom(userId)).emit(event, ...([payload] as Parameters<ServerToClientEvents[typeof event]>));
    },
    emitToRoom(room, event, payload) {
      io?.to(room).emit(event, ...([payload] as Parameters<ServerToClientEvents[typeof event]>));
    },
    async disconnectInvalidSessions(userId, isValid) {
      if (!io) return;
      // This process's own sockets: every process checks its own (the cluster tells them).
      const sockets = userId ? await io.local.in(userRoom(userId)).fetchSockets() : await io.local.fetchSockets();
      for (const socket of sockets) {
        if (!(await isValid(socket.handshake.headers.cookie))) socket.disconnect(true);
      }
    },
    async leaveRoomsNoLongerAllowed(prefix, mayStay) {
      if (!io) return;
      const answers = new Map<string, Promise<boolean>>();
      for (const socket of await io.local.fetchSockets()) {
        const user = (socket.data as { user?: SessionUser }).user;
        if (!user) continue;
        for (const room of socket.rooms) {
          if (!room.startsWith(prefix)) continue;
          const key = `${user.id} ${room}`;
          if (!answers.has(key)) answers.set(key, mayStay(user, room.slice(prefix.length)));
          if (!(await answers.get(key))) socket.leave(room);
        }
      }
    },
    attach(server) {
      io = server;
    },
    detach() {
      io = undefined;
    },
  };
}
