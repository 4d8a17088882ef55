/**
 * The databases our server runs on during the benchmark, prepared before it starts: a PostgreSQL
 * database of the benchmark's own (created on the local server, dropped at the end) or a PGlite
 * data directory (handed to the server process, which then owns it). Each is migrated, seeded
 * with the demo group, and given empty papers for the load and documents with 100k stored
 * updates for the first-sync measurements. `PostgresMonitor` reads what PostgreSQL counts:
 * transactions of our database, WAL positions and pg_stat_wal, and (with pg_walinspect) the WAL
 * records that belong to our database alone.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import * as Y from "yjs";
import { COLLAB_FIELD } from "../../app/documents/content.js";
import { connectDatabase } from "../../db/connect.js";
import type { Database } from "../../db/database.js";
import { migrateToLatest } from "../../db/migrate.js";
import { seedDemo } from "../../server/seed-demo.js";
import { compactDocument, renderDocument } from "../../server/collab/document-store.js";
import { processCpuSeconds } from "./server-process.js";
import { createScratchDatabase } from "../support/scratch-database.js";

export type DatabaseKind = "postgres" | "pglite";

/** A document whose history is stored as `updates` keystrokes, as a log or compacted. */
export interface StoredHistoryDocument {
  id: string;
  typing: "realistic" | "random";
  stored: "log" | "snapshot";
  updates: number;
}

export interface PreparedDatabase {
  kind: DatabaseKind;
  /** Environment for our server process: DATABASE_URL or DATA_DIR. */
  serverEnv: Record<string, string>;
  /** Empty papers in the demo group, handed out in order by `takePapers`. */
  takePapers(count: number): string[];
  histories: StoredHistoryDocument[];
  /** A paper holding `existingText` as a compacted snapshot (where the write-amplification editors type), or null. */
  writesDocument: string | null;
  /** PostgreSQL only. */
  monitor: PostgresMonitor | null;
  drop(): Promise<void>;
}

/** A typing history to store, as its individual updates. */
export interface TypingHistory {
  typing: "realistic" | "random";
  updates: Uint8Array[];
}

export interface PrepareOptions {
  papers: number;
  /** Stored twice each: as a log of individual rows, and compacted into a snapshot. */
  histories: TypingHistory[];
  /** The state of a document of realistic size, for the write-amplification run. */
  existingText?: Uint8Array;
  /** The server to create the PostgreSQL database on (its `postgres` database, say). */
  postgresAdminUrl?: string;
}

