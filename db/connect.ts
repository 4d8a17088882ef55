/**
 * The one connection factory. `DATABASE_URL` set: a `pg` Pool on PostgreSQL.
 * Unset: PGlite (PostgreSQL compiled to WASM, in a worker thread of this process: `pglite-thread.ts`)
 * stored under `DATA_DIR/pglite`.
 * Both are read the same way: `date` as "YYYY-MM-DD", `int8` as number, `timestamptz` as Date.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "./database.js";
import { DATE_OID, INT8_OID } from "./pglite-protocol.js";
import { PGliteThread, PGliteThreadDialect } from "./pglite-thread.js";

export type DatabaseKind = "pglite" | "postgres";

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** PostgreSQL: the schema the app's tables are in (the first of the search path). */
  schema?: string;
  /** PostgreSQL: the connection string, for a pool of its own (the job queue's). */
  url?: string;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  /**
   * Claims the database for this server process until it closes: `alone` when no other process
   * may use it (one process on PostgreSQL without Redis, and always the embedded database),
   * `shared` for one of several processes (PostgreSQL with Redis). Resolves with false when another
   * process holds it in a way that rules this one out.
   */
  claim(mode: "alone" | "shared"): Promise<boolean>;
  /**
   * The embedded database only: a consistent copy of its data directory (a gzipped tarball that
   * `npm run restore` brings back), taken while it runs. PostgreSQL is backed up with pg_dump.
   */
  dump?(): Promise<Uint8Array>;
  close(): Promise<void>;
}

export type ConnectOptions =
  | { databaseUrl: string; searchPath?: string; maxConnections?: number }
  | { databaseUrl?: undefined; dataDir: string | null };

/** Opens the database named by the options. `dataDir: null` means an in-memory PGlite (tests). */
export async function connectDatabase(options: ConnectOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: 5_000,
      ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") => {
          if (oid === DATE_OID) return (value: string) => value;
          if (oid === INT8_OID) return (value: string) => Number(value);
          return pg.types.getTypeParser(oid, format);
        }) as typeof pg.types.getTypeParser,
      },
    });
    // A client losing its connection (PostgreSQL restarting, a failover, an administrator ending the
    // session) must not crash the process. Idle in the pool, the pool reports it; checked out
    // between two statements of a transaction, the client itself does, and nothing else listens:
    // the transaction's next statement fails instead, and the pool drops the broken client.
    pool.on("error", () => undefined);
    pool.on("connect", (client) => client.on("error", () => undefined));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    // The claim is a session advisory lock on a connection of its own, held while the process runs:
    // exclusive for a process alone, shared for one of several. Keyed by schema, so test schemas
    // of one database do not collide.
    let claimClient: pg.Client | undefined;
    let claimed: "alone" | "shared" | undefined;
    return {
      db,
      kind: "postgres",
      schema: options.searchPath?.split(",")[0]?.trim() || "public",
      url: options.databaseUrl,
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      // Claiming again through the same handle (a server restarted on it, in tests) keeps the
      // claim it already holds: the claimant is the handle.
      claim: async (mode) => {
        if (claimed === mode) return true;
        if (!claimClient) {
          claimClient = new pg.Client({
            connectionString: options.databaseUrl,
            ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
          });
          claimClient.on("error", () => undefined);
          await claimClient.connect();
        }
        const key = "hashtextextended('stewardship-server:' || current_schema(), 0)";
        if (claimed) await claimClient.query(`select ${claimed === "alone" ? "pg_advisory_unlock" : "pg_advisory_unlock_shared"}(${key})`);
        claimed = undefined;
        const lock = mode === "alone" ? "pg_try_advisory_lock" : "pg_try_advisory_lock_shared";
        const result = await claimClient.query<{ claimed: boolean }>(`select ${lock}(${key}) as claimed`);
        if (result.rows[0]?.claimed !== true) return false;
        claimed = mode;
        return true;
      },
      close: async () => {
        await claimClient?.end().catch(() => undefined);
        await db.destroy();
      },
    };
  }

  let dataPath: string | undefined;
  if ("dataDir" in options && options.dataDir !== null) {
    dataPath = path.join(options.dataDir, "pglite");
    await fs.mkdir(dataPath, { recursive: true });
  }
  const pglite = await PGliteThread.start(dataPath);
  const db = new Kysely<Database>({ dialect: new PGliteThreadDialect(pglite) });
  const lockFile = dataPath ? path.join(path.dirname(dataPath), "server.lock") : null;
  let claimed = false;
  return {
    db,
    kind: "pglite",
    ping: async () => {
      if (pglite.closed) throw new Error("PGlite is closed");
      await sql`select 1`.execute(db);
    },
    // On disk only. Taken while holding the one connection, so no transaction is half done in it.
    ...(dataPath ? { dump: () => db.connection().execute(() => pglite.dump()) } : {}),
    // The embedded database serves one process: a lock file with its pid in DATA_DIR.
    claim: async (mode) => {
      if (mode === "shared") return false;
      if (!lockFile) return true;
      claimed = await claimLockFile(lockFile);
      return claimed;
    },
    close: async () => {
      await db.destroy();
      if (claimed && lockFile) await fs.rm(lockFile, { force: true });
    },
  };
}

/** Takes `file` for this process unless a running process named in it holds it. */
async function claimLockFile(file: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: "wx" });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number((await fs.readFile(file, "utf8").catch(() => "")).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processIsRunning(holder)) return false;
      // Left behind by a process that is gone (a crash, kill -9): take it over.
      await fs.rm(file, { force: true });
    }
  }
  return false;
}

function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
