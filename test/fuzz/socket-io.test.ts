/**
 * The Socket.io fuzz: real socket.io-client clients (signed in as the demo accounts) send events
 * with wrong types, huge payloads, unknown names and rooms they may not join to the real server
 * process; raw Socket.IO packets and handshakes a client library would never send go over plain
 * websockets. Each event gets an error acknowledgement with a stable code or is ignored; rooms one
 * may not join are refused and nothing from them reaches the refused; the process never dies.
 */
import { type Socket, io as connectSocket } from "socket.io-client";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Random, fuzzScale, fuzzSeed, scaled } from "./fuzz-random.js";
import { FuzzTally } from "./fuzz-report.js";
import { FuzzServer, demoIds } from "./fuzz-server.js";

type Role = "chair" | "member" | "ngo" | "admin" | "minister";
const roles: Role[] = ["chair", "member", "ngo", "admin", "minister"];
/** Roles that may join neither the terms of reference's room nor the meeting's. */
const refusedRoles: Role[] = ["ngo", "admin"];
/** The codes an error acknowledgement may carry. */
const stableCodes = ["BAD_REQUEST", "FORBIDDEN", "NOT_FOUND"];

const scale = fuzzScale();
const maxRestarts = Number(process.env.FUZZ_MAX_RESTARTS ?? "20");
const tally = new FuzzTally("socket.io");
const servers: FuzzServer[] = [];
/** Events from rooms a refused client was never let into: there must be none. */
const leaks: string[] = [];

interface Live {
  server: FuzzServer;
  cookies: Record<Role, string>;
  ids: { documentId: string; meetingId: string };
  clients: Map<Role, Socket>;
}
let live: Live;

function connect(url: string, cookie: string | undefined, options: { transport?: "websocket" | "polling"; origin?: string } = {}): Socket {
  const headers: Record<string, string> = {};
  if (cookie !== undefined) headers.cookie = cookie;
  if (options.origin !== undefined) headers.origin = options.origin;
  return connectSocket(url, { transports: [options.transport ?? "websocket"], extraHeaders: headers, reconnection: false, forceNew: true, timeout: 10_000 });
}

/** Resolves once connected; rejects with the connect_error's message. */
function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => reject(error));
  });
}

async function clientFor(role: Role): Promise<Socket> {
  const existing = live.clients.get(role);
  if (existing?.connected) return existing;
  existing?.close();
  const socket = connect(live.server.url, live.cookies[role], { transport: role === "minister" ? "polling" : "websocket" });
  if (refusedRoles.includes(role)) {
    socket.on("document:presence", (event: unknown) => leaks.push(`${role} heard document:presence ${JSON.stringify(event).slice(0, 200)}`));
    socket.on("meeting:changed", (event: unknown) => leaks.push(`${role} heard meeting:changed ${JSON.stringify(event).slice(0, 200)}`));
  }
  live.clients.set(role, socket);
  await connected(socket);
  return socket;
}

async function startLive(): Promise<void> {
  const server = await FuzzServer.start("socket-io");
  servers.push(server);
  const cookies = {} as Record<Role, string>;
  for (const role of roles) cookies[role] = await server.signIn(`${role}@example.org`);
  const { documentId, meetingId } = await demoIds(server, cookies.chair);
  live = { server, cookies, ids: { documentId, meetingId }, clients: new Map() };
  // The chair is in the rooms the refused try to get into, so anything said there would reach them.
  const chair = await clientFor("chair");
  expect(await chair.timeout(10_000).emitWithAck("document:join", { documentId })).toEqual({ ok: true });
  expect(await chair.timeout(10_000).emitWithAck("meeting:join", { meetingId })).toEqual({ ok: true });
  for (const role of roles) await clientFor(role);
}

beforeAll(async () => {
  await startLive();
  tally.rssBefore = await live.server.rssAfterGc();
}, 180_000);

afterAll(async () => {
  for (const socket of live?.clients.values() ?? []) socket.close();
  tally.serverErrorsLogged = servers.reduce((sum, each) => sum + each.loggedServerErrors.length, 0);
  if (live && !live.server.dead) tally.rssAfter = await live.server.rssAfterGc().catch(() => undefined);
  tally.write();
  for (const each of servers) await each.dispose();
}, 60_000);

