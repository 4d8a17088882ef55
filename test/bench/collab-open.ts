/**
 * Benchmark (not a test) of the Yjs collaboration endpoint against the real server process:
 *
 * 1. Time to open a document (server load + first sync, as a y-websocket client sees it) with 10k
 *    and 100k stored updates of realistic typing (one character per update at a moving cursor),
 *    with every update still in the log ("tail") and after compaction ("snapshot"). The database
 *    read and the Yjs apply are also timed on their own.
 * 2. Updates per second the endpoint persists: N clients typing into one document for a few
 *    seconds; keystrokes acknowledged as saved (message 100), rows committed, and the time from a
 *    keystroke to its acknowledgement.
 *
 * Runs on embedded PGlite (a DATA_DIR the server process owns) and, when BENCH_DATABASE_URL is set,
 * on PostgreSQL (a schema of its own, dropped afterwards). Prints a Markdown table and JSON.
 *
 *   npm run bench:collab
 */
import { type ChildProcess, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Kysely, sql } from "kysely";
import * as Y from "yjs";
import { COLLAB_FIELD } from "../../app/documents/content.js";
import { type DatabaseHandle, connectDatabase } from "../../db/connect.js";
import type { Database } from "../../db/database.js";
import { migrateToLatest } from "../../db/migrate.js";
import { seedDemo } from "../../db/seed-demo.js";
import { applyStoredState, compactDocument, readStoredState } from "../../server/collab/document-store.js";
import { type CollabClient, connectClient } from "../collab/collab-clients.js";

const root = path.resolve(import.meta.dirname, "..", "..");
const sizes = [10_000, 100_000];
const typingSeconds = 3;
const typingScenarios = [
  { clients: 1, charsPerSecond: 0 }, // 0: as fast as the socket takes them
  { clients: 10, charsPerSecond: 50 },
  { clients: 50, charsPerSecond: 10 },
];

interface OpenResult {
  database: string;
  updates: number;
  stored: "tail" | "snapshot";
  storedBytes: number;
  dbReadMs: number;
  applyMs: number;
  openMs: number;
}

interface TypingResult {
  database: string;
  clients: number;
  offeredPerSecond: number;
  acknowledgedUpdates: number;
  updatesPerSecond: number;
  rowsCommitted: number;
  rowsPerSecond: number;
  ackP50Ms: number;
  ackP95Ms: number;
}

// ---- realistic typing ---------------------------------------------------------------------------

/** A small deterministic PRNG, so every run types the same text. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 2 ** 32;
  };
}

/** `count` updates, one character each, typed at a cursor that mostly moves forward and sometimes jumps. */
function typingUpdates(count: number, seed: number): Uint8Array[] {
  const doc = new Y.Doc();
  // A fixed client id: update sizes depend on its varint length.
  doc.clientID = 1_234_567;
  const text = new Y.XmlText();
  const paragraph = new Y.XmlElement("paragraph");
  doc.transact(() => {
    paragraph.insert(0, [text]);
    doc.getXmlFragment(COLLAB_FIELD).insert(0, [paragraph]);
  });
  const updates: Uint8Array[] = [Y.encodeStateAsUpdate(doc)];
  doc.on("update", (update: Uint8Array) => updates.push(update));
  const next = random(seed);
  const words = "the stewardship group oversees relational commissioning with whānau iwi hapū and communities ".split("");
  let cursor = 0;
  for (let i = 1; i < count; i++) {
    if (next() < 0.01) cursor = Math.floor(next() * (text.length + 1));
    text.insert(cursor, words[i % words.length]!);
    cursor++;
  }
  doc.destroy();
  return updates;
}

// ---- preparing a database -----------------------------------------------------------------------

