/**
 * The load generator: simulated editors and readers (BenchClient) spread over worker threads, so
 * the thread that runs the benchmark never handles a websocket message. Keystroke send times go
 * through shared memory (send-times.ts), which lets a receiver in one worker time a keystroke sent
 * from another.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { BenchClientSpec } from "./bench-client.js";
import type { EditorStatus, OpenOutcome, WorkerCommand, WorkerCounters } from "./load-worker.js";
import { SendTimes, createSendTimes } from "./send-times.js";
import { sortedSamples, type SortedSamples } from "./statistics.js";
import { waitUntil } from "./timing.js";

export interface LoadGeneratorOptions {
  /** Worker threads (default 2, one per core of the machine the targets were set for). */
  workers?: number;
  /** Editors that can type at once (slots in the send-time table). */
  editorSlots?: number;
}

export interface CollectedCounters {
  latencies: SortedSamples;
  acknowledgements: SortedSamples;
  sentInWindow: number;
  sentBytesInWindow: number;
  relayedMessages: number;
}

const workerFile = path.join(import.meta.dirname, "load-worker.ts");

/** A worker that loads TypeScript: tsx's loader is registered inside it before the module loads. */
function startWorker(workerData: unknown): Worker {
  const source = `
    import("tsx/esm/api")
      .then((tsx) => { tsx.register(); return import(${JSON.stringify(pathToFileURL(workerFile).href)}); })
      .catch((error) => { console.error(error); process.exit(1); });
  `;
  return new Worker(source, { eval: true, workerData });
}

class WorkerHandle {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  readonly ready: Promise<void>;

  constructor(readonly worker: Worker) {
    this.ready = new Promise((resolve, reject) => {
      worker.once("error", reject);
      worker.on("message", (message: { ready?: boolean; id?: number; result?: unknown; error?: string }) => {
        if (message.ready) return resolve();
        const waiting = this.pending.get(message.id!);
        if (!waiting) return;
        this.pending.delete(message.id!);
        if (message.error !== undefined) waiting.reject(new Error(message.error));
        else waiting.resolve(message.result);
      });
    });
    worker.on("error", (error) => {
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    });
  }

  run<T>(command: WorkerCommand): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, command });
    });
  }
}

export class LoadGenerator {
  readonly sendTimes: SendTimes;
  private readonly workers: WorkerHandle[];
  private nextIndex = 0;

  private constructor(workers: WorkerHandle[], sendTimes: SendTimes) {
    this.workers = workers;
    this.sendTimes = sendTimes;
  }

  static async start(options: LoadGeneratorOptions = {}): Promise<LoadGenerator> {
    const shared = createSendTimes(options.editorSlots ?? 1024);
    const workers = Array.from({ length: options.workers ?? 2 }, () => new WorkerHandle(startWorker(shared)));
    await Promise.all(workers.map((worker) => worker.ready));
    return new LoadGenerator(workers, new SendTimes(shared));
  }

  get workerCount(): number {
    return this.workers.length;
  }

  /**
   * Opens clients, round-robin over the workers (`workers` of them from `firstWorker` when given:
   * a probe can have a worker to itself); resolves when each has synced or failed.
   */
  async open(
    specs: BenchClientSpec[],
    options: { concurrency?: number; paragraph?: boolean; workers?: number; firstWorker?: number } = {},
  ): Promise<OpenOutcome> {
    const first = Math.min(this.workers.length - 1, options.firstWorker ?? 0);
    const used = Math.min(this.workers.length - first, options.workers ?? this.workers.length);
    const perWorker = this.workers.map(() => [] as { index: number; spec: BenchClientSpec }[]);
    for (const spec of specs) {
      const index = this.nextIndex++;
      perWorker[first + (index % used)]!.push({ index, spec });
    }
    const concurrency = Math.max(1, Math.ceil((options.concurrency ?? 64) / this.workers.length));
    const outcomes = await Promise.all(
      this.workers.map((worker, i) =>
        worker.run<OpenOutcome>({ kind: "open", clients: perWorker[i]!, concurrency, paragraph: options.paragraph ?? true }),
      ),
    );
    return mergeOutcomes(outcomes);
  }

