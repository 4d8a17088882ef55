/**
 * A load-generator worker thread: holds its share of the simulated clients (BenchClient), types
 * on a schedule, and times every relayed keystroke against the shared send-time table. Commands
 * come from `LoadGenerator` in the main thread; each is answered once, with its request id.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type Socket, io } from "socket.io-client";
import { BenchClient, type BenchClientSpec, clientIdBase, forEachClock } from "./bench-client.js";
import { SendTimes, type SendTimesBuffer } from "./send-times.js";

export type WorkerCommand =
  | { kind: "open"; clients: { index: number; spec: BenchClientSpec }[]; concurrency: number; paragraph: boolean }
  | { kind: "type"; ratePerSecond: number }
  | { kind: "stopTyping" }
  | { kind: "resetCounters" }
  | { kind: "collect" }
  | { kind: "close"; indices?: number[] }
  | { kind: "disconnect" }
  | { kind: "reconnect"; concurrency: number }
  | { kind: "status" }
  | { kind: "socketIo"; url: string; cookie: string; count: number; concurrency: number }
  | { kind: "closeSocketIo" };

export interface WorkerCounters {
  /** Fan-out latencies (ms) of keystrokes sent inside the window, one per receiving client. */
  latencies: Float64Array;
  /** Keystroke → acknowledgement latencies (ms), for keystrokes sent inside the window. */
  acknowledgements: Float64Array;
  /** Keystrokes sent inside the window. */
  sentInWindow: number;
  /** Bytes of the Yjs updates (payloads) sent inside the window. */
  sentBytesInWindow: number;
  /** Relayed messages received (any time since the last reset). */
  relayedMessages: number;
}

export interface EditorStatus {
  index: number;
  clientId: number;
  ownClock: number;
  acknowledgedClock: number;
  open: boolean;
}

export interface OpenOutcome {
  opened: number;
  failed: number;
  errors: string[];
}

class Samples {
  private values = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  take(): Float64Array {
    const out = this.values.slice(0, this.length);
    this.values = new Float64Array(1024);
    this.length = 0;
    return out;
  }
}

const sendTimes = new SendTimes(workerData as SendTimesBuffer);
const clients = new Map<number, BenchClient>();
const sockets: Socket[] = [];
const latencies = new Samples();
const acknowledgements = new Samples();
let sentInWindow = 0;
let sentBytesInWindow = 0;
let relayedMessages = 0;

const events = {
  onSend(client: BenchClient, clock: number, sentAt: bigint, bytes: number) {
    sendTimes.record(client.clientId - clientIdBase, clock, sentAt);
    if (sendTimes.inWindow(sentAt)) {
      sentInWindow++;
      sentBytesInWindow += bytes;
    }
  },
  onRelayedUpdate(client: BenchClient, update: Uint8Array, receivedAt: bigint) {
    relayedMessages++;
    forEachClock(update, (sender, clock) => {
      if (sender === client.clientId) return; // the sender's own echo is not fan-out
      const sentAt = sendTimes.lookup(sender - clientIdBase, clock);
      if (sentAt !== undefined && sendTimes.inWindow(sentAt)) latencies.push(Number(receivedAt - sentAt) / 1e6);
    });
  },
  onAcknowledged(client: BenchClient, previousClock: number, clock: number, receivedAt: bigint) {
    const slot = client.clientId - clientIdBase;
    for (let c = Math.max(previousClock, clock - 10_000); c < clock; c++) {
      const sentAt = sendTimes.lookup(slot, c);
      if (sentAt !== undefined && sendTimes.inWindow(sentAt)) acknowledgements.push(Number(receivedAt - sentAt) / 1e6);
    }
  },
};

/** Runs `task` over `items` with at most `concurrency` at a time. */
async function inBatches<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

async function open(command: Extract<WorkerCommand, { kind: "open" }>): Promise<OpenOutcome> {
  const outcome: OpenOutcome = { opened: 0, failed: 0, errors: [] };
  await inBatches(command.clients, command.concurrency, async ({ index, spec }) => {
    const client = new BenchClient(spec, events);
    clients.set(index, client);
    try {
      await client.connect();
      if (command.paragraph && spec.editor) client.addParagraph();
      outcome.opened++;
    } catch (error) {
      outcome.failed++;
      if (outcome.errors.length < 5) outcome.errors.push(error instanceof Error ? error.message : String(error));
      client.destroy();
      clients.delete(index);
    }
  });
  return outcome;
}

// ---- typing on a schedule -----------------------------------------------------------------------

let typingTimer: NodeJS.Timeout | undefined;

