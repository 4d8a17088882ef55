/**
 * A server under test in a child process of its own (`node --inspect --import tsx <script>`): its
 * URL once it prints "ready at …", its CPU time and RSS from /proc, and its heap after a full
 * garbage collection through the inspector protocol, so nothing in the server has to change to be
 * measured. The inspector is only attached for a memory reading.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { WebSocket } from "ws";

const root = path.resolve(import.meta.dirname, "..", "..");
const clockTicksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

export interface MemoryReading {
  /** V8 heap in use after a full garbage collection. */
  heapUsed: number;
  heapTotal: number;
  /** Memory held outside the V8 heap by JavaScript objects (Buffers, PGlite's WASM memory…). */
  external: number;
  arrayBuffers: number;
  rss: number;
}

export interface StartOptions {
  /** What the log lines are prefixed with. */
  name: string;
  /** The script to run, relative to the repository root: TypeScript (through tsx) or built JavaScript (`.mjs`). */
  script: string;
  env: Record<string, string>;
  /** How the process announces its URL on stdout (first capture group). */
  readyPattern?: RegExp;
  /** How long it may take to be ready (default 60 s). */
  timeoutMs?: number;
  /**
   * Whether the server's warnings and errors are copied to this process's stderr (default true).
   * The fuzz suites read the output themselves (`child.stdout`, `child.stderr`) and turn it off.
   */
  forwardOutput?: boolean;
}

export class ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  private readonly inspectorUrl: string;
  private readonly exited: Promise<number | null>;

  private constructor(name: string, child: ChildProcess, url: string, inspectorUrl: string, exited: Promise<number | null>) {
    this.name = name;
    this.child = child;
    this.url = url;
    this.inspectorUrl = inspectorUrl;
    this.exited = exited;
  }

  static async start(options: StartOptions): Promise<ServerProcess> {
    // BENCH_CPU_PROFILE_DIR=<dir>: every server writes a V8 CPU profile there when it stops.
    const profile = process.env.BENCH_CPU_PROFILE_DIR
      ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`, "--cpu-prof-interval=200"]
      : [];
    const extra = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
    const loader = options.script.endsWith(".ts") ? ["--import", "tsx"] : [];
    const child = spawn(process.execPath, ["--inspect=127.0.0.1:0", ...profile, ...extra, ...loader, options.script], {
      cwd: root,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code, signal) => {
        // kill -9 is the benchmark's own doing; a stop exits with 0.
        if (signal !== "SIGKILL" && code !== 0) process.stderr.write(`[${options.name}] exited (${code ?? signal})\n`);
        resolve(code);
      }),
    );
    const readyPattern = options.readyPattern ?? /ready at (\S+)/;
    let stdout = "";
    let stderr = "";
    let forwarded = 0;
    const forward = (line: string) => {
      // Warnings and errors from the server reach the person running the benchmark (a few of them).
      if (options.forwardOutput === false || line.trim() === "" || forwarded > 10) return;
      forwarded++;
      process.stderr.write(`[${options.name}] ${summariseLogLine(line)}\n`);
      if (forwarded === 11) process.stderr.write(`[${options.name}] … (further output not shown)\n`);
    };
    const ready = new Promise<{ url: string; inspectorUrl: string }>((resolve, reject) => {
      let url: string | undefined;
      let inspectorUrl: string | undefined;
      const check = () => {
        if (url && inspectorUrl) resolve({ url, inspectorUrl });
      };
      child.stdout!.on("data", (chunk: Buffer) => {
        if (url) {
          for (const line of chunk.toString().split("\n")) forward(line);
          return;
        }
        stdout += chunk.toString();
        url = readyPattern.exec(stdout)?.[1];
        check();
      });
      child.stderr!.on("data", (chunk: Buffer) => {
        const text = chunk.toString();
        if (!inspectorUrl) {
          stderr += text;
          inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
          check();
        }
        for (const line of text.split("\n")) {
          if (/Debugger listening|For help, see|Debugger attached|Waiting for the debugger|Debugger ending/.test(line)) continue;
          forward(line);
        }
      });
      void exited.then((code) => reject(new Error(`${options.name} exited (${code}) before it was ready:\n${stdout}\n${stderr}`)));
      setTimeout(() => reject(new Error(`${options.name} was not ready within ${options.timeoutMs ?? 60_000} ms`)), options.timeoutMs ?? 60_000).unref();
    });
    try {
      const { url, inspectorUrl } = await ready;
      return new ServerProcess(options.name, child, url, inspectorUrl, exited);
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** CPU seconds (user + system, every thread) the process has used so far. */
  cpuSeconds(): number {
    return processCpuSeconds(this.pid);
  }

  /** Resident set size now, in bytes. */
  rss(): number {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  }

  /** Memory after a full garbage collection, read through the inspector. */
  async memory(): Promise<MemoryReading> {
    const session = await InspectorSession.open(this.inspectorUrl);
    try {
      await session.call("HeapProfiler.collectGarbage");
      await session.call("HeapProfiler.collectGarbage");
      const result = (await session.call("Runtime.evaluate", {
        expression: "JSON.stringify(process.memoryUsage())",
        returnByValue: true,
      })) as { result: { value: string } };
      return JSON.parse(result.result.value) as MemoryReading;
    } finally {
      session.close();
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** kill -9: no shutdown, no flush. */
  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }
}

/** A pino JSON line as "msg (error message)"; anything else as it is, shortened. */
function summariseLogLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
    if (entry.msg) return entry.err?.message ? `${entry.msg} (${entry.err.message})` : entry.msg;
  } catch {
    // not JSON
  }
  return line.slice(0, 300);
}

export function processCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of proc(5) (utime, stime) are the 12th and 13th after the command name.
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  } catch {
    return 0; // gone
  }
}

/** A minimal Chrome DevTools protocol client over the inspector's websocket. */
class InspectorSession {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result);
    });
  }

  static open(url: string): Promise<InspectorSession> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new InspectorSession(ws)));
      ws.once("error", reject);
    });
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.ws.close();
  }
}
