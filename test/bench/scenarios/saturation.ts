/**
 * Updates per second sustained: a few editors on one document type faster and faster (total
 * offered rates in stages). A stage is sustained when the server kept up: at least 99% of its
 * keystrokes reached every other client before the drain ended, and the median fan-out stayed
 * under 50 ms (an overloaded server's queue, and so its median, grows without bound; a p99 over a
 * short stage also catches any stall of a machine shared with others). The figure is the fastest
 * stage sustained. The generator's CPU is reported with each stage: when it is near
 * a full core per worker, the generator, not the server, was the limit.
 */
import type { LoadGenerator } from "../load-generator.js";
import { type LatencySummary, round, summarise } from "../statistics.js";
import type { LoadTarget, TargetKey } from "../targets.js";
import { CpuMeter, sleep } from "../timing.js";

export interface SaturationOptions {
  editors: number;
  /** Total keystrokes a second offered, one stage each, slowest first. */
  stages: number[];
  warmUpMs: number;
  windowMs: number;
  drainMs: number;
}

export interface SaturationStage {
  offeredPerSecond: number;
  keystrokesPerSecond: number;
  deliveredShare: number;
  latency: LatencySummary;
  /** Keystroke → acknowledgement (ours: saved after the commit). */
  acknowledgement: LatencySummary;
  serverCpuPercent: number | null;
  generatorCpuPercent: number;
  sustained: boolean;
}

export interface SaturationResult {
  target: TargetKey;
  editors: number;
  /** The fastest stage sustained (keystrokes a second accepted and fanned out), 0 if none. */
  sustainedPerSecond: number;
  stages: SaturationStage[];
}

export async function runSaturation(target: LoadTarget, generator: LoadGenerator, options: SaturationOptions): Promise<SaturationResult> {
  const [documentName] = await target.newDocuments(1);
  const specs = Array.from({ length: options.editors }, (_, i) => target.client(documentName!, { editor: true, slot: i, n: i }));
  await generator.open(specs, { paragraph: true });
  const stages: SaturationStage[] = [];
  try {
    await sleep(200);
    for (const offered of options.stages) {
      await generator.startTyping(offered / options.editors);
      await sleep(options.warmUpMs);
      const cpu = new CpuMeter(target.server);
      await generator.startWindow();
      await sleep(options.windowMs);
      generator.endWindow();
      const used = cpu.read();
      await sleep(options.drainMs);
      const counters = await generator.collect();
      const expected = counters.sentInWindow * (options.editors - 1);
      const latency = summarise(counters.latencies);
      const deliveredShare = expected === 0 ? 0 : counters.latencies.values.length / expected;
      const stage: SaturationStage = {
        offeredPerSecond: offered,
        keystrokesPerSecond: round(counters.sentInWindow / used.seconds),
        deliveredShare: round(deliveredShare, 4),
        latency,
        acknowledgement: summarise(counters.acknowledgements),
        serverCpuPercent: used.serverPercent === null ? null : round(used.serverPercent),
        generatorCpuPercent: round(used.generatorPercent),
        sustained: deliveredShare >= 0.99 && latency.p50 < 50,
      };
      stages.push(stage);
      if (!stage.sustained) break;
    }
    await generator.stopTyping();
  } finally {
    await generator.closeAll();
  }
  const sustained = stages.filter((stage) => stage.sustained).at(-1);
  return { target: target.key, editors: options.editors, sustainedPerSecond: sustained?.keystrokesPerSecond ?? 0, stages };
}
