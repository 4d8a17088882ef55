/**
 * Several real server processes on one PostgreSQL database and one Redis, for the multi-process
 * tests: a fresh database per test file (on the server TEST_DATABASE_URL names, seeded with the
 * demo group), a Redis of the test's own on a free port (nothing kept on disk, so a restart loses
 * everything, as the tests want), and processes run as `npm start` runs them (build/server.mjs).
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { afterAll, afterEach, beforeAll, expect, vi } from "vitest";
import { connectDatabase } from "../../../db/connect.js";
import type { Database } from "../../../db/database.js";
import { migrateToLatest } from "../../../db/migrate.js";
import { seedDemo } from "../../../server/seed-demo.js";

import { type CollabClient, connectClient } from "../collab/collab-clients.js";
import { freePort } from "../../support/ports.js";
import { signInAt } from "../../support/sign-in.js";
import { createScratchDatabase } from "../../support/scratch-database.js";

export { freePort, signInAt };

const root = path.resolve(import.meta.dirname, "..", "..", "..");


/** A fresh database on the PostgreSQL server of TEST_DATABASE_URL, migrated and seeded. */
export async function createClusterDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error("TEST_DATABASE_URL is not set");
  const { url, drop } = await createScratchDatabase(base, "cluster");
  const handle = await connectDatabase({ databaseUrl: url });
  await migrateToLatest(handle.db);
  await seedDemo(handle.db);
  await handle.close();
  return { url, drop };
}

/** A Redis server of the test's own (`redis-server` from Debian's package), on a free port. */
export class TestRedis {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<TestRedis> {
    const redis = new TestRedis(await freePort());
    await redis.startProcess();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private async startProcess(): Promise<void> {
    const child = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await vi.waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
        if (!output.includes("Ready to accept connections")) throw new Error("not ready");
      },
      { timeout: 15_000, interval: 50 },
    );
  }

  /** Stops Redis (everything it held is gone) and starts it again on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }
}

export interface ServerProcessHandle {
  url: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts build/server.mjs with `env`; resolves once it says where it is ready. */
export async function startProcess(env: Record<string, string>, name = "server"): Promise<ServerProcessHandle> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `stewardship-${name}-`));
  const child = spawn(process.execPath, ["build/server.mjs"], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", HOST: "127.0.0.1", PORT: "0", DATA_DIR: dataDir, SEED_DEMO: "never", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  void exited.then(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  // Ready, or gone: a process refused at start says so and exits, and that is the answer.
  const url = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`the server was not ready within a minute: ${output}`)), 60_000);
    const check = () => {
      const found = /ready at (http:\/\/localhost:\d+)/.exec(output)?.[1];
      if (found) {
        clearTimeout(deadline);
        resolve(found);
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(deadline);
      reject(new Error(`the server exited (${code}): ${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** What a suite of several server processes works with. */
export interface ClusterSuite {
  /** Its database (createClusterDatabase), its Redis and a connection to the database: set before its tests. */
  database: Awaited<ReturnType<typeof createClusterDatabase>>;
  redis: TestRedis;
  db: Kysely<Database>;
  /** Starts a server process on the suite's database and Redis; killed (-9) after each test. */
  start(extra?: Record<string, string>): Promise<ServerProcessHandle>;
  /** A collaboration client on the server at `url` (connectClient's options); destroyed after each test. */
  open(url: string, documentId: string, cookie: string, options?: Parameters<typeof connectClient>[3]): CollabClient;
  /** Waits until every client given has synced. */
  synced(...list: CollabClient[]): Promise<void>;
}

/**
 * A fresh database and Redis for the suite, made before its tests and dropped after them, with
 * processes named `name` (in their log lines) and clients cleaned up after each test.
 */
export function clusterSuite(name: string): ClusterSuite {
  const processes: ServerProcessHandle[] = [];
  const clients: CollabClient[] = [];
  const suite = {
    async start(extra: Record<string, string> = {}) {
      const server = await startProcess({ DATABASE_URL: suite.database.url, REDIS_URL: suite.redis.url, ...extra }, name);
      processes.push(server);
      return server;
    },
    open(url: string, documentId: string, cookie: string, options: Parameters<typeof connectClient>[3] = {}) {
      const client = connectClient(url, documentId, cookie, options);
      clients.push(client);
      return client;
    },
    synced: (...list: CollabClient[]) =>
      vi.waitFor(() => {
        for (const client of list) expect(client.provider.synced).toBe(true);
      }, { timeout: 20_000 }),
  } as ClusterSuite;
  beforeAll(async () => {
    suite.database = await createClusterDatabase();
    suite.redis = await TestRedis.start();
    const pool = new pg.Pool({ connectionString: suite.database.url, max: 2 });
    pool.on("error", () => undefined);
    suite.db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await Promise.all(processes.splice(0).map((server) => server.stop("SIGKILL")));
  });
  afterAll(async () => {
    await suite.db?.destroy();
    await suite.redis?.stop();
    await suite.database?.drop();
  });
  return suite;
}
