/**
 * The protocol fuzz: thousands of malformed Yjs sync and awareness messages (and malformed
 * websocket frames) on many connections to the real server process's /collab endpoint, while two
 * honest editors (the real y-websocket provider) type into the same document. Every bad
 * connection is closed with a close code and nothing it sent is kept; the honest editors are never
 * disconnected, converge, and the stored document (a fresh sync, then the database itself after a
 * clean stop) holds all of their text and nothing else.
 */
import * as Y from "yjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { COLLAB_FIELD, renderText } from "../../app/documents/content.js";
import { connectDatabase } from "../../db/connect.js";
import { MAX_MESSAGE_BYTES } from "../../server/collab/endpoint.js";
import { type CollabClient, appendParagraph, connectClient, storedDoc } from "../server/collab/collab-clients.js";
import { Random, fuzzScale, fuzzSeed, scaled } from "./fuzz-random.js";
import { FuzzTally } from "./fuzz-report.js";
import { FuzzServer, demoIds } from "./fuzz-server.js";
import { upgradeHead } from "./raw-http.js";
import { frame, malformedFrame } from "./websocket-frames.js";
import { websocketExchange } from "./websocket-exchange.js";
import { FuzzUpdates, PROBE, hostileMessage, isSyncStep2, malformedMessage, preludeMessage } from "./yjs-messages.js";

const scale = fuzzScale();
const tally = new FuzzTally("protocol");
let server: FuzzServer;
let documentId: string;
const cookies: Record<"chair" | "member" | "secretary" | "minister", string> = { chair: "", member: "", secretary: "", minister: "" };
const clients: CollabClient[] = [];

beforeAll(async () => {
  server = await FuzzServer.start("protocol");
  for (const role of Object.keys(cookies) as (keyof typeof cookies)[]) cookies[role] = await server.signIn(`${role}@example.org`);
  ({ documentId } = await demoIds(server, cookies.chair));
}, 180_000);

afterAll(async () => {
  for (const client of clients) client.destroy();
  tally.serverErrorsLogged = server?.loggedServerErrors.length ?? 0;
  tally.write();
  await server?.dispose();
}, 60_000);

/** An honest editor: the real provider, typing into a paragraph of its own, and every time it lost its connection. */
function honestEditor(role: "chair" | "member") {
  const client = connectClient(server.url, documentId, cookies[role]);
  clients.push(client);
  const disconnects: string[] = [];
  let connectedOnce = false;
  client.provider.on("status", ({ status }: { status: string }) => {
    if (status === "connected") connectedOnce = true;
    else if (status === "disconnected" && connectedOnce) disconnects.push(status);
  });
  client.provider.on("connection-error", () => disconnects.push("connection error"));
  const prefix = `Honest ${role}: `;
  const sentence = [..."Kia ora koutou katoa, tēnā koutou. Ka pai te mahi a te rōpū. "];
  let typed = "";
  let paragraphText: Y.XmlText | undefined;
  return {
    client,
    disconnects,
    /** The line this editor's paragraph must read. */
    line: () => prefix + typed,
    start() {
      appendParagraph(client.doc, prefix);
      const fragment = client.doc.getXmlFragment(COLLAB_FIELD);
      paragraphText = (fragment.get(fragment.length - 1) as Y.XmlElement).get(0) as Y.XmlText;
    },
    /** One keystroke at the end of its own paragraph, as its own transaction. */
    type() {
      const character = sentence[typed.length % sentence.length]!;
      client.doc.transact(() => paragraphText!.insert(paragraphText!.length, character));
      typed += character;
    },
  };
}

interface BadConnection {
  /** What it is counted as: "malformed sync/awareness message" or "malformed websocket frame". */
  count: "malformed sync/awareness message" | "malformed websocket frame";
  kind: string;
  readOnly: boolean;
  hostile: number;
  run(port: number): Promise<string | undefined>;
}