  async startTyping(ratePerSecond: number): Promise<void> {
    await this.all({ kind: "type", ratePerSecond });
  }

  async stopTyping(): Promise<void> {
    await this.all({ kind: "stopTyping" });
  }

  /** Clears every counter and starts a measurement window now. */
  async startWindow(): Promise<void> {
    await this.all({ kind: "resetCounters" });
    this.sendTimes.startWindow();
  }

  endWindow(): void {
    this.sendTimes.endWindow();
  }

  async collect(): Promise<CollectedCounters> {
    const counters = await this.all<WorkerCounters>({ kind: "collect" });
    return {
      latencies: sortedSamples(counters.map((c) => c.latencies)),
      acknowledgements: sortedSamples(counters.map((c) => c.acknowledgements)),
      sentInWindow: sum(counters.map((c) => c.sentInWindow)),
      sentBytesInWindow: sum(counters.map((c) => c.sentBytesInWindow)),
      relayedMessages: sum(counters.map((c) => c.relayedMessages)),
    };
  }

  /** Closes every client (and forgets them); the send-time table is cleared for the next run. */
  async closeAll(): Promise<void> {
    await this.all({ kind: "close" });
    this.sendTimes.clearWindow();
  }

  /** Closes the websockets but keeps the editors' documents, to reconnect later. */
  async disconnectAll(): Promise<void> {
    await this.all({ kind: "disconnect" });
  }

  async reconnectAll(concurrency = 64): Promise<OpenOutcome> {
    const perWorker = Math.max(1, Math.ceil(concurrency / this.workers.length));
    return mergeOutcomes(await this.all<OpenOutcome>({ kind: "reconnect", concurrency: perWorker }));
  }

  async editorStatus(): Promise<EditorStatus[]> {
    return (await this.all<EditorStatus[]>({ kind: "status" })).flat().sort((a, b) => a.index - b.index);
  }

  /** Opens signed-in Socket.io connections on the workers from `firstWorker` on. */
  async openSocketIo(url: string, cookie: string, count: number, concurrency = 64, firstWorker = 0): Promise<OpenOutcome> {
    const used = this.workers.length - Math.min(this.workers.length - 1, firstWorker);
    const shares = this.workers.map((_, i) =>
      i < this.workers.length - used ? 0 : Math.floor(count / used) + (i - (this.workers.length - used) < count % used ? 1 : 0),
    );
    const perWorker = Math.max(1, Math.ceil(concurrency / this.workers.length));
    return mergeOutcomes(
      await Promise.all(
        this.workers.map((worker, i) => worker.run<OpenOutcome>({ kind: "socketIo", url, cookie, count: shares[i]!, concurrency: perWorker })),
      ),
    );
  }

  async closeSocketIo(): Promise<void> {
    await this.all({ kind: "closeSocketIo" });
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.workers.map((worker) => worker.run({ kind: "close" })));
    await Promise.all(this.workers.map((worker) => worker.worker.terminate()));
  }

  private all<T>(command: WorkerCommand): Promise<T[]> {
    return Promise.all(this.workers.map((worker) => worker.run<T>(command)));
  }
}

function mergeOutcomes(outcomes: OpenOutcome[]): OpenOutcome {
  return {
    opened: sum(outcomes.map((o) => o.opened)),
    failed: sum(outcomes.map((o) => o.failed)),
    errors: outcomes.flatMap((o) => o.errors).slice(0, 5),
  };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/**
 * Waits until every editor's server has acknowledged all it had typed when this was called (after
 * a resync); false when that has not happened within `timeoutMs`.
 */
export async function waitForAcknowledgements(generator: LoadGenerator, timeoutMs: number): Promise<boolean> {
  const wanted = new Map((await generator.editorStatus()).map((status) => [status.index, status.ownClock]));
  try {
    await waitUntil(
      async () => (await generator.editorStatus()).every((status) => status.acknowledgedClock >= (wanted.get(status.index) ?? 0)),
      timeoutMs,
      "acknowledgements after the resync",
      50,
    );
    return true;
  } catch {
    return false;
  }
}
