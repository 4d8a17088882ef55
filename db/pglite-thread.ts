/**
 * PGlite in a thread of its own, and the Kysely dialect that queries it there.
 *
 * PGlite is PostgreSQL compiled to WASM: a statement runs synchronously on the thread that holds
 * it. In the server's main thread every statement (a commit of typing, a page's query, a
 * compaction) held up the event loop, so keystrokes waiting to be relayed waited for the database
 * too (docs/decisions/009-pglite-in-a-worker-thread.md). Here PGlite lives in a worker thread
 * (`pglite-worker.ts`); the main thread only posts a statement and receives its rows.
 *
 * As on PGlite's one connection, statements run one at a time: Kysely gets one connection, and a
 * second caller waits until the first releases it (a transaction holds it from begin to commit).
 */
import type { Worker } from "node:worker_threads";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import { type ThreadReply, type ThreadRequest, type ThreadStart, reviveError } from "./pglite-protocol.js";
import { startWorker } from "./start-worker.js";

/**
 * The worker's code: built next to the server's bundle by `npm run build` (`build/pglite-worker.mjs`,
 * plain JavaScript), or, when the server runs from its TypeScript sources (`npm run dev`, tests),
 * `pglite-worker.ts` through tsx (db/start-worker.ts).
 */
const bundledWorker = new URL("./pglite-worker.mjs", import.meta.url);
const sourceWorker = new URL("./pglite-worker.ts", import.meta.url);

type Answer = { rows: Record<string, unknown>[]; affectedRows: number } | { archive: Uint8Array };

interface Waiting {
  resolve(answer: Answer): void;
  reject(error: Error): void;
}

export class PGliteThread {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private stopped: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (reply: ThreadReply) => this.onReply(reply));
    worker.on("error", (error) => this.stop(new Error(`the database thread failed: ${error.message}`)));
    worker.on("exit", (code) => this.stop(new Error(`the database thread stopped (exit code ${code})`)));
  }

  /** Starts the thread and opens PGlite there (in memory when `dataDir` is undefined). */
  static start(dataDir: string | undefined): Promise<PGliteThread> {
    const workerData = { dataDir } satisfies ThreadStart;
    const worker = startWorker(bundledWorker, sourceWorker, workerData);
    return new Promise((resolve, reject) => {
      const onMessage = (reply: ThreadReply) => {
        if (reply.type === "ready") {
          cleanUp();
          const thread = new PGliteThread(worker);
          worker.unref();
          resolve(thread);
        } else if (reply.type === "failed") {
          cleanUp();
          void worker.terminate();
          reject(reviveError(reply.error));
        }
      };
      const onExit = (code: number) => {
        cleanUp();
        reject(new Error(`the database thread stopped while starting (exit code ${code})`));
      };
      const onError = (error: Error) => {
        cleanUp();
        reject(error);
      };
      const cleanUp = () => {
        worker.off("message", onMessage);
        worker.off("exit", onExit);
        worker.off("error", onError);
      };
      worker.on("message", onMessage);
      worker.on("exit", onExit);
      worker.on("error", onError);
    });
  }

  get closed(): boolean {
    return this.stopped !== null;
  }

  query(sql: string, parameters: readonly unknown[]): Promise<{ rows: Record<string, unknown>[]; affectedRows: number }> {
    // postMessage copies the parameters once, into the thread; no copy of our own first.
    return this.request({ type: "query", id: this.nextId++, sql, parameters }) as Promise<{ rows: Record<string, unknown>[]; affectedRows: number }>;
  }

  /** Several statements without parameters, as one script (PGlite's `exec`); every statement's rows. */
  exec(sql: string): Promise<{ rows: Record<string, unknown>[]; affectedRows: number }> {
    return this.request({ type: "exec", id: this.nextId++, sql }) as Promise<{ rows: Record<string, unknown>[]; affectedRows: number }>;
  }

  /**
   * A copy of the whole data directory as a gzipped tarball (PGlite's `dumpDataDir`), after a
   * checkpoint. Call it while holding the one connection (no transaction open): see `connect.ts`.
   */
  async dump(): Promise<Uint8Array> {
    const answer = await this.request({ type: "dump", id: this.nextId++ });
    if (!("archive" in answer)) throw new Error("the database thread sent no archive");
    return answer.archive;
  }

  /** Closes PGlite (its files are consistent on disk) and ends the thread; idempotent. */
  async close(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.request({ type: "close", id: this.nextId++ });
    } finally {
      this.stop(new Error("the database is closed"));
      await this.worker.terminate();
    }
  }

  private request(message: ThreadRequest): Promise<Answer> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise((resolve, reject) => {
      // While a statement is out, the thread keeps the process alive (a script awaiting its
      // result must not exit); idle, it does not (a server's sockets do that).
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(message.id, { resolve, reject });
      this.worker.postMessage(message);
    });
  }

  private onReply(reply: ThreadReply): void {
    if (reply.type !== "result" && reply.type !== "error" && reply.type !== "dumped") return;
    const waiting = this.waiting.get(reply.id);
    if (!waiting) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker.unref();
    if (reply.type === "result") waiting.resolve({ rows: reply.rows, affectedRows: reply.affectedRows });
    else if (reply.type === "dumped") waiting.resolve({ archive: reply.archive });
    else waiting.reject(reviveError(reply.error));
  }

  private stop(reason: Error): void {
    this.stopped ??= reason;
    for (const waiting of this.waiting.values()) waiting.reject(reason);
    this.waiting.clear();
  }
}

export class PGliteThreadDialect implements Dialect {
  constructor(private readonly thread: PGliteThread) {}

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteThreadDriver(this.thread);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}

/**
 * Scripts: several statements in one query with no parameters (what pg-boss sends to create its
 * schema, or to take a lock and claim work in one go). Marked so the connection runs them with
 * PGlite's `exec`, on the one connection Kysely hands out, in turn with every other statement.
 */
const scripts = new WeakSet<CompiledQuery>();

export function scriptQuery(sql: string): CompiledQuery {
  const query = CompiledQuery.raw(sql);
  scripts.add(query);
  return query;
}

class PGliteThreadConnection implements DatabaseConnection {
  constructor(private readonly thread: PGliteThread) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { rows, affectedRows } = scripts.has(compiledQuery)
      ? await this.thread.exec(compiledQuery.sql)
      : await this.thread.query(compiledQuery.sql, compiledQuery.parameters);
    return affectedRows ? { rows: rows as R[], numAffectedRows: BigInt(affectedRows) } : { rows: rows as R[] };
  }

  /** Nothing here streams: the rows of a statement come back together. */
  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming is not supported on PGlite");
  }
}

/** One connection, handed to one caller at a time, in the order they asked. */
class PGliteThreadDriver implements Driver {
  private readonly connection: PGliteThreadConnection;
  private busy = false;
  private readonly queue: ((connection: DatabaseConnection) => void)[] = [];

  constructor(private readonly thread: PGliteThread) {
    this.connection = new PGliteThreadConnection(thread);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (!this.busy) {
      this.busy = true;
      return this.connection;
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  async releaseConnection(): Promise<void> {
    const next = this.queue.shift();
    if (next) next(this.connection);
    else this.busy = false;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const begin = settings.isolationLevel ? `start transaction isolation level ${settings.isolationLevel}` : "begin";
    await connection.executeQuery(CompiledQuery.raw(begin));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async destroy(): Promise<void> {
    await this.thread.close();
  }
}
