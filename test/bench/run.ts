/**
 * `npm run bench`: the collaboration benchmark. Our server (authenticated sessions, persistence
 * on, on PostgreSQL and on PGlite) against the reference servers (@y/websocket-server and
 * Hocuspocus, in memory, no auth), all in one run, each in its own process, driven by the load
 * generator's worker threads. Prints the Markdown tables and writes them, with every figure as
 * JSON, to test/bench/results/.
 *
 * Environment:
 *   BENCH_POSTGRES_URL  where to create the benchmark's own database (default
 *                       postgres://postgres@127.0.0.1:5432/postgres); unreachable: PGlite only
 *   BENCH_QUICK=1       short windows, fewer connections and kills (minutes → about one)
 *   BENCH_ONLY=…        phases, comma-separated: first-sync, fan-out, saturation, writes,
 *                       connections, cycles, durability, cluster (BENCH_ONLY=cluster, or
 *                       `npm run bench:cluster`: the several-process rows alone, about 5 minutes)
 *   BENCH_TARGETS=…     servers, comma-separated: ours-postgres, ours-pglite, y-websocket, hocuspocus
 *   BENCH_EDITORS=…     one-document fan-out sizes, comma-separated (default 10,50,200)
 *   BENCH_ROUNDS=…      interleaved rounds of each of those sizes, pooled (default: 4 at 50 editors, else 1);
 *                       also the several-process 50-editor rounds
 *   BENCH_KILLS=…       kill -9s of each server (the several-process rounds too)
 *   BENCH_NOISE=1       a competing CPU load for the whole run (noise.ts: a separate process busy
 *                       10 ms in every 20), to see what a busy machine does to the figures
 *   BENCH_CPU_PROFILE_DIR=<dir>  every server writes a V8 CPU profile there when it stops
 *   BENCH_NODE_ARGS=…   more Node options for every server process; with
 *                       `--import ./test/bench/allocation-probe.ts` and ALLOC_PROBE_DIR=<dir>, each
 *                       writes the heap bytes it allocates there (allocation-probe.ts)
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { type PreparedDatabase, type TypingHistory, historyState, prepareDatabase, typingHistory } from "./bench-database.js";
import { LoadGenerator } from "./load-generator.js";
import { CpuNoise, noiseDescription } from "./noise.js";
import { type BenchResults, type MachineDescription, checkTargets, renderMarkdown } from "./report.js";
import { BenchRedis, ClusterTarget, RedisCounter } from "./cluster-target.js";
import { type ClusterFanOutRow, type ClusterKillOptions, type ClusterKillResult, type ClusterResults, runClusterFanOut, runClusterKills } from "./scenarios/cluster.js";
import { type ConnectionsOptions, type ConnectionsResult, runConnections } from "./scenarios/connections.js";
import { type DocumentCyclesResult, runDocumentCycles } from "./scenarios/document-cycles.js";
import { type DurabilityResult, runDurability } from "./scenarios/durability.js";
import { type FanOutResult, type FanOutRound, poolRounds, runFanOut, runFanOutRound } from "./scenarios/fan-out.js";
import { type FirstSyncResult, runOurFirstSync, runReferenceFirstSync } from "./scenarios/first-sync.js";
import { type SaturationOptions, type SaturationResult, runSaturation } from "./scenarios/saturation.js";
import { type WriteAmplificationOptions, type WriteAmplificationResult, runWriteAmplification } from "./scenarios/write-amplification.js";
import { Target, type TargetKey } from "./targets.js";
import { waitForQuietServer } from "./timing.js";

const phases = ["first-sync", "fan-out", "saturation", "writes", "connections", "cycles", "durability", "cluster"] as const;
type Phase = (typeof phases)[number];
const allTargets: TargetKey[] = ["ours-postgres", "ours-pglite", "y-websocket", "hocuspocus"];

interface Plan {
  historyUpdates: number;
  fanOut: {
    sizes: number[];
    /** Sizes run in this many interleaved rounds (their samples pooled). */
    rounds: Record<number, number>;
    ratePerEditor: number;
    warmUpMs: number;
    /** The window of the round, not counted, that precedes several rounds of one size. */
    warmUpRoundWindowMs: number;
    windowMs: number;
    drainMs: number;
  };
  manyDocuments: { documents: number; editorsPerDocument: number };
  saturation: SaturationOptions;
  writes: WriteAmplificationOptions;
  connections: ConnectionsOptions;
  cycles: { documents: number; oursCycles: number; pgliteCycles: number; referenceCycles: number; chunk: number };
  durability: { kills: Record<TargetKey, number>; editors: number; ratePerEditor: number; minTypingMs: number; maxTypingMs: number };
  /** Several processes on one PostgreSQL and one Redis, beside one process (issue 20). */
  cluster: {
    processes: number;
    oneDocument: { editorsPerDocument: number; rounds: number };
    manyDocuments: { documents: number; editorsPerDocument: number; rounds: number };
    kills: Omit<ClusterKillOptions, "seed">;
  };
}