async function newPaper(db: Kysely<Database>, title: string): Promise<string> {
  const group = await db.selectFrom("groups").select("id").executeTakeFirstOrThrow();
  const row = await db
    .insertInto("documents")
    .values({ group_id: group.id, kind: "paper", title })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function insertLog(db: Kysely<Database>, documentId: string, updates: Uint8Array[]): Promise<void> {
  for (let start = 0; start < updates.length; start += 2_000) {
    await db
      .insertInto("document_updates")
      .values(updates.slice(start, start + 2_000).map((update) => ({ document_id: documentId, update })))
      .execute();
  }
}

interface PreparedDocument {
  id: string;
  updates: number;
  stored: "tail" | "snapshot";
  storedBytes: number;
  dbReadMs: number;
  applyMs: number;
}

async function prepare(
  db: Kysely<Database>,
): Promise<{ documents: PreparedDocument[]; typingDocuments: string[]; warmUpDocument: string }> {
  await seedDemo(db);
  const warmUp = await db.selectFrom("documents").select("id").where("kind", "=", "agenda").executeTakeFirstOrThrow();
  const documents: PreparedDocument[] = [];
  for (const size of sizes) {
    const updates = typingUpdates(size, size);
    for (const stored of ["tail", "snapshot"] as const) {
      const id = await newPaper(db, `${size} updates, ${stored}`);
      await insertLog(db, id, updates);
      if (stored === "snapshot") await compactDocument(db, id, () => null);
      // The two halves of a load, timed on their own.
      const readStarted = performance.now();
      const state = await readStoredState(db, id);
      const dbReadMs = performance.now() - readStarted;
      const applyStarted = performance.now();
      applyStoredState(state).destroy();
      const applyMs = performance.now() - applyStarted;
      const storedBytes = (state.snapshot?.byteLength ?? 0) + state.tail.reduce((sum, row) => sum + row.update.byteLength, 0);
      documents.push({ id, updates: size, stored, storedBytes, dbReadMs, applyMs });
    }
  }
  const typingDocuments: string[] = [];
  for (const scenario of typingScenarios) typingDocuments.push(await newPaper(db, `typing by ${scenario.clients}`));
  return { documents, typingDocuments, warmUpDocument: warmUp.id };
}

// ---- the server process -------------------------------------------------------------------------

async function startServerProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(path.join(root, "node_modules", ".bin", "tsx"), ["server/main.ts"], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", HOST: "127.0.0.1", PORT: "0", SEED_DEMO: "never", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /ready at (http:\/\/localhost:\d+)/.exec(stdout)?.[1];
      if (found) resolve(found);
    });
    child.on("exit", (code) => reject(new Error(`the server exited (${code}) before it was ready`)));
  });
  return {
    url,
    child,
    stop: async () => {
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

async function signIn(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: url },
    body: new URLSearchParams({ email, password: "kia-ora-demo" }),
  });
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith("stewardship_session="));
  if (!cookie) throw new Error(`could not sign in as ${email} (${response.status})`);
  return cookie.split(";")[0]!;
}

function until(condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      if (condition()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error("timed out"));
      setTimeout(check, 2);
    };
    check();
  });
}

// ---- measurements -------------------------------------------------------------------------------

async function measureOpen(url: string, cookie: string, document: PreparedDocument, database: string): Promise<OpenResult> {
  const started = performance.now();
  const client = connectClient(url, document.id, cookie);
  await until(() => client.provider.synced);
  const openMs = performance.now() - started;
  const length = (client.doc.getXmlFragment(COLLAB_FIELD).get(0) as Y.XmlElement).toString().length;
  if (length < document.updates / 2) throw new Error(`opened document ${document.id} looks incomplete`);
  client.destroy();
  return {
    database,
    updates: document.updates,
    stored: document.stored,
    storedBytes: document.storedBytes,
    dbReadMs: round(document.dbReadMs),
    applyMs: round(document.applyMs),
    openMs: round(openMs),
  };
}

