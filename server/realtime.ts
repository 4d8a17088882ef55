/**
 * Pushing server events to people's open tabs over Socket.io, for code that runs before the
 * sockets exist: services are created before the HTTP server, so `attach` binds the Socket.io
 * server once it is up. Until then (and after shutdown) events are dropped: a push is only ever a
 * courtesy on top of what is stored.
 */
import type { Server as SocketServer } from "socket.io";
import type { SessionUser } from "../app/auth/lucia.server.js";

/** The room every connected socket of a person joins (see server/socket.ts). */
export const userRoom = (userId: string) => `user:${userId}`;

/** The room of everyone who has a document open (joined through `document:join`, server/socket.ts). */
export const documentRoom = (documentId: string) => `document:${documentId}`;

export interface RealtimeService {
  /** Sends `event` to every tab the person has open; a no-op when nobody is connected. */
  emitToUser(userId: string, event: string, payload: unknown): void;
  /** Sends `event` to every socket in a room (e.g. `documentRoom(id)`); a no-op when it is empty. */
  emitToRoom(room: string, event: string, payload: unknown): void;
  /**
   * Disconnects the sockets (of one person, or everyone's) whose session is no longer valid:
   * after a sign-out everywhere, a password change or a disabled account.
   */
  disconnectInvalidSessions(
    userId: string | undefined,
    isValid: (cookieHeader: string | undefined) => Promise<boolean>,
  ): Promise<void>;
  /**
   * Takes sockets out of the rooms named `<prefix><id>` that their person may no longer be in
   * (e.g. a meeting room after their membership ended), asking `mayStay` once per person and room.
   */
  leaveRoomsNoLongerAllowed(prefix: string, mayStay: (user: SessionUser, id: string) => Promise<boolean>): Promise<void>;
}

export interface LateBoundRealtime extends RealtimeService {
  attach(io: SocketServer): void;
  detach(): void;
}

export function createRealtime(): LateBoundRealtime {
  let io: SocketServer | undefined;
  return {
    emitToUser(userId, event, payload) {
      io?.to(userRoom(userId)).emit(event, payload);
    },
    emitToRoom(room, event, payload) {
      io?.to(room).emit(event, payload);
    },
    async disconnectInvalidSessions(userId, isValid) {
      if (!io) return;
      const sockets = userId ? await io.in(userRoom(userId)).fetchSockets() : await io.fetchSockets();
      for (const socket of sockets) {
        if (!(await isValid(socket.handshake.headers.cookie))) socket.disconnect(true);
      }
    },
    async leaveRoomsNoLongerAllowed(prefix, mayStay) {
      if (!io) return;
      const answers = new Map<string, Promise<boolean>>();
      for (const socket of await io.fetchSockets()) {
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
