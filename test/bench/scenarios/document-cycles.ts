/**
 * Loading and unloading many documents: `documents` documents are opened (one connection each),
 * held, and closed, `cycles` times; the server's heap after a full GC is read as they open (every
 * `chunk` documents) and once the server has unloaded them (the curve). A heap that does not come
 * back to where it started is a leak. With `failingStores`, one more cycle runs while every write
 * to the update log fails (each client types, so every document has something to store): the
 * server must still free each document.
 */
import type { LoadGenerator } from "../load-generator.js";
import { round } from "../statistics.js";
import type { Target, TargetKey } from "../targets.js";
import { waitForQuietServer } from "../timing.js";

export interface DocumentCyclesOptions {
  documents: number;
  cycles: number;
  chunk: number;
  /** Run one more cycle with the update log refusing writes (ours on PostgreSQL). */
  failingStores: boolean;
}

export interface CyclePoint {
  cycle: number;
  /** "failing stores" for the extra cycle. */
  stores: "working" | "failing";
  phase: "start" | "opening" | "closed";
  loadedDocuments: number;
  heapUsedMiB: number;
  rssMiB: number;
  /** Since the cycles began. */
  seconds: number;
}

export interface DocumentCyclesResult {
  target: TargetKey;
  documents: number;
  cycles: number;
  points: CyclePoint[];
  /** (heap with every document loaded − heap at the start) / documents, first cycle. */
  heapPerLoadedDocumentKiB: number;
  /** The largest |heap after a cycle − heap at the start| / heap at the start, in percent. */
  heapReturnPercent: number;
  /** The same for the cycle with failing stores (null when not run). */
  failingStoresHeapReturnPercent: number | null;
  /** Documents opened per second (upgrade, authorisation, load, sync), first cycle. */
  openPerSecond: number;
}

const mib = (bytes: number) => round(bytes / 2 ** 20, 2);
const failStoresSql = "alter table document_updates add constraint bench_store_fails check (false) not valid";
const mendStoresSql = "alter table document_updates drop constraint if exists bench_store_fails";

export async function runDocumentCycles(target: Target, generator: LoadGenerator, options: DocumentCyclesOptions): Promise<DocumentCyclesResult> {
  const server = target.process;
  const documents = await target.newDocuments(options.documents);
  const points: CyclePoint[] = [];
  const began = performance.now();
  const read = async (cycle: number, stores: CyclePoint["stores"], phase: CyclePoint["phase"], loadedDocuments: number) => {
    const memory = await server.memory();
    points.push({
      cycle,
      stores,
      phase,
      loadedDocuments,
      heapUsedMiB: mib(memory.heapUsed),
      rssMiB: mib(server.rss()),
      seconds: round((performance.now() - began) / 1000, 1),
    });
    return memory.heapUsed;
  };
  const cycle = async (number: number, stores: CyclePoint["stores"]): Promise<number> => {
    const started = performance.now();
    for (let from = 0; from < documents.length; from += options.chunk) {
      const specs = documents
        .slice(from, from + options.chunk)
        // With failing stores every client types (adds a paragraph), so each document has a batch to store.
        .map((name, i) => target.client(name, { editor: stores === "failing", slot: i % 1000, n: from + i }));
      const outcome = await generator.open(specs, { concurrency: 128, paragraph: stores === "failing" });
      if (outcome.failed > 0) throw new Error(`${target.label}: ${outcome.failed} documents did not open (${outcome.errors.join("; ")})`);
      await read(number, stores, "opening", Math.min(documents.length, from + options.chunk));
    }
    const openSeconds = (performance.now() - started) / 1000;
    await generator.closeAll();
    await waitForQuietServer(server, 120_000);
    await read(number, stores, "closed", 0);
    return openSeconds;
  };

  await waitForQuietServer(server);
  const start = await read(0, "working", "start", 0);
  let openSeconds = 0;
  for (let number = 1; number <= options.cycles; number++) {
    const seconds = await cycle(number, "working");
    if (number === 1) openSeconds = seconds;
  }
  const working = points.filter((point) => point.stores === "working");
  const loaded = working.find((point) => point.cycle === 1 && point.loadedDocuments === documents.length)!;
  const returned = working.filter((point) => point.phase === "closed").map((point) => Math.abs(point.heapUsedMiB * 2 ** 20 - start) / start);

  let failingStoresHeapReturnPercent: number | null = null;
  const monitor = target.database?.monitor;
  if (options.failingStores && monitor) {
    const failingStart = await read(options.cycles + 1, "failing", "start", 0);
    await monitor.execute(failStoresSql);
    try {
      await cycle(options.cycles + 1, "failing");
    } finally {
      await monitor.execute(mendStoresSql);
    }
    const closed = points.at(-1)!;
    failingStoresHeapReturnPercent = round((Math.abs(closed.heapUsedMiB * 2 ** 20 - failingStart) / failingStart) * 100, 2);
  }
  return {
    target: target.key,
    documents: documents.length,
    cycles: options.cycles,
    points,
    heapPerLoadedDocumentKiB: round(((loaded.heapUsedMiB * 2 ** 20 - start) / documents.length) / 1024, 2),
    heapReturnPercent: round(Math.max(...returned) * 100, 2),
    failingStoresHeapReturnPercent,
    openPerSecond: round(documents.length / openSeconds),
  };
}
