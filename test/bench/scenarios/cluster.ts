/**
 * Several processes (issue 20), each figure beside ours as one process in the same run:
 *
 * - fan-out: the same load on ours as one process (PostgreSQL, no Redis) and on two processes on
 *   one PostgreSQL and one Redis, clients taking the processes in turn, in interleaved rounds after
 *   a warm-up round of each (not counted), samples pooled (fan-out.ts); over the two-process
 *   windows, what went through Redis per keystroke;
 * - keystrokes a second sustained (saturation.ts) on each;
 * - kill -9 rounds: editors on both processes type; one process (each in turn) is killed with
 *   SIGKILL; with every editor kept away, the document's stored state is read from PostgreSQL
 *   itself (the snapshot and the update log), and every keystroke acknowledged as saved, by either
 *   process, must be in it. Then the process starts again, the editors reconnect and resend what
 *   was never acknowledged, and the next round begins.
 */
import * as Y from "yjs";
import { connectDatabase } from "../../../db/connect.js";
import { applyStoredState, readStoredState } from "../../../server/collab/document-store.js";
import { seededRandom } from "../bench-database.js";
import { type ClusterTarget, type RedisCounter, type RedisReading, redisBetween } from "../cluster-target.js";
import { type LoadGenerator, waitForAcknowledgements } from "../load-generator.js";
import type { SaturationResult } from "./saturation.js";
import { round } from "../statistics.js";
import type { Target } from "../targets.js";
import { sleep } from "../timing.js";
import { type FanOutOptions, type FanOutResult, type FanOutRound, poolRounds, runFanOutRound } from "./fan-out.js";

/** What crossed Redis over the two-process windows, per keystroke typed in them. */
export interface RedisPerKeystroke {
  keystrokes: number;
  publishes: number;
  messagesPerKeystroke: number;
  updatesPerKeystroke: number;
  awarenessPerKeystroke: number;
  committedPerKeystroke: number;
  /** Payload bytes of the co-editing messages (updates, presence, "committed"). */
  payloadBytesPerKeystroke: number;
  updateBytesPerMessage: number;
  /** Redis's own counters: bytes read from the processes, bytes written to them (the benchmark's own subscription excluded). */
  netInputBytesPerKeystroke: number;
  netOutputBytesPerKeystroke: number;
}

export interface ClusterFanOutRow {
  documents: number;
  editorsPerDocument: number;
  single: FanOutResult;
  cluster: FanOutResult;
  /** Two processes' pooled p99 over one process's. */
  p99Ratio: number;
  redis: RedisPerKeystroke;
}

export interface ClusterKillResult {
  processes: number;
  kills: number;
  editors: number;
  ratePerEditor: number;
  acknowledgedAtKills: number;
  lost: number;
  killsWithLoss: number;
  unacknowledgedAtKills: number;
  lossSamples: { kill: number; clientId: number; acknowledged: number; stored: number; typed: number }[];
  convergedAtEnd: boolean;
  restartMs: { mean: number; max: number };
  seconds: number;
}

/** The several-process rows of one run. */
export interface ClusterResults {
  processes: number;
  /** The Redis server's version. */
  redis: string;
  fanOut: ClusterFanOutRow[];
  saturation: { single: SaturationResult; cluster: SaturationResult } | null;
  kills: ClusterKillResult | null;
  seconds: number;
}

export interface ClusterKillOptions {
  kills: number;
  editors: number;
  ratePerEditor: number;
  minTypingMs: number;
  maxTypingMs: number;
  seed: number;
}

export interface ClusterFanOutOptions extends Omit<FanOutOptions, "documents" | "editorsPerDocument" | "windowHooks"> {
  documents: number;
  editorsPerDocument: number;
  /** Counted rounds of each, after one warm-up round of each (none when 1). */
  rounds: number;
  warmUpRoundWindowMs: number;
}

function perKeystroke(reading: RedisReading, keystrokes: number): RedisPerKeystroke {
  const per = (value: number, digits = 2) => (keystrokes === 0 ? 0 : round(value / keystrokes, digits));
  return {
    keystrokes,
    publishes: reading.publishes,
    messagesPerKeystroke: per(reading.publishes, 3),
    updatesPerKeystroke: per(reading.updates, 3),
    awarenessPerKeystroke: per(reading.awareness, 3),
    committedPerKeystroke: per(reading.committed, 3),
    payloadBytesPerKeystroke: per(reading.updateBytes + reading.awarenessBytes + reading.committedBytes, 1),
    updateBytesPerMessage: reading.updates === 0 ? 0 : round(reading.updateBytes / reading.updates, 1),
    netInputBytesPerKeystroke: per(reading.netInputBytes, 1),
    netOutputBytesPerKeystroke: per(reading.netOutputBytes, 1),
  };
}

