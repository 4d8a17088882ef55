/**
 * Waiting in the benchmark (never in tests): sleeps, polling for a condition, and CPU use of the
 * server and of the load generator over a measured stretch.
 */
import type { ServerProcess } from "./server-process.js";

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every `intervalMs` until it holds; throws after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string, intervalMs = 25): Promise<void> {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** CPU time of a server process (when there is one) and of this process (the generator's workers included). */
export class CpuMeter {
  private readonly serverStart: number;
  private readonly generatorStart: NodeJS.CpuUsage;
  private readonly started = performance.now();

  constructor(private readonly server: { cpuSeconds(): number } | null) {
    this.serverStart = server?.cpuSeconds() ?? 0;
    this.generatorStart = process.cpuUsage();
  }

  /** Percent of one core each used since the meter started. */
  read(): { serverPercent: number | null; generatorPercent: number; seconds: number } {
    const seconds = (performance.now() - this.started) / 1000;
    const generator = process.cpuUsage(this.generatorStart);
    return {
      serverPercent: this.server ? ((this.server.cpuSeconds() - this.serverStart) / seconds) * 100 : null,
      generatorPercent: ((generator.user + generator.system) / 1e6 / seconds) * 100,
      seconds,
    };
  }
}

/** Waits until the server has used less than `percent` of a core over `windowMs`, twice running (at most `timeoutMs`). */
export async function waitForQuietServer(server: ServerProcess, timeoutMs = 60_000, percent = 5, windowMs = 250): Promise<void> {
  const started = performance.now();
  let quiet = 0;
  while (quiet < 2 && performance.now() - started < timeoutMs) {
    const before = server.cpuSeconds();
    await sleep(windowMs);
    quiet = ((server.cpuSeconds() - before) / (windowMs / 1000)) * 100 < percent ? quiet + 1 : 0;
  }
}
