/**
 * The servers the benchmark compares, each in its own process:
 *
 * - ours: the real server (`server/main.ts`) with authenticated sessions and persistence on, on
 *   PostgreSQL or on PGlite; clients sign in through /login and open /collab/<documentId> with the
 *   session cookie;
 * - @y/websocket-server: the reference y-websocket server, in memory, no auth;
 * - Hocuspocus (4, now that we run on Node 24): in memory, no auth (and, for the write-amplification comparison, with its
 *   whole-document store on our PostgreSQL database).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { nodeBundle, optionalNativeAddOns, requireBanner } from "../../server/cli/node-bundle.js";
import type { BenchClientSpec, WireProtocol } from "./bench-client.js";
import type { PreparedDatabase } from "./bench-database.js";
import { signInAt as signIn } from "../support/sign-in.js";
import { ServerProcess } from "./server-process.js";

export type TargetKey = "ours-postgres" | "ours-pglite" | "y-websocket" | "hocuspocus" | "hocuspocus-store" | "ours-cluster";

/** The installed version of a reference server, so the tables name what was measured. */
function installedVersion(name: string): string {
  // Read from node_modules directly: not every package exports its package.json.
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "node_modules", name, "package.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}
const yWebsocketVersion = installedVersion("@y/websocket-server");
const hocuspocusVersion = installedVersion("@hocuspocus/server");

export const targetLabels: Record<TargetKey, string> = {
  "ours-postgres": "ours (PostgreSQL)",
  "ours-pglite": "ours (PGlite)",
  "y-websocket": `@y/websocket-server ${yWebsocketVersion}`,
  hocuspocus: `Hocuspocus ${hocuspocusVersion}`,
  "hocuspocus-store": `Hocuspocus ${hocuspocusVersion} + PostgreSQL store`,
  "ours-cluster": "ours, 2 processes (PostgreSQL + Redis)",
};

/** What the load scenarios read of a server's process: a process of its own, or several summed. */
export interface MeasuredProcess {
  /** CPU seconds used so far. */
  cpuSeconds(): number;
  /** Resident set size now, in bytes. */
  rss(): number;
}

/** What the fan-out and saturation scenarios need of a server: one process (Target) or several (ClusterTarget). */
export interface LoadTarget {
  readonly key: TargetKey;
  readonly label: string;
  readonly server: MeasuredProcess | null;
  readonly database: PreparedDatabase | null;
  newDocuments(count: number): Promise<string[]>;
  client(documentName: string, options: { editor: boolean; slot?: number; n?: number }): BenchClientSpec;
}

export interface TargetOptions {
  /** Ours: the prepared database it runs on. */
  database?: PreparedDatabase;
  /** Ours, attached: where its fresh papers come from. */
  papers?: (count: number) => string[] | Promise<string[]>;
  /** Hocuspocus with a store: where, and its debounce. */
  storeUrl?: string;
  debounceMs?: number;
  maxDebounceMs?: number;
  port?: number;
  /** Ours: more environment for the process (REDIS_URL and INSTANCE_ID for several processes). */
  env?: Record<string, string>;
}

export class Target implements LoadTarget {
  readonly key: TargetKey;
  readonly label: string;
  readonly protocol: WireProtocol;
  /** The server's process, or null for a server running inside this process (the smoke test). */
  server: ServerProcess | null;
  readonly url: string;
  /** Session cookies of demo editors (ours only); clients take them in turn. */
  cookies: string[] = [];
  private nextDocument = 0;

  private constructor(key: TargetKey, server: ServerProcess | null, url: string, private readonly options: TargetOptions) {
    this.key = key;
    this.label = targetLabels[key];
    this.protocol = key.startsWith("hocuspocus") ? "hocuspocus" : "y-websocket";
    this.server = server;
    this.url = url;
  }

  static async start(key: TargetKey, options: TargetOptions = {}): Promise<Target> {
    const server = await Target.spawn(key, options);
    const target = new Target(key, server, server.url, options);
    if (target.isOurs) await target.signIn();
    return target;
  }

  /** A server already running (in this process): no CPU or memory readings. */
  static async attach(key: TargetKey, url: string, options: TargetOptions = {}): Promise<Target> {
    const target = new Target(key, null, url, options);
    if (target.isOurs) await target.signIn();
    return target;
  }

  private async signIn(): Promise<void> {
    this.cookies = await Promise.all(["member", "chair", "secretary"].map((who) => signIn(this.url, `${who}@example.org`)));
  }

  /** The server's process; throws for an attached server. */
  get process(): ServerProcess {
    if (!this.server) throw new Error(`${this.label} runs in this process: no process readings`);
    return this.server;
  }

  private static async spawn(key: TargetKey, options: TargetOptions): Promise<ServerProcess> {
    const port = String(options.port ?? 0);
    if (key === "ours-postgres" || key === "ours-pglite") {
      if (!options.database) throw new Error(`${key} needs a prepared database`);
      return ServerProcess.start({
        name: key,
        // As `npm start` runs it (run.ts builds it first).
        script: "build/server.mjs",
        env: {
          NODE_ENV: "production",
          LOG_LEVEL: "warn",
          HOST: "127.0.0.1",
          PORT: port,
          SEED_DEMO: "never",
          ...options.database.serverEnv,
          ...options.env,
        },
      });
    }
    if (key === "y-websocket") {
      return ServerProcess.start({ name: key, script: await referenceServerScript("y-websocket-server"), env: { PORT: port } });
    }
    return ServerProcess.start({
      name: key,
      script: await referenceServerScript("hocuspocus-server"),
      env: {
        PORT: port,
        ...(options.storeUrl ? { STORE_DATABASE_URL: options.storeUrl } : {}),
        ...(options.debounceMs !== undefined ? { HOCUSPOCUS_DEBOUNCE_MS: String(options.debounceMs) } : {}),
        ...(options.maxDebounceMs !== undefined ? { HOCUSPOCUS_MAX_DEBOUNCE_MS: String(options.maxDebounceMs) } : {}),
      },
    });
  }

  get isOurs(): boolean {
    return this.key === "ours-postgres" || this.key === "ours-pglite";
  }

  get database(): PreparedDatabase | null {
    return this.options.database ?? null;
  }

  /** Fresh documents: prepared papers for ours, new names for the reference servers. */
  async newDocuments(count: number): Promise<string[]> {
    if (this.options.papers) return this.options.papers(count);
    if (this.options.database) return this.options.database.takePapers(count);
    return Array.from({ length: count }, () => `bench-${this.key}-${this.nextDocument++}`);
  }

  documentUrl(documentName: string): string {
    const origin = this.url.replace(/^http/, "ws").replace("//localhost:", "//127.0.0.1:");
    // Ours: asking for the "saved" messages the acknowledgement figures are measured by.
    return this.isOurs ? `${origin}/collab/${documentName}?saved=1` : `${origin}/${documentName}`;
  }

  /** A client of `documentName`; `n` picks the session cookie. */
  client(documentName: string, options: { editor: boolean; slot?: number; n?: number }): BenchClientSpec {
    const cookie = this.cookies.length > 0 ? this.cookies[(options.n ?? 0) % this.cookies.length] : undefined;
    return {
      url: this.documentUrl(documentName),
      documentName,
      protocol: this.protocol,
      acknowledgement: this.isOurs ? "saved" : this.protocol === "hocuspocus" ? "sync-status" : "echo",
      editor: options.editor,
      ...(options.slot !== undefined ? { slot: options.slot } : {}),
      ...(cookie ? { cookie } : {}),
    };
  }

  /** Starts the server again on the same port (after a kill -9). */
  async restart(): Promise<void> {
    this.server = await Target.spawn(this.key, { ...this.options, port: this.process.port });
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}

const referenceBuilds = new Map<string, Promise<string>>();

/**
 * A reference server (`test/bench/servers/<name>.ts`) bundled with its packages into
 * `build/bench/<name>.mjs`, once per run, so it starts as ours does: plain `node` on one file, not
 * TypeScript compiled on the fly (1.4 s of CPU a start through tsx, 0.4 s bundled). y-leveldb,
 * which @y/websocket-server imports for persistence we do not turn on, stays outside (native).
 */
function referenceServerScript(name: "y-websocket-server" | "hocuspocus-server"): Promise<string> {
  let built = referenceBuilds.get(name);
  if (!built) {
    const root = path.resolve(import.meta.dirname, "..", "..");
    const outfile = path.join("build", "bench", `${name}.mjs`);
    built = build({
      ...nodeBundle,
      entryPoints: [path.join(root, "test", "bench", "servers", `${name}.ts`)],
      outfile: path.join(root, outfile),
      external: ["y-leveldb", ...optionalNativeAddOns],
      banner: requireBanner,
    }).then(() => outfile);
    referenceBuilds.set(name, built);
  }
  return built;
}