/** The server's answer to `ping`, or how the socket went away first (bounded: 10 s). */
function pingOrDisconnect(socket: Socket): Promise<"pong" | `disconnected (${string})` | "no answer"> {
  if (!socket.connected) return Promise.resolve("disconnected (before the ping)");
  return new Promise((resolve) => {
    const timer = setTimeout(() => done("no answer"), 10_000);
    const onDisconnect = (reason: string) => done(`disconnected (${reason})`);
    function done(outcome: "pong" | `disconnected (${string})` | "no answer") {
      clearTimeout(timer);
      socket.off("disconnect", onDisconnect);
      resolve(outcome);
    }
    socket.once("disconnect", onDisconnect);
    socket.emit("ping", {}, () => done("pong"));
  });
}

/** What came of an event: "ok", an error code, "ignored", "disconnected (…)", or what else it was. */
type Outcome = string;

function outcomeOfAck(ack: unknown): Outcome {
  if (typeof ack === "object" && ack !== null && (ack as { ok?: unknown }).ok === true) return "ok";
  if (typeof ack === "object" && ack !== null && (ack as { ok?: unknown }).ok === false && Object.keys(ack).length === 2) {
    const error = (ack as { error?: unknown }).error;
    if (typeof error === "string") return error;
  }
  return `an acknowledgement of ${JSON.stringify(ack)?.slice(0, 100)}`;
}

/**
 * Emits `event` with `args` (and an acknowledgement callback unless `withAck` is false), then a
 * ping: events are handled in order, so an answer that has not come by the ping's is not coming,
 * unless the handler asks the database first (then `waitForAck` waits for it, 10 s at most).
 */