/** Creates, migrates and fills a database for our server. */
export async function prepareDatabase(kind: DatabaseKind, options: PrepareOptions): Promise<PreparedDatabase> {
  if (kind === "postgres") {
    const adminUrl = options.postgresAdminUrl;
    if (!adminUrl) throw new Error("a PostgreSQL admin URL is needed");
    const database = await createScratchDatabase(adminUrl, "bench");
    const handle = await connectDatabase({ databaseUrl: database.url, maxConnections: 4 });
    let filled: Filled;
    try {
      filled = await fill(handle.db, options);
    } finally {
      await handle.close();
    }
    const monitor = await PostgresMonitor.open(adminUrl, database.url, database.name);
    return {
      kind,
      serverEnv: { DATABASE_URL: database.url },
      takePapers: handOut(filled.papers),
      histories: filled.histories,
      writesDocument: filled.writesDocument,
      monitor,
      drop: async () => {
        await monitor.close();
        await database.drop();
      },
    };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stewardship-bench-"));
  const handle = await connectDatabase({ dataDir });
  let filled: Filled;
  try {
    filled = await fill(handle.db, options);
  } finally {
    // One process owns a PGlite directory: the benchmark lets go before the server starts.
    await handle.close();
  }
  return {
    kind,
    serverEnv: { DATA_DIR: dataDir },
    takePapers: handOut(filled.papers),
    histories: filled.histories,
    writesDocument: filled.writesDocument,
    monitor: null,
    drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

function handOut(papers: string[]): (count: number) => string[] {
  let next = 0;
  return (count) => {
    if (next + count > papers.length) throw new Error(`only ${papers.length - next} prepared papers left, ${count} wanted`);
    const taken = papers.slice(next, next + count);
    next += count;
    return taken;
  };
}

interface Filled {
  papers: string[];
  histories: StoredHistoryDocument[];
  writesDocument: string | null;
}

async function fill(db: Kysely<Database>, options: PrepareOptions): Promise<Filled> {
  await migrateToLatest(db);
  await seedDemo(db);
  const group = await db.selectFrom("groups").select("id").executeTakeFirstOrThrow();
  const papers: string[] = [];
  for (let start = 0; start < options.papers; start += 5_000) {
    const count = Math.min(5_000, options.papers - start);
    const { rows } = await sql<{ id: string }>`
      insert into documents (group_id, kind, title)
      select ${group.id}, 'paper', 'Benchmark paper ' || n from generate_series(${start + 1}::int, ${start + count}::int) as n
      returning id`.execute(db);
    papers.push(...rows.map((row) => row.id));
  }
  const histories: StoredHistoryDocument[] = [];
  for (const { typing, updates } of options.histories) {
    const log = await newPaper(db, group.id, `${updates.length} keystrokes (${typing}), as a log`);
    for (let start = 0; start < updates.length; start += 2_000) {
      await db
        .insertInto("document_updates")
        .values(updates.slice(start, start + 2_000).map((update) => ({ document_id: log, update })))
        .execute();
    }
    const snapshot = await newPaper(db, group.id, `${updates.length} keystrokes (${typing}), compacted`);
    await sql`
      insert into document_updates (document_id, update)
      select ${snapshot}, update from document_updates where document_id = ${log} order by id`.execute(db);
    // Compacted by the endpoint's own compaction.
    await compactDocument(db, snapshot, () => null);
    histories.push(
      { id: log, typing, stored: "log", updates: updates.length },
      { id: snapshot, typing, stored: "snapshot", updates: updates.length },
    );
  }
  let writesDocument: string | null = null;
  if (options.existingText) {
    writesDocument = await newPaper(db, group.id, "A paper of realistic length");
    await db.insertInto("document_updates").values({ document_id: writesDocument, update: options.existingText }).execute();
    await compactDocument(db, writesDocument, (doc) => renderDocument(doc, null));
  }
  return { papers, histories, writesDocument };
}

async function newPaper(db: Kysely<Database>, groupId: string, title: string): Promise<string> {
  const row = await db
    .insertInto("documents")
    .values({ group_id: groupId, kind: "paper", title })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

// ---- typing histories ---------------------------------------------------------------------------

/** A small deterministic PRNG, so every run types the same text. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * `count` updates of one character each: "realistic" typing moves forward and jumps elsewhere
 * about once in a hundred keystrokes; "random" puts every keystroke at a random position (the
 * worst case for Yjs, which can merge nothing).
 */
export function typingHistory(count: number, typing: "realistic" | "random"): Uint8Array[] {
  const doc = new Y.Doc();
  doc.clientID = 1_234_567;
  const text = new Y.XmlText();
  doc.transact(() => {
    const paragraph = new Y.XmlElement("paragraph");
    paragraph.insert(0, [text]);
    doc.getXmlFragment(COLLAB_FIELD).insert(0, [paragraph]);
  });
  const updates: Uint8Array[] = [Y.encodeStateAsUpdate(doc)];
  doc.on("update", (update: Uint8Array) => updates.push(update));
  const next = seededRandom(count + (typing === "random" ? 1 : 0));
  const words = "the stewardship group oversees relational commissioning with whānau iwi hapū and communities ";
  let cursor = 0;
  for (let i = 1; i < count; i++) {
    if (typing === "random" || next() < 0.01) cursor = Math.floor(next() * (text.length + 1));
    text.insert(cursor, words[i % words.length]!);
    cursor++;
  }
  doc.destroy();
  return updates;
}

/** The whole state of a typing history as one update (what an in-memory server would hold). */
export function historyState(updates: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const update of updates) Y.applyUpdate(doc, update);
  });
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}

// ---- what PostgreSQL counts ----------------------------------------------------------------------

export interface PostgresReading {
  /** WAL insert position, in bytes from 0/0. */
  walPosition: number;
  /** pg_stat_wal (cluster-wide; backends report it up to a second late). */
  walBytes: number;
  walRecords: number;
  walFullPageImages: number;
  /** Commits and rollbacks in our database (reported up to a second late). */
  transactions: number;
  /** CPU seconds of the backends connected to our database now. */
  backendCpuSeconds: Map<number, number>;
}

export class PostgresMonitor {
  private constructor(
    private readonly admin: pg.Client,
    private readonly own: pg.Client,
    readonly databaseName: string,
    private readonly databaseOid: number,
    readonly walInspect: boolean,
  ) {}

  static async open(adminUrl: string, databaseUrl: string, databaseName: string): Promise<PostgresMonitor> {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const own = new pg.Client({ connectionString: databaseUrl });
    await own.connect();
    const { rows } = await admin.query<{ oid: number }>("select oid::int as oid from pg_database where datname = $1", [databaseName]);
    let walInspect = true;
    try {
      await own.query("create extension if not exists pg_walinspect");
    } catch {
      walInspect = false;
    }
    return new PostgresMonitor(admin, own, databaseName, rows[0]!.oid, walInspect);
  }

  async read(): Promise<PostgresReading> {
    const { rows } = await this.admin.query<{
      position: string;
      wal_bytes: string;
      wal_records: string;
      wal_fpi: string;
      transactions: string;
    }>(
      `select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint as position,
              w.wal_bytes, w.wal_records, w.wal_fpi,
              (select xact_commit + xact_rollback from pg_stat_database where datname = $1) as transactions
       from pg_stat_wal w`,
      [this.databaseName],
    );
    const backends = await this.admin.query<{ pid: number }>("select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [
      this.databaseName,
    ]);
    const row = rows[0]!;
    return {
      walPosition: Number(row.position),
      walBytes: Number(row.wal_bytes),
      walRecords: Number(row.wal_records),
      walFullPageImages: Number(row.wal_fpi),
      transactions: Number(row.transactions),
      backendCpuSeconds: new Map(backends.rows.map(({ pid }) => [pid, processCpuSeconds(pid)])),
    };
  }

  /**
   * The WAL between two positions that belongs to our database: records touching its relations,
   * and the commit records of their transactions (record lengths, full-page images included), and
   * the number of those transactions (each writing transaction has one xid). Null without
   * pg_walinspect.
   */
  async walOfOurDatabase(from: number, to: number): Promise<{ bytes: number; transactions: number } | null> {
    if (!this.walInspect) return null;
    if (to <= from) return { bytes: 0, transactions: 0 };
    const { rows } = await this.own.query<{ bytes: string; transactions: string }>(
      `with records as (
         select xid::text as xid, record_length, block_ref
         from pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)
       ), ours as (
         select distinct xid from records where xid <> '0' and block_ref ~ $3
       )
       select coalesce(sum(record_length), 0)::bigint as bytes, (select count(*) from ours)::bigint as transactions
       from records
       where block_ref ~ $3 or (xid <> '0' and xid in (select xid from ours))`,
      [lsn(from), lsn(to), `rel \\d+/${this.databaseOid}/`],
    );
    return { bytes: Number(rows[0]!.bytes), transactions: Number(rows[0]!.transactions) };
  }

  /** Runs SQL in our database (to make stores fail, for example). */
  async execute(statement: string, parameters: unknown[] = []): Promise<void> {
    await this.own.query(statement, parameters);
  }

  async close(): Promise<void> {
    await this.admin.end().catch(() => undefined);
    await this.own.end().catch(() => undefined);
  }
}

/**
 * CPU seconds our database's backends used between two readings. A backend that started in
 * between counts whole; one that ended in between is missed (the pool keeps its connections
 * while there is work, so this is rare during a measurement).
 */
export function backendCpuBetween(before: PostgresReading, after: PostgresReading): number {
  let total = 0;
  for (const [pid, seconds] of after.backendCpuSeconds) total += seconds - (before.backendCpuSeconds.get(pid) ?? 0);
  return total;
}

function lsn(position: number): string {
  const high = Math.floor(position / 2 ** 32);
  const low = position % 2 ** 32;
  return `${high.toString(16).toUpperCase()}/${low.toString(16).toUpperCase()}`;
}
