/**
 * Rendering documents away from the event loop: TipTap's HTML serialiser takes tens of
 * milliseconds for a long document, and on the thread that relays keystrokes that would be a
 * pause in everyone's typing. The collaboration endpoint posts a document's state here and gets its
 * HTML and text back (render-worker.ts). The thread starts at the first rendering, is started again
 * if it dies, and a rendering that fails is an error for the caller to log (the document's stored
 * state is unaffected; the next rendering tries again).
 */
import type { Worker } from "node:worker_threads";
import { startWorker } from "../../db/start-worker.js";
import type { RenderReply, RenderRequest } from "./render-protocol.js";

const bundledWorker = new URL("./render-worker.mjs", import.meta.url);
const sourceWorker = new URL("./render-worker.ts", import.meta.url);

interface Waiting {
  resolve(rendering: { html: string; text: string }): void;
  reject(error: Error): void;
}

export class RenderThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private closed = false;

  /** The HTML and text of the document whose whole state is `state` (a Yjs update). */
  render(state: Uint8Array): Promise<{ html: string; text: string }> {
    if (this.closed) return Promise.reject(new Error("the rendering thread is closed"));
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: RenderRequest = { id, state };
      worker.postMessage(request, [state.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error("the rendering thread is closed"));
    await worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(bundledWorker, sourceWorker, null);
    worker.unref();
    worker.on("message", (reply: RenderReply) => {
      const waiting = this.waiting.get(reply.id);
      if (!waiting) return;
      this.waiting.delete(reply.id);
      if ("error" in reply) waiting.reject(new Error(`rendering failed: ${reply.error}`));
      else waiting.resolve({ html: reply.html, text: reply.text });
    });
    const lost = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failAll(new Error(`the rendering thread ${reason}`));
    };
    worker.on("error", (error) => lost(`failed: ${error.message}`));
    worker.on("exit", (code) => lost(`stopped (exit code ${code})`));
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const entry of waiting) entry.reject(error);
  }
}