async function emitAndObserve(socket: Socket, event: string, args: unknown[], options: { withAck?: boolean; waitForAck?: boolean } = {}): Promise<Outcome> {
  let acked: ((value: unknown) => void) | undefined;
  const ack = new Promise<unknown>((resolve) => (acked = resolve));
  let answer: { value: unknown } | undefined;
  const callback = (value: unknown) => {
    answer = { value };
    acked!(value);
  };
  socket.emit(event, ...args, ...(options.withAck === false ? [] : [callback]));
  const probe = await pingOrDisconnect(socket);
  if (!answer && options.waitForAck && probe === "pong") {
    await Promise.race([ack, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  }
  if (answer) return outcomeOfAck(answer.value);
  if (probe !== "pong") return probe === "no answer" ? "no answer to a ping after it" : probe;
  return "ignored";
}

interface SocketCase {
  kind: string;
  name: string;
  /** The outcomes it may have ("disconnected" stands for any disconnect). */
  allowed: Outcome[];
  run(): Promise<Outcome>;
}

/** Payloads of the wrong shape for `{ documentId }` / `{ meetingId }`. */
function wrongPayload(random: Random, ids: Live["ids"]): [string, unknown] {
  const deep = (depth: number): unknown => (depth === 0 ? ids.documentId : { documentId: deep(depth - 1) });
  return random.pick<[string, unknown]>([
    ["a number", 42],
    ["a string", ids.documentId],
    ["true", true],
    ["null", null],
    ["an empty array", []],
    ["an array of the id", [ids.documentId]],
    ["an empty object", {}],
    ["a numeric id", { documentId: 42, meetingId: 42 }],
    ["an id that is not a UUID", { documentId: "not-a-uuid", meetingId: "%E0%A4%A" }],
    // Under the 64 KB limit on a message, both ids together.
    ["an id of 25 KB", { documentId: "a".repeat(25_000), meetingId: "a".repeat(25_000) }],
    ["an id that is an object", { documentId: { $ne: null }, meetingId: { $gt: "" } }],
    ["an id that is an array", { documentId: [ids.documentId], meetingId: [ids.meetingId] }],
    ["an id nested 200 deep", deep(200)],
    ["binary", Buffer.from(random.bytes(random.int(1, 2_000)))],
    ["an id that is binary", { documentId: Buffer.from(ids.documentId), meetingId: Buffer.from(ids.meetingId) }],
    ["__proto__ carrying the id", JSON.parse(`{"__proto__":{"documentId":"${ids.documentId}","meetingId":"${ids.meetingId}"}}`) as unknown],
    ["the wrong key", { document: ids.documentId, meeting: ids.meetingId }],
    ["an id with a NUL", { documentId: `${ids.documentId}\u0000`, meetingId: `${ids.meetingId}\u0000` }],
    ["an empty id", { documentId: "", meetingId: "" }],
    ["the nil UUID in braces", { documentId: "{00000000-0000-0000-0000-000000000000}", meetingId: "{00000000-0000-0000-0000-000000000000}" }],
  ]);
}

const knownEvents = ["document:join", "document:leave", "meeting:join", "meeting:leave", "proposal:join", "proposal:leave"] as const;

function socketCase(seeded: Random): SocketCase {
  const random = new Random(seeded.int(0, 0xffffffff));
  const roll = random.float();
  const role = random.pick(roles);
  const event = random.pick(knownEvents);
  if (roll < 0.35) {
    const payloadPick = random.int(0, 1_000_000);
    const label = wrongPayload(new Random(payloadPick), { documentId: "d", meetingId: "m" })[0];
    return {
      kind: "wrong type",
      name: `${role}: ${event} with ${label}`,
      allowed: ["BAD_REQUEST"],
      run: async () => emitAndObserve(await clientFor(role), event, [wrongPayload(new Random(payloadPick), live.ids)[1]]),
    };
  }
  if (roll < 0.45) {
    const shape = random.pick(["nothing at all", "no acknowledgement", "extra arguments", "an acknowledgement in the payload's place"] as const);
    return {
      kind: "missing or extra arguments",
      name: `${role}: ${event} with ${shape}`,
      allowed: ["BAD_REQUEST", "ignored"],
      run: async () => {
        const socket = await clientFor(role);
        if (shape === "nothing at all") return emitAndObserve(socket, event, [], { withAck: false });
        if (shape === "no acknowledgement") return emitAndObserve(socket, event, [{ documentId: live.ids.documentId, meetingId: live.ids.meetingId }], { withAck: false });
        if (shape === "extra arguments") return emitAndObserve(socket, event, [{ documentId: live.ids.documentId }, "extra", 42, { more: true }]);
        return emitAndObserve(socket, event, [], { withAck: true });
      },
    };
  }
  if (roll < 0.52) {
    const size = random.pick([70_000, 200_000, 1_000_000, 3_000_000]);
    const inBinary = random.chance(0.3);
    const target = random.pick<Role>(["member", "minister", "ngo"]);
    return {
      kind: "huge payload",
      name: `${target}: ${event} with a ${inBinary ? "binary " : ""}payload of ${size.toLocaleString("en-NZ")} bytes`,
      // Over the 64 KB limit the server drops that client's connection; that is the client's own loss.
      allowed: ["disconnected", "BAD_REQUEST", "ignored"],
      run: async () => emitAndObserve(await clientFor(target), event, [inBinary ? { documentId: Buffer.alloc(size, 7) } : { documentId: "x".repeat(size) }]),
    };
  }
  if (roll < 0.7) {
    const name = random.pick([
      "join",
      "room:join",
      "subscribe",
      "document:edit",
      "document:join ",
      "Document:Join",
      "meeting:start",
      "proposal:vote",
      "proposal:changed",
      "admin:delete",
      "user:join",
      "error",
      "constructor",
      "__proto__",
      "toString",
      "hasOwnProperty",
      "ping\u0000",
      "",
      "x".repeat(random.int(100, 5_000)),
      random.string(random.int(1, 30), "abcdefghijklmnopqrstuvwxyz:._-/"),
    ]);
    return {
      kind: "unknown event",
      name: `${role}: unknown event ${JSON.stringify(name.slice(0, 40))}`,
      allowed: ["ignored", ...stableCodes],
      run: async () => emitAndObserve(await clientFor(role), name, [random.pick<unknown>([{ documentId: live.ids.documentId }, `user:${live.ids.documentId}`, null, 1, []])]),
    };
  }
  if (roll < 0.87) {
    const target = random.chance(0.75) ? random.pick(refusedRoles) : random.pick<Role>(["member", "minister"]);
    const what = random.pick(["the terms of reference", "the meeting", "no such document", "no such meeting", "the terms of reference in capitals"] as const);
    const unknownId = random.uuid();
    const joinEvent = what.includes("meeting") ? "meeting:join" : "document:join";
    const allowed: Outcome[] =
      what === "no such document" || what === "no such meeting"
        ? ["NOT_FOUND"]
        : refusedRoles.includes(target)
          ? what === "the terms of reference in capitals"
            ? ["FORBIDDEN", "NOT_FOUND", "BAD_REQUEST"]
            : // A refusal: FORBIDDEN, or NOT_FOUND where the server does not say the room exists.
              ["FORBIDDEN", "NOT_FOUND"]
          : what === "the terms of reference in capitals"
            ? ["ok", "NOT_FOUND", "BAD_REQUEST"]
            : ["ok"];
    return {
      kind: "room one may not join",
      name: `${target}: ${joinEvent} ${what}`,
      allowed,
      run: async () => {
        const id =
          what === "the terms of reference"
            ? live.ids.documentId
            : what === "the meeting"
              ? live.ids.meetingId
              : what === "the terms of reference in capitals"
                ? live.ids.documentId.toUpperCase()
                : unknownId;
        const payload = joinEvent === "meeting:join" ? { meetingId: id } : { documentId: id };
        const outcome = await emitAndObserve(await clientFor(target), joinEvent, [payload], { waitForAck: true });
        // Something said in the rooms now: if a refused client got in after all, it hears it.
        const chair = await clientFor("chair");
        await chair.timeout(10_000).emitWithAck("document:leave", { documentId: live.ids.documentId });
        await chair.timeout(10_000).emitWithAck("document:join", { documentId: live.ids.documentId });
        return outcome;
      },
    };
  }
  if (roll < 0.95) {
    const packet = rawPacket(random);
    const target = random.pick<Role>(["member", "ngo"]);
    return {
      kind: "raw Socket.IO packet",
      name: `${target}: raw packet ${JSON.stringify(typeof packet === "string" ? packet.slice(0, 60) : `<${packet.length} binary bytes>`)}`,
      allowed: ["answered", "closed"],
      run: () => rawPacketExchange(live.server.port, live.cookies[target], packet),
    };
  }
  const handshake = random.pick(["no cookie", "an undecodable cookie", "a session that does not exist", "Origin: null", "Origin: not a url", "Origin: http://evil.example", "Origin: http://localhost:3000", "Origin: http://[::1"] as const);
  const transport = random.pick(["websocket", "polling"] as const);
  return {
    kind: "handshake",
    name: `handshake with ${handshake} over ${transport}`,
    allowed: ["refused"],
    run: async () => {
      const cookie =
        handshake === "no cookie"
          ? undefined
          : handshake === "an undecodable cookie"
            ? "stewardship_session=%%%"
            : handshake === "a session that does not exist"
              ? `stewardship_session=${random.string(40)}`
              : live.cookies.member;
      const origin = handshake.startsWith("Origin: ") ? handshake.slice("Origin: ".length) : undefined;
      const socket = connect(live.server.url, cookie, { transport, ...(origin !== undefined ? { origin } : {}) });
      try {
        await connected(socket);
        return "connected";
      } catch {
        return "refused";
      } finally {
        socket.close();
      }
    },
  };
}

/** Socket.IO and Engine.IO packets no client library would write. */
function rawPacket(random: Random): string | Buffer {
  return random.pick<string | Buffer>([
    "42",
    "42[",
    "42{}",
    "42[]",
    "42[1]",
    "42[null]",
    "42[{}]",
    '42["error"]',
    '42["error",{"message":"x"}]',
    '42["newListener","x"]',
    '42["disconnect"]',
    '42["disconnecting"]',
    '42["connect"]',
    '42["__proto__"]',
    '42["constructor",{}]',
    "43[]",
    "43x[]",
    `42${"9".repeat(30)}["ping",{}]`,
    "49",
    "4",
    "",
    '45-["document:join",{"_placeholder":true,"num":0}]',
    '451-["document:join",{"_placeholder":true,"num":99}]',
    '451-["document:join",{"_placeholder":"yes","num":"x"}]',
    "46",
    "40/admin,",
    '40/nowhere,{"token":"x"}',
    "41",
    '44{"message":"x"}',
    '42/,["ping"]',
    `42${"[".repeat(5_000)}${"]".repeat(5_000)}`,
    `42["document:join",${"{\"a\":".repeat(2_000)}1${"}".repeat(2_000)}]`,
    "1",
    "5",
    "6",
    "7",
    "2probe",
    `4${random.string(random.int(1, 100), "0123456789[]{}\":,-/abc")}`,
    Buffer.from(random.bytes(random.int(1, 500))),
    `b${Buffer.from(random.bytes(50)).toString("base64")}`,
  ]);
}

/**
 * A raw websocket to /socket.io/: the Engine.IO open, the Socket.IO connect, then `packet`, then a
 * ping event asking for an acknowledgement. "answered" when the ping is acknowledged, "closed"
 * when the server closed the connection instead (its own to close), anything else is wrong.
 */
function rawPacketExchange(port: number, cookie: string, packet: string | Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, { headers: { cookie } });
    let stage: "open" | "connect" | "probe" = "open";
    const leavesNamespace = packet === "41";
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish(`no answer in stage ${stage}`), 10_000);
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? "" : data.toString();
      if (text === "2") ws.send("3");
      if (stage === "open" && text.startsWith("0{")) {
        stage = "connect";
        ws.send("40");
      } else if (stage === "connect" && text.startsWith("40")) {
        stage = "probe";
        ws.send(packet);
        // After a disconnect packet the namespace is gone: connecting again is what gets an answer.
        ws.send(leavesNamespace ? "40" : '4277["ping",{}]');
      } else if (stage === "connect" && text.startsWith("44")) {
        finish(`refused at connect: ${text.slice(0, 80)}`);
      } else if (stage === "probe" && (leavesNamespace ? text.startsWith("40{") : text.startsWith("4377"))) {
        finish("answered");
      }
    });
    ws.on("error", () => finish(stage === "probe" ? "closed" : `error in stage ${stage}`));
    ws.on("close", () => finish(stage === "probe" ? "closed" : `closed in stage ${stage}`));
  });
}