async function measureTyping(
  url: string,
  cookies: string[],
  documentId: string,
  scenario: (typeof typingScenarios)[number],
  database: string,
): Promise<TypingResult> {
  const observer = connectClient(url, documentId, cookies[0]);
  const typists: CollabClient[] = [];
  for (let i = 0; i < scenario.clients; i++) typists.push(connectClient(url, documentId, cookies[i % cookies.length]));
  await until(() => observer.provider.synced && typists.every((client) => client.provider.synced));
  // Each person types at the end of a paragraph of their own.
  const texts = typists.map((client, index) => {
    const text = new Y.XmlText(`${index}: `);
    client.doc.transact(() => {
      const paragraph = new Y.XmlElement("paragraph");
      paragraph.insert(0, [text]);
      const fragment = client.doc.getXmlFragment(COLLAB_FIELD);
      fragment.insert(fragment.length, [paragraph]);
    });
    return text;
  });
  await until(() => typists.every((client) => client.savedClock() >= client.ownClock()));
  const savedBefore = observer.saved.length;
  const clocksBefore = typists.map((client) => client.ownClock());

  // Keystroke times by clock, to time each keystroke's acknowledgement.
  const typedAt = typists.map(() => new Map<number, number>());
  const latencies: number[] = [];
  typists.forEach((client, index) => {
    const handler = client.provider.messageHandlers[100]!;
    let acknowledged = client.ownClock();
    client.provider.messageHandlers[100] = (encoder, decoder, provider, emitSynced, messageType) => {
      handler(encoder, decoder, provider, emitSynced, messageType);
      const now = performance.now();
      const clock = client.savedClock();
      for (let c = acknowledged; c < clock; c++) {
        const at = typedAt[index]!.get(c);
        if (at !== undefined) latencies.push(now - at);
      }
      acknowledged = Math.max(acknowledged, clock);
    };
  });
  const type = (index: number) => {
    const client = typists[index]!;
    typedAt[index]!.set(client.ownClock(), performance.now());
    client.doc.transact(() => texts[index]!.insert(texts[index]!.length, "x"));
  };

  const started = performance.now();
  const stopAt = started + typingSeconds * 1000;
  let offered = 0;
  await new Promise<void>((resolve) => {
    if (scenario.charsPerSecond === 0) {
      const loop = () => {
        if (performance.now() >= stopAt) return resolve();
        const socket = typists[0]!.provider.ws as unknown as { bufferedAmount: number } | null;
        if (!socket || socket.bufferedAmount < 64 * 1024) {
          type(0);
          offered++;
        }
        setImmediate(loop);
      };
      loop();
    } else {
      const interval = 1000 / scenario.charsPerSecond;
      const timers = typists.map((_, index) =>
        setInterval(() => {
          type(index);
          offered++;
        }, interval),
      );
      setTimeout(() => {
        timers.forEach(clearInterval);
        resolve();
      }, typingSeconds * 1000);
    }
  });
  await until(() => typists.every((client) => client.savedClock() >= client.ownClock()));
  const elapsed = (performance.now() - started) / 1000;
  const acknowledgedUpdates = typists.reduce((sum, client, index) => sum + client.savedClock() - clocksBefore[index]!, 0);
  const rowsCommitted = observer.saved.length - savedBefore;
  for (const client of [observer, ...typists]) client.destroy();
  latencies.sort((a, b) => a - b);
  return {
    database,
    clients: scenario.clients,
    offeredPerSecond: round(offered / typingSeconds),
    acknowledgedUpdates,
    updatesPerSecond: round(acknowledgedUpdates / elapsed),
    rowsCommitted,
    rowsPerSecond: round(rowsCommitted / elapsed),
    ackP50Ms: round(percentile(latencies, 0.5)),
    ackP95Ms: round(percentile(latencies, 0.95)),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

// ---- one database target ------------------------------------------------------------------------

async function runTarget(
  database: "pglite" | "postgres",
): Promise<{ opens: OpenResult[]; typing: TypingResult[] }> {
  let handle: DatabaseHandle;
  let serverEnv: Record<string, string>;
  let cleanup: () => Promise<void>;
  if (database === "pglite") {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stewardship-bench-"));
    handle = await connectDatabase({ dataDir });
    serverEnv = { DATA_DIR: dataDir };
    cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  } else {
    const url = process.env.BENCH_DATABASE_URL!;
    const schema = `bench_${crypto.randomBytes(4).toString("hex")}`;
    const admin = await connectDatabase({ databaseUrl: url, maxConnections: 1 });
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);
    handle = await connectDatabase({ databaseUrl: url, searchPath: schema });
    const serverUrl = new URL(url);
    serverUrl.searchParams.set("options", `-c search_path=${schema}`);
    serverEnv = { DATABASE_URL: serverUrl.toString() };
    cleanup = async () => {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
      await admin.close();
    };
  }
  try {
    await migrateToLatest(handle.db);
    process.stderr.write(`[${database}] preparing documents…\n`);
    const { documents, typingDocuments, warmUpDocument } = await prepare(handle.db);
    // PGlite: one process owns the data directory, so the benchmark lets go before the server starts.
    await handle.close();
    const server = await startServerProcess(serverEnv);
    try {
      const cookies = await Promise.all(
        ["member", "chair", "secretary"].map((who) => signIn(server.url, `${who}@example.org`)),
      );
      // Warm up the server's code paths on the seeded agenda.
      const warm = connectClient(server.url, warmUpDocument, cookies[0]);
      await until(() => warm.provider.synced);
      warm.destroy();
      const opens: OpenResult[] = [];
      for (const document of documents) {
        process.stderr.write(`[${database}] opening ${document.updates} updates (${document.stored})…\n`);
        opens.push(await measureOpen(server.url, cookies[1]!, document, database));
        // The server compacts a document when its last reader leaves; opening it again waits for
        // that, so the next measurement does not share the machine with it.
        const settle = connectClient(server.url, document.id, cookies[1]);
        await until(() => settle.provider.synced);
        settle.destroy();
      }
      const typing: TypingResult[] = [];
      for (const [index, scenario] of typingScenarios.entries()) {
        process.stderr.write(`[${database}] ${scenario.clients} client(s) typing…\n`);
        typing.push(await measureTyping(server.url, cookies, typingDocuments[index]!, scenario, database));
      }
      return { opens, typing };
    } finally {
      await server.stop();
    }
  } finally {
    await cleanup();
  }
}

// ---- main ---------------------------------------------------------------------------------------

// Every provider listens for the process's exit; dozens of clients are expected here.
process.setMaxListeners(0);
const targets: ("pglite" | "postgres")[] = process.env.BENCH_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
const opens: OpenResult[] = [];
const typing: TypingResult[] = [];
for (const target of targets) {
  const result = await runTarget(target);
  opens.push(...result.opens);
  typing.push(...result.typing);
}

const lines = [
  `## Opening a document (${os.cpus().length} CPUs, Node ${process.version})`,
  "",
  "| database | stored updates | stored as | stored bytes | DB read ms | Yjs apply ms | open (load + first sync) ms |",
  "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
  ...opens.map(
    (row) =>
      `| ${row.database} | ${row.updates.toLocaleString("en-NZ")} | ${row.stored === "tail" ? "all in the log" : "snapshot"} | ${row.storedBytes.toLocaleString("en-NZ")} | ${row.dbReadMs} | ${row.applyMs} | ${row.openMs} |`,
  ),
  "",
  `## Persisting typing (${typingSeconds} s per run)`,
  "",
  "| database | clients | keystrokes offered /s | updates saved | updates saved /s | rows committed | rows /s | ack p50 ms | ack p95 ms |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...typing.map(
    (row) =>
      `| ${row.database} | ${row.clients} | ${row.offeredPerSecond} | ${row.acknowledgedUpdates} | ${row.updatesPerSecond} | ${row.rowsCommitted} | ${row.rowsPerSecond} | ${row.ackP50Ms} | ${row.ackP95Ms} |`,
  ),
  "",
];
console.log(lines.join("\n"));
console.log(JSON.stringify({ opens, typing }, null, 2));
process.exit(0);