/** One load on one process and on the cluster, in interleaved rounds, pooled; Redis counted over the cluster's windows. */
export async function runClusterFanOut(
  single: Target,
  cluster: ClusterTarget,
  counter: RedisCounter,
  generator: LoadGenerator,
  options: ClusterFanOutOptions,
  /** Waits until every server process is quiet. */
  quiet: () => Promise<void>,
  log: (message: string) => void,
): Promise<ClusterFanOutRow> {
  const { rounds, warmUpRoundWindowMs, ...load } = options;
  const singleRounds: FanOutRound[] = [];
  const clusterRounds: FanOutRound[] = [];
  const sum: RedisReading[] = [];
  const name = load.documents === 1 ? `${load.editorsPerDocument} editors on one document` : `${load.documents} documents × ${load.editorsPerDocument} editors`;
  for (let round = rounds > 1 ? 0 : 1; round <= rounds; round++) {
    const counted = round > 0;
    const window = counted ? {} : { windowMs: warmUpRoundWindowMs };
    log(`cluster: ${name}, ${counted ? `round ${round} of ${rounds}` : "warm-up round (not counted)"}: one process`);
    await quiet();
    const one = await runFanOutRound(single, generator, { ...load, ...window });
    log(`cluster: ${name}, ${counted ? `round ${round} of ${rounds}` : "warm-up round (not counted)"}: ${cluster.processes.length} processes`);
    await quiet();
    let before: RedisReading | null = null;
    let reading: RedisReading | null = null;
    const two = await runFanOutRound(cluster, generator, {
      ...load,
      ...window,
      windowHooks: {
        start: async () => {
          before = await counter.read();
        },
        end: async () => {
          reading = redisBetween(before!, await counter.read());
        },
      },
    });
    if (counted) {
      singleRounds.push(one);
      clusterRounds.push(two);
      sum.push(reading!);
    }
  }
  const redis = sum.reduce((total, reading) => {
    for (const key of Object.keys(total) as (keyof RedisReading)[]) total[key] += reading[key];
    return total;
  });
  const pooledSingle = singleRounds.length > 1 ? poolRounds(singleRounds) : singleRounds[0]!.result;
  const pooledCluster = clusterRounds.length > 1 ? poolRounds(clusterRounds) : clusterRounds[0]!.result;
  return {
    documents: load.documents,
    editorsPerDocument: load.editorsPerDocument,
    single: pooledSingle,
    cluster: pooledCluster,
    p99Ratio: pooledSingle.latency.p99 === 0 ? 0 : round(pooledCluster.latency.p99 / pooledSingle.latency.p99, 2),
    redis: perKeystroke(redis, pooledCluster.keystrokes),
  };
}

/** kill -9 of one of the cluster's processes in turn while editors on all of them type. */
export async function runClusterKills(cluster: ClusterTarget, generator: LoadGenerator, options: ClusterKillOptions): Promise<ClusterKillResult> {
  const began = performance.now();
  const random = seededRandom(options.seed);
  const handle = await connectDatabase({ databaseUrl: cluster.database.serverEnv.DATABASE_URL!, maxConnections: 1 });
  /** The document as PostgreSQL holds it (snapshot and log): a state vector. */
  const stored = async (documentId: string) => {
    const doc = applyStoredState(await readStoredState(handle.db, documentId));
    try {
      return Y.decodeStateVector(Y.encodeStateVector(doc));
    } finally {
      doc.destroy();
    }
  };
  const [documentName] = await cluster.newDocuments(1);
  const specs = Array.from({ length: options.editors }, (_, i) => cluster.client(documentName!, { editor: true, slot: i, n: i }));
  let acknowledgedAtKills = 0;
  let lost = 0;
  let killsWithLoss = 0;
  let unacknowledgedAtKills = 0;
  const restarts: number[] = [];
  const lossSamples: ClusterKillResult["lossSamples"] = [];
  try {
    const opened = await generator.open(specs, { paragraph: true });
    if (opened.failed > 0) throw new Error(`cluster: editors could not connect (${opened.errors.join("; ")})`);
    await waitForAcknowledgements(generator, 10_000);
    await generator.startTyping(options.ratePerEditor);
    for (let kill = 0; kill < options.kills; kill++) {
      await sleep(options.minTypingMs + random() * (options.maxTypingMs - options.minTypingMs));
      const victim = cluster.processes[kill % cluster.processes.length]!;
      await victim.process.kill();
      // Every editor stays away (typing offline) while the stored state is read: what either
      // process acknowledged before this point must be in PostgreSQL now.
      await generator.disconnectAll();
      const atKill = await generator.editorStatus();
      const state = await stored(documentName!);
      let lostThisKill = 0;
      for (const editor of atKill) {
        acknowledgedAtKills += editor.acknowledgedClock;
        unacknowledgedAtKills += Math.max(0, editor.ownClock - editor.acknowledgedClock);
        const missing = Math.max(0, editor.acknowledgedClock - (state.get(editor.clientId) ?? 0));
        lostThisKill += missing;
        if (missing > 0 && lossSamples.length < 10) {
          lossSamples.push({ kill, clientId: editor.clientId, acknowledged: editor.acknowledgedClock, stored: state.get(editor.clientId) ?? 0, typed: editor.ownClock });
        }
      }
      lost += lostThisKill;
      if (lostThisKill > 0) killsWithLoss++;
      const restartStarted = performance.now();
      await victim.restart();
      restarts.push(performance.now() - restartStarted);
      const reconnected = await generator.reconnectAll();
      if (reconnected.failed > 0) throw new Error(`cluster: editors could not reconnect (${reconnected.errors.join("; ")})`);
      await waitForAcknowledgements(generator, 20_000);
    }
    await generator.stopTyping();
    await waitForAcknowledgements(generator, 20_000);
    const final = await stored(documentName!);
    const convergedAtEnd = (await generator.editorStatus()).every((editor) => (final.get(editor.clientId) ?? 0) >= editor.ownClock);
    return {
      processes: cluster.processes.length,
      kills: options.kills,
      editors: options.editors,
      ratePerEditor: options.ratePerEditor,
      acknowledgedAtKills,
      lost,
      killsWithLoss,
      unacknowledgedAtKills,
      lossSamples,
      convergedAtEnd,
      restartMs: {
        mean: round(restarts.reduce((total, ms) => total + ms, 0) / Math.max(1, restarts.length)),
        max: round(Math.max(0, ...restarts)),
      },
      seconds: round((performance.now() - began) / 1000, 1),
    };
  } finally {
    await generator.stopTyping();
    await generator.closeAll();
    await handle.close();
  }
}