describe("the Socket.io fuzz", () => {
  it(
    "answers wrong types, huge payloads, unknown events and forbidden rooms with an error acknowledgement or not at all, and never dies",
    async () => {
      const random = new Random(fuzzSeed() + 3);
      const cases = Array.from({ length: scaled(1_000) }, () => socketCase(random));
      /** Cases that crashed the server once are not sent again: the finding is made, the run goes on. */
      const crashed = new Set<string>();
      for (const testCase of cases) {
        if (crashed.has(testCase.name)) {
          tally.count("not sent again after it crashed the server");
          continue;
        }
        if (live.server.dead) {
          if (servers.length > maxRestarts) {
            tally.fail(testCase.name, "not sent: the server crashed too often in this run");
            continue;
          }
          await live.server.dispose();
          await startLive();
        }
        tally.count(testCase.kind);
        live.server.markCase();
        let outcome: Outcome;
        try {
          outcome = await testCase.run();
        } catch (error) {
          outcome = `the test could not send it (${(error as Error).message})`;
        }
        const liveness = await live.server.liveness();
        if (!liveness.alive) {
          crashed.add(testCase.name);
          tally.crash(testCase.name, `${liveness.reason}; the client saw ${outcome}`);
          continue;
        }
        const accepted = testCase.allowed.some((allowed) => outcome === allowed || (allowed === "disconnected" && outcome.startsWith("disconnected")));
        if (!accepted) tally.fail(testCase.name, outcome, testCase.allowed.join(" or "));
      }
      for (const leak of leaks) tally.fail("a room it was refused", leak);
      // The same finding on many events is one line, with its count.
      const distinct = new Map<string, number>();
      for (const failure of tally.failures) distinct.set(failure, (distinct.get(failure) ?? 0) + 1);
      expect([...distinct].map(([failure, n]) => (n > 1 ? `${failure} ×${n}` : failure))).toEqual([]);
    },
    600_000 * scale,
  );
});
