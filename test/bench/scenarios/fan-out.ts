/**
 * Fan-out under typing: `documents` documents with `editorsPerDocument` editors each, every
 * editor typing `ratePerEditor` keystrokes a second (one Yjs update each) into a paragraph of its
 * own. Every keystroke sent inside the measurement window is timed at every other client of its
 * document; with ours, also the time until it was acknowledged as saved.
 */
import { type PostgresReading, backendCpuBetween } from "../bench-database.js";
import type { LoadGenerator } from "../load-generator.js";
import { type LatencySummary, type SortedSamples, round, sortedSamples, summarise } from "../statistics.js";
import type { LoadTarget, TargetKey } from "../targets.js";
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
  /** Called just before the measurement window opens and just after it closes (to read other counters over it). */
  windowHooks?: { start(): Promise<void>; end(): Promise<void> };
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
  /** When the scenario ran in several interleaved rounds: each round's p99 (this result pools every round's samples). */
  roundsP99?: number[];
}

/** One run's result with its raw samples, so that rounds can be pooled. */
export interface FanOutRound {
  result: FanOutResult;
  latencies: SortedSamples;
  acknowledgements: SortedSamples;
}

export async function runFanOut(target: LoadTarget, generator: LoadGenerator, options: FanOutOptions): Promise<FanOutResult> {
  return (await runFanOutRound(target, generator, options)).result;
}

export async function runFanOutRound(target: LoadTarget, generator: LoadGenerator, options: FanOutOptions): Promise<FanOutRound> {
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
    await options.windowHooks?.start();
    const cpu = new CpuMeter(target.server);
    await generator.startWindow();
    await sleep(options.windowMs);
    generator.endWindow();
    const used = cpu.read();
    await options.windowHooks?.end();
    const databaseAfter = monitor ? await monitor.read() : null;
    const rss = target.server ? target.server.rss() : null;
    await generator.stopTyping();
    await sleep(options.drainMs);
    const counters = await generator.collect();
    const expected = counters.sentInWindow * (options.editorsPerDocument - 1);
    const result: FanOutResult = {
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
    return { result, latencies: counters.latencies, acknowledgements: counters.acknowledgements };
  } finally {
    await generator.closeAll();
  }
}

/**
 * Rounds of one load on one server as one result: percentiles over every round's samples together
 * (a 3-second round's p99 rests on its worst 7 or 8 keystrokes, so one stall decides it), rates
 * and CPU over the rounds' time together, RSS the largest, and each round's own p99 alongside.
 */
export function poolRounds(rounds: FanOutRound[]): FanOutResult {
  const results = rounds.map((round) => round.result);
  const first = results[0]!;
  const total = (pick: (result: FanOutResult) => number) => results.reduce((sum, result) => sum + pick(result), 0);
  const seconds = total((result) => result.seconds);
  const weighted = (pick: (result: FanOutResult) => number | null) =>
    results.some((result) => pick(result) === null) ? null : round(total((result) => (pick(result) ?? 0) * result.seconds) / seconds);
  const latencies = sortedSamples(rounds.map((round) => round.latencies.values));
  const keystrokes = total((result) => result.keystrokes);
  const expected = total((result) => result.expectedDeliveries);
  return {
    ...first,
    openMs: round(total((result) => result.openMs) / results.length),
    seconds: round(seconds, 2),
    keystrokes,
    keystrokesPerSecond: round(keystrokes / seconds),
    expectedDeliveries: expected,
    deliveries: latencies.values.length,
    deliveredShare: expected === 0 ? 0 : round(latencies.values.length / expected, 4),
    deliveriesPerSecond: round(latencies.values.length / seconds),
    latency: summarise(latencies),
    acknowledgement: summarise(sortedSamples(rounds.map((round) => round.acknowledgements.values))),
    serverCpuPercent: weighted((result) => result.serverCpuPercent),
    generatorCpuPercent: weighted((result) => result.generatorCpuPercent)!,
    serverRssMiB: results.some((result) => result.serverRssMiB === null) ? null : Math.max(...results.map((result) => result.serverRssMiB!)),
    databaseCpuPercent: weighted((result) => result.databaseCpuPercent),
    failedClients: total((result) => result.failedClients),
    roundsP99: results.map((result) => result.latency.p99),
  };
}
