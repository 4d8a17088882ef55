/**
 * Taking access away reaches connections that are already open: the Yjs websocket and the
 * Socket.io connection of a person whose account is disabled or whose membership has ended.
 */
import { io as connectSocket } from "socket.io-client";
import { describe, expect, it, vi } from "vitest";
import { nzCalendarDate } from "../../app/utils/dates.js";
import { connectClient, documentIdOfKind } from "./collab/collab-clients.js";
import { postFormAs, signIn, startTestServerForSuite } from "../support/server.js";

describe("revoking access while connected", () => {
  const server = startTestServerForSuite();

  const post = (path: string, cookie: string, fields: Record<string, string>) => postFormAs(server, path, cookie, fields);

  it("closes the document connection of a member whose membership ends today", async () => {
    const db = server.services.db;
    const documentId = await documentIdOfKind(db, "terms_of_reference");
    const member = connectClient(server.url, documentId, await signIn(server, "member@example.org"));
    try {
      await vi.waitFor(() => expect(member.provider.synced).toBe(true), { timeout: 10_000 });
      const membership = await db
        .selectFrom("memberships")
        .innerJoin("users", "users.id", "memberships.user_id")
        .select(["memberships.id", "memberships.group_id"])
        .where("users.email", "=", "member@example.org")
        .executeTakeFirstOrThrow();
      const secretary = await signIn(server, "secretary@example.org");
      const yesterday = nzCalendarDate(new Date(Date.now() - 24 * 3600 * 1000));
      const ended = await post(`/groups/${membership.group_id}/members`, secretary, {
        intent: "end",
        membershipId: membership.id,
        endsOn: yesterday,
        reason: "Left the organisation",
      });
      expect(ended.status).toBe(302);
      await vi.waitFor(() => expect(member.closeCodes).toContain(1008), { timeout: 10_000 });
    } finally {
      member.destroy();
    }
  });

  it("disconnects the Socket.io connection and the document connection of a disabled account", async () => {
    const db = server.services.db;
    const documentId = await documentIdOfKind(db, "terms_of_reference");
    const cookie = await signIn(server, "chair@example.org");
    const editor = connectClient(server.url, documentId, cookie);
    const socket = connectSocket(server.url, { transports: ["websocket"], extraHeaders: { cookie }, reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.on("connect", () => resolve());
        socket.on("connect_error", reject);
      });
      await vi.waitFor(() => expect(editor.provider.synced).toBe(true), { timeout: 10_000 });
      const chair = await db.selectFrom("users").select("id").where("email", "=", "chair@example.org").executeTakeFirstOrThrow();
      const admin = await signIn(server, "admin@example.org");
      expect((await post("/admin/accounts", admin, { intent: "disable", userId: chair.id })).status).toBe(302);
      await vi.waitFor(() => expect(socket.connected).toBe(false), { timeout: 10_000 });
      await vi.waitFor(() => expect(editor.closeCodes).toContain(1008), { timeout: 10_000 });
    } finally {
      socket.close();
      editor.destroy();
    }
  });

  it("takes someone whose membership ended out of the meeting rooms they had joined", async () => {
    const db = server.services.db;
    const meeting = await db.selectFrom("meetings").select(["id", "group_id"]).executeTakeFirstOrThrow();
    const observer = await db.selectFrom("users").select("id").where("email", "=", "minister@example.org").executeTakeFirstOrThrow();
    const cookie = await signIn(server, "minister@example.org");
    const socket = connectSocket(server.url, { transports: ["websocket"], extraHeaders: { cookie }, reconnection: false });
    const changes: unknown[] = [];
    socket.on("meeting:changed", (payload: unknown) => changes.push(payload));
    try {
      const joined = await new Promise<{ ok: boolean }>((resolve) => socket.emit("meeting:join", { meetingId: meeting.id }, resolve));
      expect(joined).toEqual({ ok: true });
      const membership = await db
        .selectFrom("memberships")
        .select("id")
        .where("user_id", "=", observer.id)
        .where("group_id", "=", meeting.group_id)
        .executeTakeFirstOrThrow();
      const secretary = await signIn(server, "secretary@example.org");
      const yesterday = nzCalendarDate(new Date(Date.now() - 24 * 3600 * 1000));
      const ended = await post(`/groups/${meeting.group_id}/members`, secretary, {
        intent: "end",
        membershipId: membership.id,
        endsOn: yesterday,
        reason: "Office changed hands",
      });
      expect(ended.status).toBe(302);
      // Their session is still good, so the socket stays connected, but out of the room.
      await vi.waitFor(async () => {
        const sockets = await server.sockets.io.in(`meeting:${meeting.id}`).fetchSockets();
        expect(sockets.some((member) => member.id === socket.id)).toBe(false);
      });
      expect(socket.connected).toBe(true);
      server.services.realtime.emitToRoom(`meeting:${meeting.id}`, "meeting:changed", { meetingId: meeting.id, what: "test" });
      const rejoined = await new Promise<{ ok: boolean; error?: string }>((resolve) => socket.emit("meeting:join", { meetingId: meeting.id }, resolve));
      expect(rejoined).toEqual({ ok: false, error: "FORBIDDEN" });
      expect(changes).toEqual([]);
    } finally {
      socket.close();
    }
  });
});