const fullPlan: Plan = {
  historyUpdates: 100_000,
  fanOut: { sizes: [10, 50, 200], rounds: { 50: 4 }, ratePerEditor: 5, warmUpMs: 500, warmUpRoundWindowMs: 1_000, windowMs: 3_000, drainMs: 600 },
  manyDocuments: { documents: 100, editorsPerDocument: 3 },
  saturation: { editors: 5, stages: [2_000, 16_000, 32_000], warmUpMs: 200, windowMs: 1_500, drainMs: 500 },
  writes: { editors: 50, ratePerEditor: 5, typingMs: 8_000, quietMs: 2_000, settleMs: 6_000 },
  connections: {
    steps: [5_000, 10_000],
    perDocument: 10,
    socketIoCount: 5_000,
    socketIoAtStep: 5_000,
    probeEditors: 10,
    probeRatePerEditor: 5,
    probeWindowMs: 1_500,
  },
  // Three cycles (and one with failing stores) on PostgreSQL; the code under test is the same on
  // PGlite, measured over one.
  cycles: { documents: 10_000, oursCycles: 3, pgliteCycles: 1, referenceCycles: 1, chunk: 2_500 },
  durability: {
    kills: { "ours-postgres": 100, "ours-pglite": 10, "y-websocket": 10, hocuspocus: 10, "hocuspocus-store": 0, "ours-cluster": 0 },
    editors: 5,
    ratePerEditor: 20,
    minTypingMs: 50,
    maxTypingMs: 400,
  },
  cluster: {
    processes: 2,
    oneDocument: { editorsPerDocument: 50, rounds: 4 },
    manyDocuments: { documents: 100, editorsPerDocument: 3, rounds: 1 },
    kills: { kills: 50, editors: 6, ratePerEditor: 20, minTypingMs: 50, maxTypingMs: 400 },
  },
};

const quickPlan: Plan = {
  historyUpdates: 20_000,
  fanOut: { sizes: [10, 50], rounds: { 50: 2 }, ratePerEditor: 5, warmUpMs: 500, warmUpRoundWindowMs: 500, windowMs: 2_000, drainMs: 700 },
  manyDocuments: { documents: 20, editorsPerDocument: 3 },
  saturation: { editors: 5, stages: [1_000, 4_000], warmUpMs: 200, windowMs: 1_000, drainMs: 500 },
  writes: { editors: 20, ratePerEditor: 5, typingMs: 3_000, quietMs: 2_500, settleMs: 3_000 },
  connections: { ...fullPlan.connections, steps: [500, 1_000], socketIoCount: 500, socketIoAtStep: 1_000, probeWindowMs: 1_000 },
  cycles: { documents: 1_000, oursCycles: 2, pgliteCycles: 1, referenceCycles: 1, chunk: 500 },
  durability: { ...fullPlan.durability, kills: { "ours-postgres": 5, "ours-pglite": 3, "y-websocket": 2, hocuspocus: 2, "hocuspocus-store": 0, "ours-cluster": 0 } },
  cluster: {
    processes: 2,
    oneDocument: { editorsPerDocument: 50, rounds: 2 },
    manyDocuments: { documents: 20, editorsPerDocument: 3, rounds: 1 },
    kills: { ...fullPlan.cluster.kills, kills: 5 },
  },
};

