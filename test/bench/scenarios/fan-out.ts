/**
 * Fan-out under typing: `documents` documents with `editorsPerDocument` editors each, every
 * editor typing `ratePerEditor` keystrokes a second (one Yjs update each) into a paragraph of its
 * own. Every keystroke sent inside the measurement window is timed at every other client of its
 * document; with ours, also the time until it was acknowledged as saved.
 */
import { type PostgresReading, backendCpuBetween } from "../bench-database.js";
import type { LoadGenerator } from "../load-generator.js";
import { type LatencySummary, round, summarise } from "../statistics.js";
import type { Target, TargetKey } from "../targets.js";
import { CpuMeter, sleep } from "../timing.js";

export interface FanOutOptions {
  documents: number;
  editorsPerDocument: number;
  ratePerEditor: number;
  warmUpMs: number;
  windowMs: number;
  /** How long receipts of the window's keystrokes are still counted after it ends. */
  drainMs: number;
  /** Generator worker threads to use (all when not given). */
  generatorWorkers?: number;
}

export interface FanOutResult {
  target: TargetKey;
  documents: number;
  editorsPerDocument: number;
  ratePerEditor: number;
  /** Time to open and sync every client. */
  openMs: number;
  seconds: number;
  keystrokes: number;
  keystrokesPerSecond: number;
  /** Keystroke receipts expected (keystrokes × other clients of the document) and counted. */
  expectedDeliveries: number;
  deliveries: number;
  deliveredShare: number;
  deliveriesPerSecond: number;
  /** Send → receipt at every other client, ms. */
  latency: LatencySummary;
  /** Send → the server's acknowledgement (ours: saved; the others: applied in memory), ms. */
  acknowledgement: LatencySummary;
  serverCpuPercent: number | null;
  generatorCpuPercent: number;
  serverRssMiB: number | null;
  /** Ours on PostgreSQL: CPU of its backends. */
  databaseCpuPercent: number | null;
  failedClients: number;
  /** When the scenario ran in several interleaved rounds: each round's p99 (this result is the median round). */
  roundsP99?: number[];
}

export async function runFanOut(target: Target, generator: LoadGenerator, options: FanOutOptions): Promise<FanOutResult> {
  const documents = await target.newDocuments(options.documents);
  const specs = documents.flatMap((documentName, d) =>
    Array.from({ length: options.editorsPerDocument }, (_, e) => {
      const slot = d * options.editorsPerDocument + e;
      return target.client(documentName, { editor: true, slot, n: slot });
    }),
  );
  const openStarted = performance.now();
  const opened = await generator.open(specs, {
    concurrency: 64,
    paragraph: true,
    ...(options.generatorWorkers ? { workers: options.generatorWorkers } : {}),
  });
  const openMs = performance.now() - openStarted;
  if (opened.opened === 0) throw new Error(`${target.label}: no client could connect (${opened.errors.join("; ")})`);
  try {
    await sleep(200);
    await generator.startTyping(options.ratePerEditor);
    await sleep(options.warmUpMs);
    const monitor = target.database?.monitor ?? null;
    const databaseBefore: PostgresReading | null = monitor ? await monitor.read() : null;
    const cpu = new CpuMeter(target.server);
    await generator.startWindow();
    await sleep(options.windowMs);
    generator.endWindow();
    const used = cpu.read();
    const databaseAfter = monitor ? await monitor.read() : null;
    const rss = target.server ? target.server.rss() : null;
    await generator.stopTyping();
    await sleep(options.drainMs);
    const counters = await generator.collect();
    const expected = counters.sentInWindow * (options.editorsPerDocument - 1);
    return {
      target: target.key,
      documents: options.documents,
      editorsPerDocument: options.editorsPerDocument,
      ratePerEditor: options.ratePerEditor,
      openMs: round(openMs),
      seconds: round(used.seconds, 2),
      keystrokes: counters.sentInWindow,
      keystrokesPerSecond: round(counters.sentInWindow / used.seconds),
      expectedDeliveries: expected,
      deliveries: counters.latencies.values.length,
      deliveredShare: expected === 0 ? 0 : round(counters.latencies.values.length / expected, 4),
      deliveriesPerSecond: round(counters.latencies.values.length / used.seconds),
      latency: summarise(counters.latencies),
      acknowledgement: summarise(counters.acknowledgements),
      serverCpuPercent: used.serverPercent === null ? null : round(used.serverPercent),
      generatorCpuPercent: round(used.generatorPercent),
      serverRssMiB: rss === null ? null : round(rss / 2 ** 20),
      databaseCpuPercent:
        databaseBefore && databaseAfter ? round((backendCpuBetween(databaseBefore, databaseAfter) / used.seconds) * 100) : null,
      failedClients: opened.failed,
    };
  } finally {
    await generator.closeAll();
  }
}

/** The round whose p99 is the median of the rounds', carrying every round's p99. */
export function medianRound(rounds: FanOutResult[]): FanOutResult {
  const sorted = [...rounds].sort((a, b) => a.latency.p99 - b.latency.p99);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, roundsP99: rounds.map((round) => round.latency.p99) };
}
