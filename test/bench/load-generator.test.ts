/**
 * A smoke run of the benchmark's load generator, so it cannot rot: a few editors type for half a
 * second into our server (in this process, on in-memory PGlite) and into the reference
 * y-websocket server (its own process), and the results must be well formed. No timing is
 * asserted: this is not a benchmark.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoadGenerator } from "./load-generator.js";
import { checkTargets, renderMarkdown } from "./report.js";
import { type FanOutResult, runFanOut } from "./scenarios/fan-out.js";
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

    const partial = {
      machine: { date: "today", command: "smoke", cpu: "cpu", cores: 1, memoryGiB: 1, node: process.version, postgres: null, os: "os" },
      durationSeconds: 1,
      fanOut: results,
      saturation: [],
      firstSync: [],
      writeAmplification: [],
      connections: [],
      documentCycles: [],
      durability: [],
    };
    const markdown = renderMarkdown({ ...partial, targets: checkTargets(partial) });
    expect(markdown).toContain("| 3 editors, 1 document | ours (PGlite) |");
    expect(markdown).toContain("| 3 editors, 1 document | @y/websocket-server 0.1.1 |");
  });
});