/** One generator worker leaves a core to the server for a meeting-sized document; more need two. */
const generatorWorkersFor = (editors: number) => (editors <= 50 ? 1 : 2);

const plan = process.env.BENCH_QUICK === "1" ? quickPlan : fullPlan;
// BENCH_KILLS=30: that many kill -9s of each server.
if (process.env.BENCH_KILLS) {
  for (const key of Object.keys(plan.durability.kills) as TargetKey[]) if (plan.durability.kills[key] > 0) plan.durability.kills[key] = Number(process.env.BENCH_KILLS);
  plan.cluster.kills.kills = Number(process.env.BENCH_KILLS);
}
// BENCH_EDITORS=50 (or 10,50): only these one-document fan-out sizes.
if (process.env.BENCH_EDITORS) plan.fanOut.sizes = process.env.BENCH_EDITORS.split(",").map(Number);
// BENCH_ROUNDS=7: every one-document fan-out size runs in that many interleaved rounds (pooled).
if (process.env.BENCH_ROUNDS) {
  for (const size of plan.fanOut.sizes) plan.fanOut.rounds[size] = Number(process.env.BENCH_ROUNDS);
  plan.cluster.oneDocument.rounds = Number(process.env.BENCH_ROUNDS);
}
const only = new Set((process.env.BENCH_ONLY?.split(",") ?? phases).map((phase) => phase.trim()) as Phase[]);
const wanted = (process.env.BENCH_TARGETS?.split(",").map((key) => key.trim()) as TargetKey[] | undefined) ?? allTargets;
const postgresAdminUrl = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const resultsDir = path.join(import.meta.dirname, "results");

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function postgresVersion(): Promise<string | null> {
  const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>("select version()");
    return /^PostgreSQL [\d.]+/.exec(rows[0]!.version)?.[0] ?? rows[0]!.version;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `npm run build`, in a child process; rejects if it fails. */
function runBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "build"], { cwd: path.join(import.meta.dirname, "..", ".."), stdio: ["ignore", "ignore", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`npm run build exited with ${code}`))));
  });
}

function describeMachine(postgres: string | null): MachineDescription {
  return {
    date: execFileSync("date").toString().trim(),
    // The run's own settings, so the command reproduces it.
    command: [
      ...Object.entries(process.env)
        .filter(([name]) => name.startsWith("BENCH_") && name !== "BENCH_POSTGRES_URL")
        .map(([name, value]) => `${name}=${value}`)
        .sort(),
      "npm run bench",
    ].join(" "),
    cpu: os.cpus()[0]?.model.trim() ?? "unknown CPU",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres,
    os: `${os.type()} ${os.release()}`,
    noise: noise ? noiseDescription : null,
  };
}

const began = performance.now();
const noise = process.env.BENCH_NOISE === "1" ? CpuNoise.start() : null;
const postgres = await postgresVersion();
// The several-process rows start servers of their own: alone, they need none of the others.
const onlyCluster = [...only].every((phase) => phase === "cluster");
const targetKeys = onlyCluster ? [] : wanted.filter((key) => key !== "ours-postgres" || postgres !== null);
if (wanted.includes("ours-postgres") && postgres === null) log(`PostgreSQL at ${postgresAdminUrl} does not answer: running without it`);

const databases = new Map<TargetKey, PreparedDatabase>();
const targets = new Map<TargetKey, Target>();
let generator: LoadGenerator | undefined;
let cleaningUp: Promise<void> | undefined;
const cleanUp = () =>
  (cleaningUp ??= (async () => {
    noise?.stop();
    await generator?.stop().catch(() => undefined);
    await Promise.allSettled([...targets.values(), ...durabilityTargets].map((target) => target.stop()));
    await Promise.allSettled([...clusterStops].map((stop) => stop()));
    await Promise.allSettled([...databases.values(), ...extraDatabases].map((database) => database.drop()));
  })());
process.once("SIGINT", () => {
  log("interrupted: stopping servers and dropping the benchmark's databases");
  void cleanUp().then(() => process.exit(130));
});

