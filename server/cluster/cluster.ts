/**
 * How this process runs beside others (docs/decisions/015):
 *
 * | DATABASE_URL | REDIS_URL | mode |
 * | --- | --- | --- |
 * | unset | (refused) | embedded: PGlite, one process |
 * | set | unset | one process on PostgreSQL |
 * | set | set | any number of processes on one PostgreSQL and one Redis |
 *
 * A second process where only one may run is refused at start with one clear line: the embedded
 * database is claimed by a lock file in DATA_DIR, PostgreSQL by an advisory lock (exclusive alone,
 * shared among several). With Redis, the bus carries co-editing between processes
 * (document-fanout.ts) and "access changed" (a membership ended, an account disabled…), so every
 * process closes the connections that are no longer allowed.
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import type { DatabaseHandle } from "../../db/connect.js";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { DocumentFanout } from "./document-fanout.js";
import { RedisBus } from "./redis-bus.js";

export type ClusterMode = "embedded" | "postgres" | "postgres+redis";

const accessChannel = "control:access";

/** The start was refused: the message says why, in one line. */
export class StartRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartRefusedError";
  }
}

export interface AccessChange {
  /** Only this person's connections; everyone's when absent. */
  userId?: string;
}

export class Cluster {
  private accessListener: ((change: AccessChange) => void) | null = null;

  private constructor(
    readonly mode: ClusterMode,
    readonly bus: RedisBus | null,
    readonly fanout: DocumentFanout | null,
    private readonly logger: Logger,
  ) {}

  /** Claims the database for this process's mode and connects to Redis when there is one. */
  static async join(config: Config, database: DatabaseHandle, logger: Logger): Promise<Cluster> {
    const mode: ClusterMode = database.kind === "pglite" ? "embedded" : config.redisUrl ? "postgres+redis" : "postgres";
    if (!(await database.claim(mode === "postgres+redis" ? "shared" : "alone"))) {
      throw new StartRefusedError(
        mode === "embedded"
          ? `another server process is using the embedded database in ${config.dataDir}; the embedded database serves one process (for several, set DATABASE_URL and REDIS_URL)`
          : mode === "postgres"
            ? "another server process is using this database; to run several processes on one PostgreSQL, give each of them REDIS_URL"
            : "a server process without REDIS_URL is using this database; stop it, or give it REDIS_URL too",
      );
    }
    if (!config.redisUrl) return new Cluster(mode, null, null, logger);
    let bus: RedisBus;
    try {
      bus = await RedisBus.connect(config.redisUrl, logger);
    } catch (error) {
      throw new StartRefusedError(`Redis in REDIS_URL could not be reached (${error instanceof Error ? error.message : String(error)})`);
    }
    const cluster = new Cluster(mode, bus, new DocumentFanout(bus, config.instanceId), logger);
    await bus.subscribe(accessChannel, (message) => cluster.receiveAccessChange(message));
    logger.info({ category: "cluster", mode, instance: config.instanceId }, "joined the processes on this database and Redis");
    return cluster;
  }

  /** What to do, in this process, when another process says access changed. */
  onAccessChange(listener: (change: AccessChange) => void): void {
    this.accessListener = listener;
  }

  /** Access changed here: the other processes recheck their open connections (this one does its own). */
  tellOthersAccessChanged(change: AccessChange): void {
    if (this.bus && this.fanout) {
      const encoder = encoding.createEncoder();
      encoding.writeVarString(encoder, this.fanout.origin);
      encoding.writeVarString(encoder, change.userId ?? "");
      this.bus.publish(accessChannel, Buffer.from(encoding.toUint8Array(encoder)));
    }
  }

  private receiveAccessChange(message: Buffer): void {
    const decoder = decoding.createDecoder(new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
    const origin = decoding.readVarString(decoder);
    if (origin === this.fanout?.origin) return;
    const userId = decoding.readVarString(decoder);
    this.logger.debug({ category: "cluster", from: origin }, "another process says access changed");
    this.accessListener?.(userId ? { userId } : {});
  }

  /** For /healthz: throws when Redis does not answer (there is nothing to check without it). */
  async ping(): Promise<void> {
    await this.bus?.ping();
  }

  async close(): Promise<void> {
    await this.bus?.close();
  }
}
