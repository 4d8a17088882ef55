/**
 * Connections one process holds: idle Yjs connections are added in steps (each document shared by
 * `perDocument` of them, like people sitting in a meeting's papers) while a probe document with a
 * few editors keeps typing; at each step the probe's fan-out latency and the server's heap (after
 * a full GC) and RSS are read. The largest step whose probe p99 stays under 100 ms is the capacity
 * figure. At one step Socket.io connections (signed in) are opened too, for the combined RSS.
 */
import type { LoadGenerator } from "../load-generator.js";
import type { MemoryReading } from "../server-process.js";
import { type LatencySummary, round, summarise } from "../statistics.js";
import type { Target, TargetKey } from "../targets.js";
import { CpuMeter, sleep, waitForQuietServer } from "../timing.js";

export interface ConnectionsOptions {
  /** Idle Yjs connections after each step, ascending. */
  steps: number[];
  perDocument: number;
  /** Open this many Socket.io connections once the step with `socketIoAtStep` Yjs connections is reached (ours). */
  socketIoCount: number;
  socketIoAtStep: number | null;
  probeEditors: number;
  probeRatePerEditor: number;
  probeWindowMs: number;
}

export interface ConnectionStep {
  yjsConnections: number;
  socketIoConnections: number;
  documents: number;
  /** Time to open this step's new connections. */
  openMs: number;
  failed: number;
  heapUsedMiB: number;
  externalMiB: number;
  rssMiB: number;
  probe: LatencySummary;
  probeDeliveredShare: number;
  serverCpuPercent: number | null;
}

export interface ConnectionsResult {
  target: TargetKey;
  /** Idle connections per document. */
  perDocument: number;
  baseline: { heapUsedMiB: number; rssMiB: number };
  steps: ConnectionStep[];
  /** The most connections (Yjs + Socket.io) held with the probe's p99 under 100 ms. */
  largestHeldUnder100ms: number;
  /** Heap per idle connection (with its share of a document), from the largest Yjs-only step. */
  heapPerConnectionKiB: number;
  rssPerConnectionKiB: number;
  afterClose: { heapUsedMiB: number; rssMiB: number };
}

const mib = (bytes: number) => round(bytes / 2 ** 20);

export async function runConnections(target: Target, generator: LoadGenerator, options: ConnectionsOptions): Promise<ConnectionsResult> {
  const server = target.process;
  await waitForQuietServer(server);
  const baseline = await server.memory();
  const steps: ConnectionStep[] = [];
  const [probeDocument] = await target.newDocuments(1);
  // The probe has the first generator worker to itself; the idle connections live on the others.
  await generator.open(
    Array.from({ length: options.probeEditors }, (_, i) => target.client(probeDocument!, { editor: true, slot: i, n: i })),
    { paragraph: true, workers: 1 },
  );
  try {
    await generator.startTyping(options.probeRatePerEditor);
    let open = 0;
    let documents = 0;
    const measure = async (socketIo: number, openMs: number, failed: number) => {
      await sleep(300);
      const cpu = new CpuMeter(server);
      await generator.startWindow();
      await sleep(options.probeWindowMs);
      generator.endWindow();
      const used = cpu.read();
      await sleep(300);
      const counters = await generator.collect();
      const expected = counters.sentInWindow * (options.probeEditors - 1);
      const memory: MemoryReading = await server.memory();
      steps.push({
        yjsConnections: open,
        socketIoConnections: socketIo,
        documents,
        openMs: round(openMs),
        failed,
        heapUsedMiB: mib(memory.heapUsed),
        externalMiB: mib(memory.external),
        rssMiB: mib(server.rss()),
        probe: summarise(counters.latencies),
        probeDeliveredShare: expected === 0 ? 0 : round(counters.latencies.values.length / expected, 4),
        serverCpuPercent: used.serverPercent === null ? null : round(used.serverPercent),
      });
    };
    await measure(0, 0, 0);
    for (const total of options.steps) {
      const adding = total - open;
      if (adding <= 0) continue;
      const names = await target.newDocuments(Math.ceil(adding / options.perDocument));
      documents += names.length;
      const specs = Array.from({ length: adding }, (_, i) => target.client(names[Math.floor(i / options.perDocument)]!, { editor: false, n: i }));
      const started = performance.now();
      const outcome = await generator.open(specs, { concurrency: 128, paragraph: false, firstWorker: 1 });
      open += outcome.opened;
      await measure(0, performance.now() - started, outcome.failed);
      if (options.socketIoAtStep === total && target.cookies[0]) {
        const socketStarted = performance.now();
        const sockets = await generator.openSocketIo(target.url.replace("//localhost:", "//127.0.0.1:"), target.cookies[0], options.socketIoCount, 128, 1);
        await measure(sockets.opened, performance.now() - socketStarted, sockets.failed);
        await generator.closeSocketIo();
      }
      if (outcome.failed > adding / 2) break; // the server stopped taking connections
    }
  } finally {
    await generator.closeAll();
    await generator.closeSocketIo();
  }
  await waitForQuietServer(server);
  const afterClose = await server.memory();
  const held = steps.filter((step) => step.probe.p99 < 100 && step.probeDeliveredShare >= 0.99);
  const largestYjsOnly = steps.filter((step) => step.socketIoConnections === 0).at(-1)!;
  const largestBytes = (largestYjsOnly.heapUsedMiB - mib(baseline.heapUsed)) * 2 ** 20;
  return {
    target: target.key,
    perDocument: options.perDocument,
    baseline: { heapUsedMiB: mib(baseline.heapUsed), rssMiB: mib(baseline.rss) },
    steps,
    largestHeldUnder100ms: Math.max(0, ...held.map((step) => step.yjsConnections + step.socketIoConnections)),
    heapPerConnectionKiB: largestYjsOnly.yjsConnections === 0 ? 0 : round(largestBytes / largestYjsOnly.yjsConnections / 1024, 2),
    rssPerConnectionKiB:
      largestYjsOnly.yjsConnections === 0 ? 0 : round(((largestYjsOnly.rssMiB - mib(baseline.rss)) * 2 ** 20) / largestYjsOnly.yjsConnections / 1024, 2),
    afterClose: { heapUsedMiB: mib(afterClose.heapUsed), rssMiB: mib(afterClose.rss) },
  };
}
