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
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
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
    return {
      db,
      kind: "postgres",
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      close: () => db.destroy(),
    };
  }

  let dataPath: string | undefined;
  if ("dataDir" in options && options.dataDir !== null) {
    dataPath = path.join(options.dataDir, "pglite");
    await fs.mkdir(dataPath, { recursive: true });
  }
  const pglite = await PGliteThread.start(dataPath);
  const db = new Kysely<Database>({ dialect: new PGliteThreadDialect(pglite) });
  return {
    db,
    kind: "pglite",
    ping: async () => {
      if (pglite.closed) throw new Error("PGlite is closed");
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
