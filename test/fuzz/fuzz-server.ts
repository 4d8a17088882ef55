/**
 * The server under fuzz: the real process as `npm start` runs it (`build/server.mjs`, production
 * mode, PORT=0, a fresh embedded database with the demo seeded), started through the benchmark's
 * `ServerProcess` so it has an inspector for memory readings after a forced garbage collection.
 *
 * It watches the process for the suites: whether it is still alive and answering, why it died
 * (the last lines of its stderr), and every request its own log says it answered with a 5xx.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ServerProcess } from "../bench/server-process.js";

/** The demo accounts' password (db/seed-demo.ts). */
export const DEMO_PASSWORD = "kia-ora-demo";

export type Liveness = { alive: true } | { alive: false; reason: string };

export class FuzzServer {
  /** http://127.0.0.1:<port>: the address every case uses (the process says localhost). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Requests the server's own log recorded with a 5xx status, as "METHOD path status". */
  readonly loggedServerErrors: string[] = [];
  private stderrTail = "";
  private exitDescription: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly server: ServerProcess,
    dataDir: string,
  ) {
    this.port = server.port;
    this.url = `http://127.0.0.1:${this.port}`;
    this.dataDir = dataDir;
    const child = server.child;
    let stdoutRest = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      const lines = (stdoutRest + chunk.toString()).split("\n");
      stdoutRest = lines.pop() ?? "";
      for (const line of lines) this.readLogLine(line);
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-8_000);
    });
    this.exited = new Promise((resolve) => {
      const done = () => {
        this.exitDescription = `exited (${child.exitCode ?? child.signalCode})`;
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) done();
      else child.once("exit", done);
    });
  }

  /** Starts a server on a fresh data directory (or the given one, after a crash); `env` adds to its environment. */
  static async start(name: string, dataDir?: string, env: Record<string, string> = {}): Promise<FuzzServer> {
    const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `stewardship-fuzz-${name}-`));
    const server = await ServerProcess.start({
      name,
      script: "build/server.mjs",
      env: {
        NODE_ENV: "production",
        PORT: "0",
        HOST: "127.0.0.1",
        DATA_DIR: dir,
        DATABASE_URL: "",
        PUBLIC_URL: "",
        // Info, for the request log lines: they carry the status of every request answered.
        LOG_LEVEL: "info",
        ...env,
      },
      forwardOutput: false,
      timeoutMs: 90_000,
    });
    return new FuzzServer(server, dir);
  }

  get pid(): number {
    return this.server.pid;
  }

  /** Whether the process has exited (crashed, or was stopped). */
  get dead(): boolean {
    return this.exitDescription !== undefined;
  }

  /**
   * Is the process still there and answering? It must not have exited, and /healthz must answer
   * 200. A dead process's reason is the first error line of its stderr.
   */
  async liveness(): Promise<Liveness> {
    if (!this.dead) {
      try {
        const response = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(15_000) });
        await response.arrayBuffer();
        if (response.status === 200) return { alive: true };
        if (!this.dead) return { alive: false, reason: `/healthz answered ${response.status}` };
      } catch (error) {
        if (!this.dead) {
          // A process that crashes on a case dies a moment after the connection does: give it that moment.
          await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
          if (!this.dead) return { alive: false, reason: `/healthz did not answer (${(error as Error).message})` };
        }
      }
    }
    return { alive: false, reason: this.crashReason() };
  }

  /** Forgets the output so far: a crash's reason is then read from what came after. */
  markCase(): void {
    this.stderrTail = "";
  }

  /**
   * "exited (1): URIError: URI malformed": the error line of the uncaught exception Node printed
   * last (just before its "Node.js v24…" line), from the output since `markCase`.
   */
  crashReason(): string {
    const lines = this.stderrTail.split("\n").map((line) => line.trim());
    const footer = lines.findLastIndex((line) => /^Node\.js v\d/.test(line));
    const before = footer >= 0 ? lines.slice(0, footer) : lines;
    const error = before.findLast((line) => /^(\w+Error|\w+Exception|Error)\b/.test(line)) ?? before.filter(Boolean).at(-1) ?? "";
    return `${this.exitDescription ?? "not answering"}${error ? `: ${error.slice(0, 200)}` : ""}`;
  }

  /** Signs in through the real /login form; the Cookie header value for later requests. */
  async signIn(email: string): Promise<string> {
    const response = await fetch(`${this.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: this.url },
      body: new URLSearchParams({ email, password: DEMO_PASSWORD }),
    });
    await response.arrayBuffer();
    if (response.status !== 302) throw new Error(`sign-in for ${email} answered ${response.status}`);
    const cookie = response.headers.getSetCookie().find((value) => value.startsWith("stewardship_session="));
    if (!cookie) throw new Error(`no session cookie for ${email}`);
    return cookie.split(";")[0]!;
  }

  /** The page's HTML as `cookie` sees it (for finding the demo group's ids). */
  async page(pathname: string, cookie: string): Promise<string> {
    const response = await fetch(`${this.url}${pathname}`, { headers: { cookie }, redirect: "manual" });
    if (response.status !== 200) throw new Error(`${pathname} answered ${response.status}`);
    return response.text();
  }

  /** Resident set size after two full garbage collections, through the inspector protocol. */
  async rssAfterGc(): Promise<number> {
    return (await this.server.memory()).rss;
  }

  /** SIGTERM, as an operator stops it: queued Yjs batches are committed before it exits. */
  async stop(): Promise<number | null> {
    if (this.dead) return this.server.child.exitCode;
    return this.server.stop(20_000);
  }

  /** Stops the process (SIGKILL if it is still there) and removes its data directory. */
  async dispose(options: { keepData?: boolean } = {}): Promise<void> {
    if (!this.dead) await this.server.kill();
    if (!options.keepData) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  private readLogLine(line: string): void {
    if (!line.includes('"status":5')) return;
    try {
      const entry = JSON.parse(line) as { category?: string; method?: string; path?: string; status?: number };
      if (entry.category === "http" && typeof entry.status === "number" && entry.status >= 500) {
        this.loggedServerErrors.push(`${entry.method} ${entry.path} ${entry.status}`);
      }
    } catch {
      // not a log line
    }
  }
}

/** The ids of the demo group, its terms of reference and its meeting, read from the pages the chair sees. */
export async function demoIds(server: FuzzServer, chairCookie: string): Promise<{ groupId: string; documentId: string; meetingId: string }> {
  const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  const groups = await server.page("/groups", chairCookie);
  const groupId = new RegExp(`/groups/(${uuid})`).exec(groups)?.[1];
  if (!groupId) throw new Error("no group on /groups");
  const documents = await server.page(`/groups/${groupId}/documents`, chairCookie);
  const documentIds = [...documents.matchAll(new RegExp(`/groups/${groupId}/documents/(${uuid})`, "g"))].map((match) => match[1]!);
  // The terms of reference is the group's first document (the demo seeds it first and lists it first).
  const termsLink = new RegExp(`/groups/${groupId}/documents/(${uuid})[^>]*>[^<]*[Tt]erms of [Rr]eference`).exec(documents)?.[1];
  const documentId = termsLink ?? documentIds[0];
  if (!documentId) throw new Error("no document on the documents page");
  const meetings = await server.page(`/groups/${groupId}/meetings`, chairCookie);
  const meetingId = new RegExp(`/groups/${groupId}/meetings/(${uuid})`).exec(meetings)?.[1];
  if (!meetingId) throw new Error("no meeting on the meetings page");
  return { groupId, documentId, meetingId };
}