/**
 * One loop per server, all at once (a restart is mostly start-up time), each with its own server
 * process, generator, and (ours) database of its own: the document cycles beside them make every
 * write to the main database's update log fail for a while, and one process owns a PGlite directory.
 */
async function startDurability(): Promise<DurabilityResult[]> {
  const loops = targetKeys
    .filter((key) => plan.durability.kills[key] > 0)
    .map(async (key) => {
      const kills = plan.durability.kills[key];
      log(`durability: ${kills} × kill -9 of ${key}`);
      let database: PreparedDatabase | undefined;
      if (key === "ours-postgres" || key === "ours-pglite") {
        database = await prepareDatabase(key === "ours-postgres" ? "postgres" : "pglite", { papers: 5, histories: [], postgresAdminUrl });
        extraDatabases.push(database);
      }
      const loopGenerator = await LoadGenerator.start({ workers: 1, editorSlots: 16 });
      const target = await Target.start(key, database ? { database } : {});
      durabilityTargets.add(target);
      try {
        return await runDurability(target, loopGenerator, { ...plan.durability, kills, seed: 20261201 });
      } finally {
        await target.stop();
        durabilityTargets.delete(target);
        await loopGenerator.stop();
        log(`durability: ${key} done`);
      }
    });
  return Promise.all(loops);
}
const durabilityTargets = new Set<Target>();
const extraDatabases: PreparedDatabase[] = [];
/** What the several-process rows started (processes, Redis), stopped at the end or on an interrupt. */
const clusterStops = new Set<() => Promise<void>>();


/**
 * The several-process rows (issue 20): ours as one process on a PostgreSQL database of its own
 * (no Redis), and as `plan.cluster.processes` processes on another database and a Redis of the
 * benchmark's own, the same loads on each, interleaved; then kill -9 rounds on the processes.
 */
