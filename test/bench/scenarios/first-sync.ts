/**
 * Time to first sync of a document with a long typing history (100k keystrokes): from opening the
 * websocket to holding the whole document (sync step 2 received and applied by the client).
 *
 * Ours, "cold": nobody has the document open, so the server loads it from the database first,
 * with the history stored as individual log rows or compacted into one snapshot. "Warm": a second
 * person opens it while it is loaded. The reference servers keep documents in memory only, so
 * they are measured warm: the history is handed to them first by a client.
 */
import * as Y from "yjs";
import { BenchClient } from "../bench-client.js";
import type { StoredHistoryDocument } from "../bench-database.js";
import { round } from "../statistics.js";
import type { Target, TargetKey } from "../targets.js";
import { waitForQuietServer, waitUntil } from "../timing.js";

export interface FirstSyncResult {
  target: TargetKey;
  typing: "realistic" | "random";
  updates: number;
  /** cold-log, cold-snapshot (ours), warm (everyone). */
  state: "cold, log" | "cold, snapshot" | "warm";
  /** Bytes of the whole state as one update. */
  stateBytes: number;
  /** The median of `samplesMs` (one sample where only one is possible: a log is compacted once opened). */
  firstSyncMs: number;
  samplesMs?: number[];
}

/**
 * Cold opens of a snapshot, each after the document was unloaded again: the first request a
 * process serves also pays for compiling its code paths, which is not the document's doing.
 */
const coldSnapshotSamples = 5;

/** A client that is never going to type: its slot only gives it a distinct Yjs client id. */
const readerSlot = 1000;

async function timeFirstSync(target: Target, documentName: string): Promise<{ ms: number; client: BenchClient }> {
  const client = new BenchClient(target.client(documentName, { editor: true, slot: readerSlot }));
  const started = performance.now();
  await client.connect(120_000);
  return { ms: performance.now() - started, client };
}

function stateBytes(client: BenchClient): number {
  return Y.encodeStateAsUpdate(client.doc!).byteLength;
}

/** Ours: each stored history, cold (log, then snapshot) and warm. */
export async function runOurFirstSync(target: Target, histories: StoredHistoryDocument[]): Promise<FirstSyncResult[]> {
  const results: FirstSyncResult[] = [];
  // Snapshots first: opening a log makes the server compact it, in the background, afterwards.
  for (const history of [...histories].sort((a, b) => (a.stored === b.stored ? 0 : a.stored === "snapshot" ? -1 : 1))) {
    const samples: number[] = [];
    let bytes = 0;
    const sampleCount = history.stored === "snapshot" ? coldSnapshotSamples : 1;
    for (let sample = 0; sample < sampleCount; sample++) {
      if (target.server) await waitForQuietServer(target.server);
      const cold = await timeFirstSync(target, history.id);
      samples.push(cold.ms);
      bytes = stateBytes(cold.client);
      if (history.stored === "snapshot" && sample === 0) {
        const warm = await timeFirstSync(target, history.id);
        results.push({ target: target.key, typing: history.typing, updates: history.updates, state: "warm", stateBytes: stateBytes(warm.client), firstSyncMs: round(warm.ms) });
        warm.client.destroy();
      }
      await cold.client.disconnect();
      cold.client.destroy();
      // The server unloads it now (and compacts a log); opening it again waits for that to finish.
      // After the last sample the wait for a quiet server before the next one is enough.
      if (sample === sampleCount - 1) continue;
      const settle = new BenchClient(target.client(history.id, { editor: false }));
      await settle.connect(120_000);
      await settle.disconnect();
      settle.destroy();
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const state = history.stored === "log" ? "cold, log" : "cold, snapshot";
    results.push({
      target: target.key,
      typing: history.typing,
      updates: history.updates,
      state,
      stateBytes: bytes,
      firstSyncMs: round(sorted[Math.floor((sorted.length - 1) / 2)]!),
      ...(samples.length > 1 ? { samplesMs: samples.map((ms) => round(ms)) } : {}),
    });
  }
  return results;
}

export interface HistoryState {
  typing: "realistic" | "random";
  updates: number;
  /** The whole history as one update. */
  state: Uint8Array;
}

/** A reference server: the history is handed over by a client, then a second client opens it. */
export async function runReferenceFirstSync(target: Target, histories: HistoryState[]): Promise<FirstSyncResult[]> {
  const results: FirstSyncResult[] = [];
  for (const { typing, updates, state } of histories) {
    const [documentName] = await target.newDocuments(1);
    const loader = new BenchClient(target.client(documentName!, { editor: true, slot: readerSlot + 1 }));
    Y.applyUpdate(loader.doc!, state);
    await loader.connect(120_000);
    // The loader answers the server's sync step 1 with everything; wait until another client sees it.
    await waitUntil(
      async () => {
        const probe = new BenchClient(target.client(documentName!, { editor: true, slot: readerSlot + 2 }));
        await probe.connect(120_000);
        const complete = Y.encodeStateVector(probe.doc!).toString() === Y.encodeStateVector(loader.doc!).toString();
        probe.destroy();
        return complete;
      },
      60_000,
      "the reference server to hold the history",
      100,
    );
    const warm = await timeFirstSync(target, documentName!);
    results.push({ target: target.key, typing, updates, state: "warm", stateBytes: stateBytes(warm.client), firstSyncMs: round(warm.ms) });
    warm.client.destroy();
    loader.destroy();
  }
  return results;
}