function startTyping(ratePerSecond: number): void {
  stopTyping();
  const period = 1000 / ratePerSecond;
  const now = performance.now();
  // Each editor starts at a random phase, so keystrokes do not arrive in lockstep.
  const typists = [...clients.values()]
    .filter((client) => client.doc !== null)
    .map((client) => ({ client, due: now + Math.random() * period }));
  if (typists.length === 0) return;
  const tick = () => {
    const started = performance.now();
    let next = Infinity;
    for (const typist of typists) {
      let burst = 0;
      while (typist.due <= started && burst < 20) {
        typist.client.typeCharacter();
        typist.due += period;
        burst++;
      }
      // Too far behind (the generator was starved): drop the backlog rather than burst.
      if (typist.due <= started) typist.due = started + period;
      next = Math.min(next, typist.due);
    }
    typingTimer = setTimeout(tick, Math.max(0, next - performance.now()));
  };
  typingTimer = setTimeout(tick, 0);
}

function stopTyping(): void {
  clearTimeout(typingTimer);
  typingTimer = undefined;
}

// ---- Socket.io connections (idle, authenticated) --------------------------------------------------

async function openSocketIo(command: Extract<WorkerCommand, { kind: "socketIo" }>): Promise<OpenOutcome> {
  const outcome: OpenOutcome = { opened: 0, failed: 0, errors: [] };
  await inBatches(
    Array.from({ length: command.count }, (_, i) => i),
    command.concurrency,
    async () => {
      const socket = io(command.url, {
        transports: ["websocket"],
        extraHeaders: { cookie: command.cookie },
        reconnection: false,
        forceNew: true,
        timeout: 30_000,
      });
      sockets.push(socket);
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once("connect", () => resolve());
          socket.once("connect_error", (error) => reject(error));
        });
        outcome.opened++;
      } catch (error) {
        outcome.failed++;
        if (outcome.errors.length < 5) outcome.errors.push(error instanceof Error ? error.message : String(error));
      }
    },
  );
  return outcome;
}

// ---- commands -------------------------------------------------------------------------------------

async function run(command: WorkerCommand): Promise<unknown> {
  switch (command.kind) {
    case "open":
      return open(command);
    case "type":
      startTyping(command.ratePerSecond);
      return null;
    case "stopTyping":
      stopTyping();
      return null;
    case "resetCounters":
      latencies.take();
      acknowledgements.take();
      sentInWindow = 0;
      sentBytesInWindow = 0;
      relayedMessages = 0;
      return null;
    case "collect": {
      const counters: WorkerCounters = {
        latencies: latencies.take(),
        acknowledgements: acknowledgements.take(),
        sentInWindow,
        sentBytesInWindow,
        relayedMessages,
      };
      return counters;
    }
    case "close": {
      stopTyping();
      const chosen = command.indices ?? [...clients.keys()];
      await Promise.all(
        chosen.map(async (index) => {
          const client = clients.get(index);
          if (!client) return;
          clients.delete(index);
          await client.disconnect();
          client.destroy();
        }),
      );
      return null;
    }
    case "disconnect":
      await Promise.all([...clients.values()].map((client) => client.disconnect()));
      return null;
    case "reconnect": {
      const outcome: OpenOutcome = { opened: 0, failed: 0, errors: [] };
      await inBatches([...clients.values()], command.concurrency, async (client) => {
        try {
          await client.connect();
          outcome.opened++;
        } catch (error) {
          outcome.failed++;
          if (outcome.errors.length < 5) outcome.errors.push(error instanceof Error ? error.message : String(error));
        }
      });
      return outcome;
    }
    case "status": {
      const status: EditorStatus[] = [];
      for (const [index, client] of clients) {
        if (!client.doc) continue;
        status.push({
          index,
          clientId: client.clientId,
          ownClock: client.ownClock,
          acknowledgedClock: client.acknowledgedClock,
          open: client.open,
        });
      }
      return status;
    }
    case "socketIo":
      return openSocketIo(command);
    case "closeSocketIo":
      for (const socket of sockets.splice(0)) socket.disconnect();
      return null;
  }
}

parentPort!.on("message", (message: { id: number; command: WorkerCommand }) => {
  run(message.command).then(
    (result) => {
      const transfer =
        message.command.kind === "collect"
          ? [(result as WorkerCounters).latencies.buffer, (result as WorkerCounters).acknowledgements.buffer]
          : [];
      parentPort!.postMessage({ id: message.id, result }, transfer as ArrayBuffer[]);
    },
    (error: unknown) => parentPort!.postMessage({ id: message.id, error: error instanceof Error ? error.stack : String(error) }),
  );
});
parentPort!.postMessage({ ready: true });
