/**
 * Presence over Socket.io: joining a document's room goes through the policy, everyone in the room
 * hears who is there (with their organisation) on every join, leave and disconnect, and a bad
 * payload gets an error acknowledgement instead of an exception.
 */
import { createOriginRule } from "../../server/http/origin.js";
import http from "node:http";
import { type Socket, io as connectSocket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createAuth } from "../../app/auth/lucia.server.js";
import type { DatabaseHandle } from "../../db/connect.js";
import { seedDemo } from "../../server/seed-demo.js";
import { loadConfig } from "../../server/config.js";
import { createLogger } from "../../server/logger.js";
import { type SocketService, createSocketService } from "../../server/socket.js";
import { openTestDatabase } from "../support/database.js";

interface Viewer {
  userId: string;
  name: string;
  organisation: string | null;
}
interface PresenceEvent {
  documentId: string;
  viewers: Viewer[];
}
type Ack = { ok: true } | { ok: false; error: string };

/**
 * The Socket.io service on its own HTTP server over a seeded database, as server/app.ts builds it
 * (with the database, which presence needs to ask the policy), and sessions made by the same auth.
 */
async function startSocketServer() {
  const database: DatabaseHandle = await openTestDatabase("pglite");
  await seedDemo(database.db);
  const config = loadConfig({ NODE_ENV: "test", PORT: "0", LOG_LEVEL: "silent" });
  const auth = createAuth(database.db, { secureCookies: false });
  const httpServer = http.createServer();
  const sockets: SocketService = createSocketService(httpServer, {
    logger: createLogger(config),
    origins: createOriginRule({ publicUrl: config.publicUrl, trustProxy: config.trustProxy }),
    auth,
    db: database.db,
  });
  httpServer.on("upgrade", sockets.handleUpgrade);
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const address = httpServer.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    url,
    db: database.db,
    async cookieFor(email: string) {
      const user = await database.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow();
      const { setCookie } = await auth.signIn(user.id, { ip: null, userAgent: "presence test" });
      return setCookie.split(";")[0]!;
    },
    async close() {
      await sockets.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await database.close();
    },
  };
}

