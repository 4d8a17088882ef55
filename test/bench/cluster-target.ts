/**
 * Ours as several processes (issue 20): a Redis of the benchmark's own (`redis-server` on a free
 * port, nothing kept on disk, stopped at the end) and server processes on one prepared PostgreSQL
 * database, each with REDIS_URL and an INSTANCE_ID of its own. Clients take the processes in turn,
 * so every document with two or more editors has editors on each process and every keystroke
 * crosses Redis to reach some of them.
 *
 * `RedisCounter` reads what the processes sent through Redis: publishes and bytes from Redis's own
 * INFO counters, and every co-editing message by kind (a pattern subscription to `collab:*`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { type RedisClientType, createClient } from "redis";
import type { BenchClientSpec } from "./bench-client.js";
import type { PreparedDatabase } from "./bench-database.js";
import { type LoadTarget, type MeasuredProcess, Target, targetLabels } from "./targets.js";
import { sleep } from "./timing.js";
import { freePort } from "../support/ports.js";


/** `redis-server --port N --save "" --appendonly no`, the benchmark's own. */
export class BenchRedis {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly exited: Promise<void>,
  ) {}

  static async start(): Promise<BenchRedis> {
    const port = await freePort();
    const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const started = performance.now();
    while (!output.includes("Ready to accept connections")) {
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
      if (performance.now() - started > 15_000) {
        child.kill("SIGKILL");
        throw new Error(`redis-server was not ready within 15 s: ${output}`);
      }
      await sleep(25);
    }
    return new BenchRedis(child, port, exited);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGKILL");
    await this.exited;
  }
}

export interface RedisReading {
  publishes: number;
  /** Bytes Redis read from its clients (the processes' publishes, with RESP framing). */
  netInputBytes: number;
  /** Bytes Redis wrote to its clients, this counter's own subscription excluded. */
  netOutputBytes: number;
  /** Co-editing messages seen on `collab:*`, by kind, and their payload bytes. */
  updates: number;
  updateBytes: number;
  awareness: number;
  awarenessBytes: number;
  committed: number;
  committedBytes: number;
  other: number;
}

/** Counts what goes through a Redis: INFO counters, and a pattern subscription to the co-editing channels. */
export class RedisCounter {
  private readonly seen = { updates: 0, updateBytes: 0, awareness: 0, awarenessBytes: 0, committed: 0, committedBytes: 0, other: 0, ownBytes: 0 };

  private constructor(
    private readonly commands: RedisClientType,
    private readonly subscriber: RedisClientType,
  ) {}

  static async open(url: string): Promise<RedisCounter> {
    const commands = createClient({ url }) as RedisClientType;
    const subscriber = createClient({ url }) as RedisClientType;
    await Promise.all([commands.connect(), subscriber.connect()]);
    const counter = new RedisCounter(commands, subscriber);
    const pattern = "collab:*";
    await subscriber.pSubscribe(
      pattern,
      (message: Buffer, channel: Buffer) => {
        // The message's first byte is its kind (document-fanout.ts: 1 update, 2 presence, 3 committed).
        const kind = message[0];
        const bytes = message.byteLength;
        if (kind === 1) {
          counter.seen.updates++;
          counter.seen.updateBytes += bytes;
        } else if (kind === 2) {
          counter.seen.awareness++;
          counter.seen.awarenessBytes += bytes;
        } else if (kind === 3) {
          counter.seen.committed++;
          counter.seen.committedBytes += bytes;
        } else counter.seen.other++;
        // What Redis wrote to this subscription: *4 pmessage <pattern> <channel> <message>.
        const bulk = (length: number) => `$${length}\r\n`.length + length + 2;
        counter.seen.ownBytes += 4 + bulk(8) + bulk(pattern.length) + bulk(channel.byteLength) + bulk(bytes);
      },
      true,
    );
    return counter;
  }

  async read(): Promise<RedisReading> {
    const [stats, commandStats] = await Promise.all([this.commands.info("stats"), this.commands.info("commandstats")]);
    const field = (text: string, name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(text)?.[1] ?? 0);
    const publishes = Number(/^cmdstat_publish:calls=(\d+)/m.exec(commandStats)?.[1] ?? 0);
    const { ownBytes, ...seen } = this.seen;
    return {
      publishes,
      netInputBytes: field(stats, "total_net_input_bytes"),
      netOutputBytes: field(stats, "total_net_output_bytes") - ownBytes,
      ...seen,
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.commands.destroy(), this.subscriber.destroy()]);
  }
}

export function redisBetween(before: RedisReading, after: RedisReading): RedisReading {
  const difference = {} as RedisReading;
  for (const key of Object.keys(after) as (keyof RedisReading)[]) difference[key] = after[key] - before[key];
  return difference;
}

/** Several of our server processes on one database and one Redis, as one server to the scenarios. */
export class ClusterTarget implements LoadTarget {
  readonly key = "ours-cluster" as const;
  readonly label: string;
  readonly server: MeasuredProcess;

  private constructor(
    readonly processes: Target[],
    readonly database: PreparedDatabase,
    readonly redis: BenchRedis,
  ) {
    this.label = targetLabels["ours-cluster"].replace("2 processes", `${processes.length} processes`);
    this.server = {
      cpuSeconds: () => this.processes.reduce((total, process) => total + process.process.cpuSeconds(), 0),
      rss: () => this.processes.reduce((total, process) => total + process.process.rss(), 0),
    };
  }

  /** Starts `count` processes on `database` with Redis at `redis` (one after the other: the first migrates). */
  static async start(count: number, database: PreparedDatabase, redis: BenchRedis): Promise<ClusterTarget> {
    const processes: Target[] = [];
    try {
      for (let i = 0; i < count; i++) {
        processes.push(await Target.start("ours-postgres", { database, env: { REDIS_URL: redis.url, INSTANCE_ID: `bench-${i + 1}` } }));
      }
    } catch (error) {
      await Promise.allSettled(processes.map((process) => process.stop()));
      throw error;
    }
    return new ClusterTarget(processes, database, redis);
  }

  newDocuments(count: number): Promise<string[]> {
    return Promise.resolve(this.database.takePapers(count));
  }

  /** Client `n` goes to process `n mod count` (with that process's cookies in turn). */
  processFor(n: number): Target {
    return this.processes[n % this.processes.length]!;
  }

  client(documentName: string, options: { editor: boolean; slot?: number; n?: number }): BenchClientSpec {
    const n = options.n ?? 0;
    return this.processFor(n).client(documentName, { ...options, n: Math.floor(n / this.processes.length) });
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.processes.map((process) => process.stop()));
  }
}