/** One connection: a few harmless (or, read-only, hostile) messages, one malformed one, then the probe. */
function badConnection(seeded: Random, updates: FuzzUpdates, frameLevel: boolean): BadConnection {
  const random = new Random(seeded.int(0, 0xffffffff));
  const readOnly = random.chance(0.4);
  const beforeAnswer = random.chance(0.5);
  const prelude: Uint8Array[] = Array.from({ length: random.int(0, 2) }, () => preludeMessage(random));
  const hostile = readOnly ? Array.from({ length: random.int(0, 3) }, () => hostileMessage(random, updates)) : [];
  const bad = frameLevel ? malformedFrame(random, MAX_MESSAGE_BYTES) : malformedMessage(random, updates);
  const closeCodes = "closeCodes" in bad ? bad.closeCodes : [1007];
  const badBytes = "closeCodes" in bad ? bad.bytes : frame(bad.bytes);
  const frames = [...prelude.map((bytes) => frame(bytes)), ...hostile.map((message) => frame(message.bytes)), badBytes, frame(PROBE)];
  const kind = `${bad.kind}${readOnly ? " (read-only)" : ""}${hostile.length ? ` after ${hostile.map((message) => message.kind).join(", ")}` : ""}`;
  return {
    count: frameLevel ? "malformed websocket frame" : "malformed sync/awareness message",
    kind,
    readOnly,
    hostile: hostile.length,
    run: async (port) => {
      const head = upgradeHead(port, `/collab/${documentId}`, { Cookie: readOnly ? cookies.minister : cookies.secretary });
      const outcome = await websocketExchange(port, head, {
        ...(beforeAnswer ? { withUpgrade: frames } : { afterUpgrade: frames }),
        until: (received) => received.some((each) => isSyncStep2(each.payload)),
      });
      if (outcome.status !== 101) return `the upgrade was answered ${outcome.status ?? `nothing (${outcome.outcome})`}`;
      if (outcome.outcome === "seen") return "stayed open: it answered the sync step 1 sent after the bad message";
      if (outcome.closeCode === undefined) return `closed without a close code (${outcome.outcome})`;
      // A hostile message that does not decode closes the connection before the malformed one is read.
      const allowed = hostile.length > 0 ? [...closeCodes, 1007] : closeCodes;
      if (!allowed.includes(outcome.closeCode)) return `closed with ${outcome.closeCode} (expected ${closeCodes.join(" or ")})`;
      return undefined;
    },
  };
}