describe("document presence", () => {
  let server: Awaited<ReturnType<typeof startSocketServer>>;
  let termsId: string;
  const open: Socket[] = [];

  beforeAll(async () => {
    server = await startSocketServer();
    termsId = (
      await server.db.selectFrom("documents").select("id").where("kind", "=", "terms_of_reference").executeTakeFirstOrThrow()
    ).id;
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(async () => {
    await server?.close();
  });

  /** A connected socket.io client signed in as `email`, recording every presence event it hears. */
  async function connectAs(email: string) {
    const cookie = await server.cookieFor(email);
    const socket = connectSocket(server.url, { transports: ["websocket"], extraHeaders: { cookie }, reconnection: false });
    open.push(socket);
    const heard: PresenceEvent[] = [];
    socket.on("document:presence", (event: PresenceEvent) => heard.push(event));
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    const emit = (event: string, payload: unknown) =>
      new Promise<Ack>((resolve) => socket.emit(event, payload, (ack: Ack) => resolve(ack)));
    /** The names in the latest presence event for the document. */
    const names = (documentId = termsId) =>
      heard
        .filter((event) => event.documentId === documentId)
        .at(-1)
        ?.viewers.map((viewer) => viewer.name)
        .sort() ?? [];
    return { socket, heard, emit, names };
  }

  it("lets two members join the terms of reference and see each other's names and organisations", async () => {
    const chair = await connectAs("chair@example.org");
    const member = await connectAs("member@example.org");

    expect(await chair.emit("document:join", { documentId: termsId })).toEqual({ ok: true });
    await vi.waitFor(() => expect(chair.names()).toEqual(["Rāwiri Te Awa"]));

    expect(await member.emit("document:join", { documentId: termsId })).toEqual({ ok: true });
    await vi.waitFor(() => expect(chair.names()).toEqual(["Rāwiri Te Awa", "Tama Ngata"]));
    await vi.waitFor(() => expect(member.names()).toEqual(["Rāwiri Te Awa", "Tama Ngata"]));

    const latest = member.heard.at(-1)!;
    expect(latest.viewers).toContainEqual(
      expect.objectContaining({ name: "Tama Ngata", organisation: "Whaikaha – Ministry of Disabled People" }),
    );
    expect(latest.viewers).toContainEqual(
      expect.objectContaining({ name: "Rāwiri Te Awa", organisation: "Te Rūnanga o Ngā Kaitiaki (demo iwi provider)" }),
    );
  });

  it("tells the others when someone leaves or disconnects", async () => {
    const chair = await connectAs("chair@example.org");
    const member = await connectAs("member@example.org");
    const secretary = await connectAs("secretary@example.org");
    for (const person of [chair, member, secretary]) {
      expect(await person.emit("document:join", { documentId: termsId })).toEqual({ ok: true });
    }
    await vi.waitFor(() => expect(chair.names()).toEqual(["Rāwiri Te Awa", "Sophie Lin", "Tama Ngata"]));

    expect(await member.emit("document:leave", { documentId: termsId })).toEqual({ ok: true });
    await vi.waitFor(() => expect(chair.names()).toEqual(["Rāwiri Te Awa", "Sophie Lin"]));

    secretary.socket.disconnect();
    await vi.waitFor(() => expect(chair.names()).toEqual(["Rāwiri Te Awa"]));
  });

  it("lists a person once however many tabs they have open", async () => {
    const first = await connectAs("member@example.org");
    const second = await connectAs("member@example.org");
    await first.emit("document:join", { documentId: termsId });
    await second.emit("document:join", { documentId: termsId });
    await vi.waitFor(() => expect(second.names()).toEqual(["Tama Ngata"]));
    first.socket.disconnect();
    // Still here in the other tab.
    await vi.waitFor(() => expect(second.heard.length).toBeGreaterThanOrEqual(2));
    expect(second.names()).toEqual(["Tama Ngata"]);
  });

  it("refuses a consultee's join with NOT_FOUND, as for a document that does not exist, and tells nobody about them", async () => {
    const chair = await connectAs("chair@example.org");
    await chair.emit("document:join", { documentId: termsId });
    const consultee = await connectAs("ngo@example.org");
    expect(await consultee.emit("document:join", { documentId: termsId })).toEqual({ ok: false, error: "NOT_FOUND" });
    // The consultee is not in the room: a later join by someone else does not reach them.
    const member = await connectAs("member@example.org");
    await member.emit("document:join", { documentId: termsId });
    await vi.waitFor(() => expect(chair.names()).toEqual(["Rāwiri Te Awa", "Tama Ngata"]));
    expect(consultee.heard).toEqual([]);
  });

  it("answers NOT_FOUND for a document that does not exist", async () => {
    const member = await connectAs("member@example.org");
    expect(await member.emit("document:join", { documentId: "00000000-0000-4000-8000-000000000000" })).toEqual({
      ok: false,
      error: "NOT_FOUND",
    });
  });

  it("answers a malformed payload with BAD_REQUEST and keeps the connection", async () => {
    const member = await connectAs("member@example.org");
    expect(await member.emit("document:join", { documentId: "not-a-uuid" })).toEqual({ ok: false, error: "BAD_REQUEST" });
    expect(await member.emit("document:join", "just a string")).toEqual({ ok: false, error: "BAD_REQUEST" });
    expect(await member.emit("document:join", null)).toEqual({ ok: false, error: "BAD_REQUEST" });
    expect(await member.emit("document:leave", { documentId: 42 })).toEqual({ ok: false, error: "BAD_REQUEST" });
    expect(member.socket.connected).toBe(true);
    expect(await member.emit("document:join", { documentId: termsId })).toEqual({ ok: true });
  });
});