async function runClusterPhase(built: Promise<void>, load: LoadGenerator): Promise<ClusterResults | null> {
  const started = performance.now();
  if (postgres === null) {
    log(`cluster: PostgreSQL at ${postgresAdminUrl} does not answer: no several-process rows`);
    return null;
  }
  const { oneDocument, manyDocuments } = plan.cluster;
  const papers = oneDocument.rounds + 1 + manyDocuments.documents * (manyDocuments.rounds + (manyDocuments.rounds > 1 ? 1 : 0)) + 2 + 5;
  let redis: BenchRedis;
  try {
    redis = await BenchRedis.start();
  } catch (error) {
    log(`cluster: could not start redis-server (${error instanceof Error ? error.message : String(error)}): no several-process rows`);
    return null;
  }
  clusterStops.add(() => redis.stop());
  const redisVersion = execFileSync("redis-server", ["--version"]).toString().match(/v=(\S+)/)?.[1] ?? "unknown";
  log(`cluster: Redis ${redisVersion} on port ${redis.port}; preparing two databases (${papers} papers each)…`);
  const [singleDatabase, clusterDatabase] = await Promise.all(
    [0, 1].map(async () => {
      const database = await prepareDatabase("postgres", { papers, histories: [], postgresAdminUrl });
      extraDatabases.push(database);
      return database;
    }),
  );
  await built;
  log("cluster: starting one process (no Redis)…");
  const single = await Target.start("ours-postgres", { database: singleDatabase! });
  clusterStops.add(() => single.stop());
  log(`cluster: starting ${plan.cluster.processes} processes on one database and Redis…`);
  const cluster = await ClusterTarget.start(plan.cluster.processes, clusterDatabase!, redis);
  clusterStops.add(() => cluster.stop());
  const counter = await RedisCounter.open(redis.url);
  const quiet = async () => {
    await waitForQuietServer(single.process);
    for (const member of cluster.processes) await waitForQuietServer(member.process);
  };
  try {
    const rows: ClusterFanOutRow[] = [];
    for (const shape of [{ documents: 1, ...oneDocument }, manyDocuments]) {
      const documents = shape.documents;
      rows.push(
        await runClusterFanOut(
          single,
          cluster,
          counter,
          load,
          {
            ...plan.fanOut,
            documents,
            editorsPerDocument: shape.editorsPerDocument,
            rounds: shape.rounds,
            generatorWorkers: generatorWorkersFor(documents * shape.editorsPerDocument),
          },
          quiet,
          log,
        ),
      );
    }
    log("cluster: saturation, one process");
    await quiet();
    const singleSaturation = await runSaturation(single, load, plan.saturation);
    log(`cluster: saturation, ${plan.cluster.processes} processes`);
    await quiet();
    const clusterSaturation = await runSaturation(cluster, load, plan.saturation);
    let kills: ClusterKillResult | null = null;
    if (plan.cluster.kills.kills > 0) {
      log(`cluster: ${plan.cluster.kills.kills} × kill -9 of one of ${plan.cluster.processes} processes`);
      await quiet();
      kills = await runClusterKills(cluster, load, { ...plan.cluster.kills, seed: 20261206 });
    }
    return {
      processes: plan.cluster.processes,
      redis: redisVersion,
      fanOut: rows,
      saturation: { single: singleSaturation, cluster: clusterSaturation },
      kills,
      seconds: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    await counter.close();
    await cluster.stop();
    await single.stop();
    await redis.stop();
  }
}

/**
 * Write amplification: ours on PostgreSQL (the update log), then Hocuspocus storing whole documents
 * in the same database, at its default debounce and at ours (50 ms). Its own load generator.
 */
async function runWrites(ourPostgres: Target, existingText: Uint8Array): Promise<void> {
  const database = ourPostgres.database!;
  const writesGenerator = await LoadGenerator.start({ workers: 1, editorSlots: plan.writes.editors + 8 });
  try {
    log("writes: ours (PostgreSQL)");
    await waitForQuietServer(ourPostgres.process);
    writeAmplification.push(await runWriteAmplification(ourPostgres, writesGenerator, database.writesDocument!, "update log, batches ≤ 50 ms", plan.writes));
    const storeUrl = database.serverEnv.DATABASE_URL!;
    for (const variant of [
      { storing: "whole document, debounce 2 s, at most 10 s (defaults)", debounceMs: undefined, maxDebounceMs: undefined },
      { storing: "whole document, debounce 50 ms, at most 50 ms", debounceMs: 50, maxDebounceMs: 50 },
    ]) {
      log(`writes: Hocuspocus, ${variant.storing}`);
      const hocuspocus = await Target.start("hocuspocus-store", {
        database,
        storeUrl,
        ...(variant.debounceMs !== undefined ? { debounceMs: variant.debounceMs, maxDebounceMs: variant.maxDebounceMs } : {}),
      });
      try {
        // The same text, stored Hocuspocus's way (the server creates its table when it starts).
        const documentName = `existing-${writeAmplification.length}`;
        await database.monitor!.execute("insert into hocuspocus_documents (name, state) values ($1, $2)", [documentName, Buffer.from(existingText)]);
        writeAmplification.push(await runWriteAmplification(hocuspocus, writesGenerator, documentName, variant.storing, plan.writes));
      } finally {
        await hocuspocus.stop();
      }
    }
  } finally {
    await writesGenerator.stop();
  }
}

const fanOut: FanOutResult[] = [];
const saturation: SaturationResult[] = [];
const firstSync: FirstSyncResult[] = [];
const writeAmplification: WriteAmplificationResult[] = [];
const connections: ConnectionsResult[] = [];
const documentCycles: DocumentCyclesResult[] = [];
const durability: DurabilityResult[] = [];
let cluster: ClusterResults | null = null;

try {
  // Papers: fan-out, many documents, saturation, writes, the probe, idle connections, cycles, durability.
  const papers =
    plan.fanOut.sizes.length +
    plan.manyDocuments.documents +
    2 +
    1 +
    Math.ceil(Math.max(...plan.connections.steps) / plan.connections.perDocument) +
    plan.cycles.documents +
    10;
  // Our server runs as `npm start` runs it: the Remix build and the bundled server, built now,
  // in another process while the histories are typed here.
  log("building the app and the server (npm run build)…");
  const built = runBuild();
  built.catch(() => undefined);
  if (only.has("first-sync")) log(`typing two histories of ${plan.historyUpdates.toLocaleString("en-NZ")} keystrokes…`);
  const histories: TypingHistory[] = only.has("first-sync")
    ? (["realistic", "random"] as const).map((typing) => ({ typing, updates: typingHistory(plan.historyUpdates, typing) }))
    : [];
  // The document the write-amplification editors type into: about 20k characters already there.
  const existingText = historyState(typingHistory(20_000, "realistic"));
  // Both at once: PostgreSQL's work is in its server, PGlite's in its own thread of this process.
  const preparations = new Map<TargetKey, Promise<PreparedDatabase>>(
    targetKeys
      .filter((key) => key === "ours-postgres" || key === "ours-pglite")
      .map((key) => {
        log(`preparing ${key}'s database (${papers.toLocaleString("en-NZ")} papers, stored histories)…`);
        const preparation = prepareDatabase(key === "ours-postgres" ? "postgres" : "pglite", {
          papers,
          histories,
          ...(key === "ours-postgres" && only.has("writes") ? { existingText } : {}),
          postgresAdminUrl,
        }).then((database) => {
          // Whichever was prepared is in `databases`, to be dropped at the end.
          databases.set(key, database);
          log(`${key}'s database is ready`);
          return database;
        });
        preparation.catch(() => undefined);
        return [key, preparation] as const;
      }),
  );
  // Each server starts as soon as it can: the references at once, ours once the build and its
  // database are ready. PGlite's database takes longest to prepare (about 25 s), so the others'
  // first syncs are measured meanwhile; its own is measured last.
  const starts = new Map(
    targetKeys.map((key) => {
      const start = (async () => {
        const database = await preparations.get(key);
        if (database) await built;
        log(`starting ${key}…`);
        const target = await Target.start(key, database ? { database } : {});
        targets.set(key, target);
        return target;
      })();
      start.catch(() => undefined);
      return [key, start] as const;
    }),
  );
  generator = await LoadGenerator.start({ workers: 2 });
  const referenceHistories = only.has("first-sync")
    ? histories.map(({ typing, updates }) => ({ typing, updates: updates.length, state: historyState(updates) }))
    : [];
  /** One phase on one server: logged, and once the server is quiet. */
  const visit = async (phase: string, target: Target, run: (target: Target) => Promise<void>) => {
    log(`${phase}: ${target.label}`);
    await waitForQuietServer(target.process);
    await run(target);
  };
  if (only.has("first-sync")) {
    for (const key of [...targetKeys].sort((a, b) => Number(a === "ours-pglite") - Number(b === "ours-pglite"))) {
      await visit("first sync", await starts.get(key)!, async (target) => {
        const database = target.database;
        firstSync.push(...(database ? await runOurFirstSync(target, database.histories) : await runReferenceFirstSync(target, referenceHistories)));
      });
    }
  }
  const started = await Promise.allSettled(starts.values());
  const failedStart = started.find((start) => start.status === "rejected");
  if (failedStart) throw failedStart.reason;
  await built;
  // Every later phase takes the servers in the plan's order.
  for (const key of targetKeys) {
    const target = targets.get(key)!;
    targets.delete(key);
    targets.set(key, target);
  }
  firstSync.sort((a, b) => targetKeys.indexOf(a.target) - targetKeys.indexOf(b.target));
  const each = async (phase: string, run: (target: Target) => Promise<void>) => {
    for (const target of targets.values()) await visit(phase, target, run);
  };

  if (only.has("fan-out")) {
    for (const size of plan.fanOut.sizes) {
      const rounds = plan.fanOut.rounds[size] ?? 1;
      const byTarget = new Map<TargetKey, FanOutRound[]>();
      // Compared rounds start with one that is not counted, on every server: the load generator
      // and each server settle into the load (the first server visited had the slowest first round).
      for (let round = rounds > 1 ? 0 : 1; round <= rounds; round++) {
        const phase = `fan-out, ${size} editors on one document${round === 0 ? ", warm-up round (not counted)" : rounds > 1 ? `, round ${round} of ${rounds}` : ""}`;
        await each(phase, async (target) => {
          const result = await runFanOutRound(target, generator!, {
            documents: 1,
            editorsPerDocument: size,
            generatorWorkers: generatorWorkersFor(size),
            ...plan.fanOut,
            ...(round === 0 ? { windowMs: plan.fanOut.warmUpRoundWindowMs } : {}),
          });
          if (round > 0) byTarget.set(target.key, [...(byTarget.get(target.key) ?? []), result]);
        });
      }
      for (const results of byTarget.values()) fanOut.push(rounds > 1 ? poolRounds(results) : results[0]!.result);
    }
    await each(`fan-out, ${plan.manyDocuments.documents} documents`, async (target) => {
      fanOut.push(await runFanOut(target, generator!, { ...plan.manyDocuments, ...plan.fanOut }));
    });
  }
  if (only.has("saturation")) {
    await each("saturation", async (target) => {
      saturation.push(await runSaturation(target, generator!, plan.saturation));
    });
  }
  // kill -9 rounds run beside the write, connection and document phases (ten minutes allow nothing
  // else), on databases of their own: those phases count our database's WAL and transactions, and
  // read other processes' heap after a full GC, which restarts elsewhere do not change; their rates
  // and the capacity probe share the CPU with the restarts, which can only make them worse.
  const durabilityRuns = only.has("durability") ? startDurability() : Promise.resolve([]);
  durabilityRuns.catch(() => undefined);
  // The write phase runs on ours (PostgreSQL) beside the other servers' connection phases: it is
  // mostly waiting (a quiet stretch, 8 s of typing at 5 keystrokes a second per editor, a settling
  // stretch, three times), it counts only our database's WAL and transactions, and it has a small
  // load generator of its own. Ours on PostgreSQL has its connection phase once it is done.
  const ourPostgres = targets.get("ours-postgres");
  const writesRun = only.has("writes") && ourPostgres ? runWrites(ourPostgres, existingText) : Promise.resolve();
  writesRun.catch(() => undefined);
  if (only.has("connections")) {
    const byOursOnPostgresLast = [...targets.values()].sort((a, b) => Number(a === ourPostgres) - Number(b === ourPostgres));
    for (const target of byOursOnPostgresLast) {
      if (target === ourPostgres) await writesRun;
      await visit("connections", target, async () => {
        connections.push(
          await runConnections(
            target,
            generator!,
            // The references need no Socket.io step, so no stop at it either.
            target.isOurs ? plan.connections : { ...plan.connections, steps: plan.connections.steps.slice(-1), socketIoAtStep: null },
          ),
        );
      });
    }
    connections.sort((a, b) => targetKeys.indexOf(a.target) - targetKeys.indexOf(b.target));
  }
  await writesRun;
  if (only.has("cycles")) {
    await each("document cycles", async (target) => {
      documentCycles.push(
        await runDocumentCycles(target, generator!, {
          documents: plan.cycles.documents,
          cycles:
            target.key === "ours-postgres" ? plan.cycles.oursCycles : target.key === "ours-pglite" ? plan.cycles.pgliteCycles : plan.cycles.referenceCycles,
          chunk: plan.cycles.chunk,
          failingStores: target.key === "ours-postgres",
        }),
      );
    });
  }
  durability.push(...(await durabilityRuns));
  if (only.has("cluster")) {
    // The other servers are done: they leave the cores to the several-process rows.
    await Promise.allSettled([...targets.values()].map((target) => target.stop()));
    cluster = await runClusterPhase(built, generator);
  }
} finally {
  await cleanUp();
}

const partial = {
  machine: describeMachine(postgres),
  durationSeconds: Math.round((performance.now() - began) / 1000),
  fanOut,
  saturation,
  firstSync,
  writeAmplification,
  connections,
  documentCycles,
  durability,
  cluster,
};
const results: BenchResults = { ...partial, targets: checkTargets(partial) };
const markdown = renderMarkdown(results);
fs.mkdirSync(resultsDir, { recursive: true });
const name = process.env.BENCH_QUICK === "1" || process.env.BENCH_ONLY || process.env.BENCH_TARGETS ? "collab-partial" : "collab";
fs.writeFileSync(path.join(resultsDir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
fs.writeFileSync(path.join(resultsDir, `${name}.md`), `${markdown}\n`);
console.log(markdown);
log(`results in test/bench/results/${name}.json and ${name}.md`);
process.exit(0);
