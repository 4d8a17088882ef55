/**
 * A smoke run of the benchmark's load generator, so it cannot rot: a few editors type for half a
 * second into our server (in this process, on in-memory PGlite) and into the reference
 * y-websocket server (its own process), and the results must be well formed. No timing is
 * asserted: this is not a benchmark.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoadGenerator } from "./load-generator.js";
import { checkTargets, renderMarkdown } from "./report.js";
import { resultsMeasuring } from "./report-fixtures.js";
import { type FanOutResult, type FanOutRound, poolRounds, runFanOut } from "./scenarios/fan-out.js";
import { sortedSamples, summarise } from "./statistics.js";
import { Target } from "./targets.js";
import { type TestServer, startTestServer } from "../support/server.js";

let server: TestServer;
let reference: Target;
let generator: LoadGenerator;

beforeAll(async () => {
  [server, reference, generator] = await Promise.all([
    startTestServer(),
    Target.start("y-websocket"),
    LoadGenerator.start({ workers: 1, editorSlots: 16 }),
  ]);
});

afterAll(async () => {
  await generator?.stop();
  await reference?.stop();
  await server?.close();
});

async function newPapers(count: number): Promise<string[]> {
  const group = await server.services.db.selectFrom("groups").select("id").executeTakeFirstOrThrow();
  const rows = await server.services.db
    .insertInto("documents")
    .values(Array.from({ length: count }, (_, i) => ({ group_id: group.id, kind: "paper" as const, title: `Smoke ${i}` })))
    .returning("id")
    .execute();
  return rows.map((row) => row.id);
}

function expectWellFormed(result: FanOutResult): void {
  expect(result.failedClients).toBe(0);
  expect(result.keystrokes).toBeGreaterThan(0);
  expect(result.deliveries).toBeGreaterThan(0);
  expect(result.latency.count).toBe(result.deliveries);
  expect(result.deliveredShare).toBeGreaterThan(0);
  expect(result.deliveredShare).toBeLessThanOrEqual(1);
  expect(result.latency.p50).toBeGreaterThan(0);
  expect(result.latency.p50).toBeLessThanOrEqual(result.latency.p95);
  expect(result.latency.p95).toBeLessThanOrEqual(result.latency.p99);
  expect(result.latency.p99).toBeLessThanOrEqual(result.latency.max);
  expect(result.acknowledgement.count).toBeGreaterThan(0);
  expect(result.acknowledgement.p50).toBeLessThanOrEqual(result.acknowledgement.p99);
}

describe("the collaboration load generator", () => {
  it("times fan-out and acknowledgements against our server and the reference server", { timeout: 30_000 }, async () => {
    const ours = await Target.attach("ours-pglite", server.url, { papers: newPapers });
    const load = { documents: 1, editorsPerDocument: 3, ratePerEditor: 20, warmUpMs: 100, windowMs: 500, drainMs: 300 };
    const results = [await runFanOut(ours, generator, load), await runFanOut(reference, generator, load)];
    for (const result of results) expectWellFormed(result);
    expect(results.map((result) => result.target)).toEqual(["ours-pglite", "y-websocket"]);
    // The reference server runs in its own process: its CPU and memory are read from it.
    expect(results[1]!.serverCpuPercent).toBeGreaterThanOrEqual(0);
    expect(results[1]!.serverRssMiB).toBeGreaterThan(0);

    const partial = resultsMeasuring(
      { date: "today", command: "smoke", cpu: "cpu", cores: 1, memoryGiB: 1, node: process.version, postgres: null, os: "os" },
      1,
      { fanOut: results },
    );
    const markdown = renderMarkdown({ ...partial, targets: checkTargets(partial) });
    expect(markdown).toContain("| 3 editors, 1 document | ours (PGlite) |");
    expect(markdown).toContain("| 3 editors, 1 document | @y/websocket-server 0.1.1 |");
  });
});

describe("rounds of one load", () => {
  /** A round whose deliveries took `latencies` ms, over `seconds`, at `cpu` % of a core. */
  function round(latencies: number[], seconds: number, cpu: number, rss: number): FanOutRound {
    const samples = sortedSamples([Float64Array.from(latencies)]);
    const acknowledgements = sortedSamples([Float64Array.from(latencies.map((value) => value + 30))]);
    return {
      result: {
        target: "ours-postgres",
        documents: 1,
        editorsPerDocument: 2,
        ratePerEditor: 5,
        openMs: 10,
        seconds,
        keystrokes: latencies.length,
        keystrokesPerSecond: latencies.length / seconds,
        expectedDeliveries: latencies.length,
        deliveries: latencies.length,
        deliveredShare: 1,
        deliveriesPerSecond: latencies.length / seconds,
        latency: summarise(samples),
        acknowledgement: summarise(acknowledgements),
        serverCpuPercent: cpu,
        generatorCpuPercent: cpu / 2,
        serverRssMiB: rss,
        databaseCpuPercent: null,
        failedClients: 0,
      },
      latencies: samples,
      acknowledgements,
    };
  }

  it("are summarised over every round's samples together, each round's p99 kept beside", () => {
    const quiet = Array.from({ length: 100 }, (_, i) => 1 + i / 100);
    // One stall in the second round: its own p99 is the stall's.
    const stalled = [...quiet.slice(0, 98), 20, 21];
    const pooled = poolRounds([round(quiet, 3, 10, 100), round(stalled, 1, 30, 120)]);
    expect(pooled.deliveries).toBe(200);
    expect(pooled.latency.count).toBe(200);
    expect(pooled.roundsP99).toEqual([1.98, 20]);
    // Of 200 deliveries the 198th is the p99: still the quiet round's, not the stall.
    expect(pooled.latency.p99).toBe(1.99);
    expect(pooled.latency.max).toBe(21);
    expect(pooled.acknowledgement.count).toBe(200);
    expect(pooled.seconds).toBe(4);
    expect(pooled.keystrokesPerSecond).toBe(50);
    // CPU over the rounds' time together; memory the most any round used.
    expect(pooled.serverCpuPercent).toBe(15);
    expect(pooled.serverRssMiB).toBe(120);
    expect(pooled.databaseCpuPercent).toBeNull();
  });
});