describe("the protocol fuzz", () => {
  it(
    "closes every connection that sends a malformed message with a close code, while two honest editors type, converge and keep all of their text",
    async () => {
      const chair = honestEditor("chair");
      const member = honestEditor("member");
      await vi.waitFor(() => {
        expect(chair.client.provider.synced).toBe(true);
        expect(member.client.provider.synced).toBe(true);
      }, { timeout: 30_000 });
      const initial = new Y.Doc();
      Y.applyUpdate(initial, Y.encodeStateAsUpdate(chair.client.doc));
      const initialLines = chair.client.text().split("\n").filter(Boolean);
      const initialVector = Y.decodeStateVector(Y.encodeStateVector(initial));
      chair.start();
      member.start();
      tally.rssBefore = await server.rssAfterGc();

      const random = new Random(fuzzSeed() + 2);
      const updates = new FuzzUpdates(random);
      const messageCount = scaled(2_000);
      const frameCount = scaled(200);
      const connections = [
        ...Array.from({ length: messageCount }, () => badConnection(random, updates, false)),
        ...Array.from({ length: frameCount }, () => badConnection(random, updates, true)),
      ];
      for (let i = connections.length - 1; i > 0; i--) {
        const j = random.int(0, i);
        [connections[i], connections[j]] = [connections[j]!, connections[i]!];
      }
      const problems = new Map<string, number>();
      const concurrency = 16;
      for (let at = 0; at < connections.length; at += concurrency) {
        const batch = connections.slice(at, at + concurrency);
        server.markCase();
        const results = await Promise.all(batch.map((connection) => connection.run(server.port)));
        for (const [index, problem] of results.entries()) {
          const connection = batch[index]!;
          tally.count(connection.count);
          if (connection.hostile) tally.count("hostile message on a read-only connection", connection.hostile);
          if (problem) {
            const key = `${connection.kind} → ${problem}`;
            problems.set(key, (problems.get(key) ?? 0) + 1);
          }
        }
        const liveness = await server.liveness();
        if (!liveness.alive) {
          tally.crash(`bad /collab connections ${at + 1}–${at + batch.length} (${batch.map((connection) => connection.kind).join("; ")})`, liveness.reason);
          break;
        }
        // The honest editors type while the bad connections come and go.
        chair.type();
        member.type();
      }
      for (const [problem, n] of problems) tally.fail(problem, `×${n}`);
      expect(tally.crashes).toEqual([]);

      await vi.waitFor(
        () => {
          expect(chair.client.text()).toBe(member.client.text());
          expect(chair.client.savedClock()).toBeGreaterThanOrEqual(chair.client.ownClock());
          expect(member.client.savedClock()).toBeGreaterThanOrEqual(member.client.ownClock());
        },
        { timeout: 60_000, interval: 50 },
      );
      tally.rssAfter = await server.rssAfterGc();
      const expectedLines = [...initialLines, chair.line(), member.line()].sort();
      const honestClients = new Set([...initialVector.keys(), chair.client.doc.clientID, member.client.doc.clientID]);
      /** What is in a document that the honest editors did not put there. */
      const foreignContent = (doc: Y.Doc) => {
        const foreign: string[] = [];
        for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) {
          if (!honestClients.has(client)) foreign.push(`client ${client}${updates.clientIds.has(client) ? " (a fuzz update)" : ""} up to clock ${clock}`);
          else if (initialVector.has(client) && initialVector.get(client) !== clock) foreign.push(`client ${client} of the stored state moved from ${initialVector.get(client)} to ${clock}`);
        }
        return foreign;
      };

      // A fresh sync: what anyone opening the document now gets.
      const reader = connectClient(server.url, documentId, cookies.secretary);
      clients.push(reader);
      await vi.waitFor(() => expect(reader.provider.synced).toBe(true), { timeout: 30_000 });
      const freshSync = reader.doc;

      const honestReport = (doc: Y.Doc) => ({
        // Sorted: the two editors' paragraphs may land in either order.
        lines: renderText(doc).split("\n").sort(),
        foreign: foreignContent(doc),
      });
      const expected = { lines: expectedLines, foreign: [] };
      const beforeStop = {
        problems: [...tally.failures],
        chairDisconnects: [...chair.disconnects],
        memberDisconnects: [...member.disconnects],
        chairCloseCodes: [...chair.client.closeCodes],
        memberCloseCodes: [...member.client.closeCodes],
        freshSync: honestReport(freshSync),
      };

      // Then the database itself, after a clean stop (which commits whatever is queued).
      for (const client of clients.splice(0)) client.destroy();
      expect(await server.stop()).toBe(0);
      const database = await connectDatabase({ dataDir: server.dataDir });
      let stored: ReturnType<typeof honestReport>;
      try {
        const doc = await storedDoc(database.db, documentId);
        stored = honestReport(doc);
        doc.destroy();
      } finally {
        await database.close();
      }
      expect({ ...beforeStop, stored }).toEqual({
        problems: [],
        chairDisconnects: [],
        memberDisconnects: [],
        chairCloseCodes: [],
        memberCloseCodes: [],
        freshSync: expected,
        stored: expected,
      });
      expect(tally.total).toBeGreaterThanOrEqual(messageCount);
    },
    600_000 * scale,
  );
});
