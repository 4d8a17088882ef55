/**
 * The benchmark's Redis counting (cluster-target.ts), against a real redis-server of its own: what
 * the processes publish is counted by kind, and the bytes Redis writes to the benchmark's own
 * subscription are taken out of its output counter, so what is left is what the processes got.
 */
import { createClient, type RedisClientType } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BenchRedis, RedisCounter, redisBetween } from "./cluster-target.js";
import { checkTargets, renderMarkdown } from "./report.js";
import { resultsMeasuring } from "./report-fixtures.js";
import type { ClusterResults } from "./scenarios/cluster.js";
import type { FanOutResult } from "./scenarios/fan-out.js";
import { waitUntil } from "./timing.js";

let redis: BenchRedis;
let publisher: RedisClientType;
let subscriber: RedisClientType;
let counter: RedisCounter;

beforeAll(async () => {
  redis = await BenchRedis.start();
  publisher = createClient({ url: redis.url }) as RedisClientType;
  subscriber = createClient({ url: redis.url }) as RedisClientType;
  await Promise.all([publisher.connect(), subscriber.connect()]);
  counter = await RedisCounter.open(redis.url);
});

afterAll(async () => {
  await counter?.close();
  await Promise.allSettled([publisher?.destroy(), subscriber?.destroy()]);
  await redis?.stop();
});

describe("counting what crosses Redis", () => {
  it("counts co-editing messages by kind and leaves out its own subscription's bytes", async () => {
    let received = 0;
    const channel = "collab:0b7e4c1a-doc";
    await subscriber.subscribe(channel, () => received++, true);
    const before = await counter.read();
    // Kinds as document-fanout.ts writes them (1 update, 2 presence, 3 committed), large enough
    // that the subscription's own copies dwarf the INFO replies counted in the same stretch.
    const message = (kind: number, size: number) => Buffer.concat([Buffer.from([kind, 3, 0x61, 0x62, 0x63, 1]), Buffer.alloc(size, 7)]);
    const messages = [message(1, 40_000), message(1, 30_000), message(2, 20_000), message(3, 10_000)];
    for (const each of messages) await publisher.publish(channel, each);
    // The counter and the other subscriber have both had every message.
    await waitUntil(async () => received === 4 && (await counter.read()).committed - before.committed === 1, 5_000, "the messages");
    const counted = redisBetween(before, await counter.read());
    expect(counted.publishes).toBe(4);
    expect([counted.updates, counted.awareness, counted.committed, counted.other]).toEqual([2, 1, 1, 0]);
    expect(counted.updateBytes).toBe(messages[0]!.byteLength + messages[1]!.byteLength);
    expect(counted.awarenessBytes).toBe(messages[2]!.byteLength);
    expect(counted.committedBytes).toBe(messages[3]!.byteLength);
    // Left: what the other subscriber got (*3 message <channel> <payload> each) and the publisher's
    // answers (:2, two subscribers, each), give or take the INFO replies to the counter itself
    // (a few kilobytes); the subscription's own 100 kB of copies are not in it.
    const bulk = (length: number) => `$${length}\r\n`.length + length + 2;
    const delivered = messages.reduce((total, each) => total + 4 + bulk(7) + bulk(channel.length) + bulk(each.byteLength), 0);
    const answers = messages.length * ":2\r\n".length;
    expect(counted.netOutputBytes).toBeGreaterThanOrEqual(delivered + answers);
    expect(counted.netOutputBytes - delivered - answers).toBeLessThan(20_000);
    // Into Redis: at least the four publishes themselves.
    expect(counted.netInputBytes).toBeGreaterThan(100_000);
  });
});

describe("the several-process report", () => {
  const fanOut = (p99: number, rounds: number[]): FanOutResult => ({
    target: "ours-postgres",
    documents: 1,
    editorsPerDocument: 50,
    ratePerEditor: 5,
    openMs: 100,
    seconds: 12,
    keystrokes: 3_000,
    keystrokesPerSecond: 250,
    expectedDeliveries: 147_000,
    deliveries: 147_000,
    deliveredShare: 1,
    deliveriesPerSecond: 12_250,
    latency: { count: 147_000, p50: 1, p95: 2, p99, max: 20 },
    acknowledgement: { count: 3_000, p50: 30, p95: 50, p99: 60, max: 90 },
    serverCpuPercent: 20,
    generatorCpuPercent: 40,
    serverRssMiB: 200,
    databaseCpuPercent: 3,
    failedClients: 0,
    roundsP99: rounds,
  });
  const results = (singleP99: number, clusterP99: number, lost: number): ClusterResults => ({
    processes: 2,
    redis: "7.0.15",
    fanOut: [
      {
        documents: 1,
        editorsPerDocument: 50,
        single: fanOut(singleP99, [singleP99]),
        cluster: { ...fanOut(clusterP99, [clusterP99]), target: "ours-cluster" },
        p99Ratio: clusterP99 / singleP99,
        redis: {
          keystrokes: 3_000,
          publishes: 3_300,
          messagesPerKeystroke: 1.1,
          updatesPerKeystroke: 1,
          awarenessPerKeystroke: 0,
          committedPerKeystroke: 0.1,
          payloadBytesPerKeystroke: 60,
          updateBytesPerMessage: 55,
          netInputBytesPerKeystroke: 120,
          netOutputBytesPerKeystroke: 230,
        },
      },
    ],
    saturation: null,
    kills: {
      processes: 2,
      kills: 50,
      editors: 6,
      ratePerEditor: 20,
      acknowledgedAtKills: 10_000,
      lost,
      killsWithLoss: lost > 0 ? 1 : 0,
      unacknowledgedAtKills: 40,
      lossSamples: [],
      convergedAtEnd: true,
      restartMs: { mean: 900, max: 1_200 },
      seconds: 100,
    },
    seconds: 300,
  });
  const partial = (cluster: ClusterResults) =>
    resultsMeasuring(
      { date: "today", command: "BENCH_ONLY=cluster npm run bench", cpu: "cpu", cores: 2, memoryGiB: 1, node: process.version, postgres: "PostgreSQL 15", os: "os" },
      300,
      { cluster },
    );
  const verdicts = (cluster: ClusterResults) =>
    checkTargets(partial(cluster))
      .filter((check) => check.server === "ours-cluster")
      .map((check) => check.met);

  it("meets the targets at ≤ 1.5× one process, ≤ 10 ms and nothing lost, and not otherwise", () => {
    expect(verdicts(results(3, 4.5, 0))).toEqual([true, true]);
    expect(verdicts(results(3, 4.6, 0))).toEqual([false, true]);
    // Within 1.5× of a slow single process is still over 10 ms.
    expect(verdicts(results(8, 11, 0))).toEqual([false, true]);
    expect(verdicts(results(3, 3, 1))).toEqual([true, false]);
  });

  it("prints the two-process figures beside one process's, with the ratio", () => {
    const cluster = results(3, 4.5, 0);
    const markdown = renderMarkdown({ ...partial(cluster), targets: checkTargets(partial(cluster)) });
    expect(markdown).toContain("| fan-out p50 / p99 ms, 50 editors on one document (1 rounds pooled) | 1 / 3 | 1 / 4.5 | 1.00 / **1.5** |");
    expect(markdown).toContain("**0 of 10,000**");
    expect(markdown).toContain("| 50 editors on one document | 3,000 | 1.1 | 1 | 0 | 0.1 | 60 | 55 | 120 | 230 |");
  });
});
