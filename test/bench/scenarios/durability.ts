/**
 * kill -9 while people type: editors type into one document; at a random moment the server process
 * is killed with SIGKILL (no shutdown, no flush). The editors are kept away, typing offline, while
 * the server starts again and a new reader opens the document: what the reader gets is the
 * server's stored state before any old client has reconnected. Every keystroke the server had
 * acknowledged must be in it. Then the editors reconnect, resend what was never acknowledged, and
 * the next round begins.
 *
 * "Acknowledged" is each server's own word: ours sends "saved" after the commit; the in-memory
 * reference servers only ever say they applied an update (@y/websocket-server echoes it,
 * Hocuspocus sends SyncStatus), which is what they lose.
 */
import * as Y from "yjs";
import { BenchClient } from "../bench-client.js";
import { seededRandom } from "../bench-database.js";
import { type LoadGenerator, waitForAcknowledgements } from "../load-generator.js";
import { round } from "../statistics.js";
import type { Target, TargetKey } from "../targets.js";
import { sleep } from "../timing.js";

export interface DurabilityOptions {
  kills: number;
  editors: number;
  ratePerEditor: number;
  /** Typing between a recovery and the next kill: uniformly random in this range. */
  minTypingMs: number;
  maxTypingMs: number;
  seed: number;
}

export interface DurabilityResult {
  target: TargetKey;
  kills: number;
  editors: number;
  ratePerEditor: number;
  /** Summed over kills: keystrokes the server had acknowledged when it was killed (each kill checks all of them again). */
  acknowledgedAtKills: number;
  /** Summed over kills: acknowledged keystrokes missing from its state after the restart. */
  lost: number;
  /** lost / acknowledgedAtKills. */
  lostShare: number;
  killsWithLoss: number;
  /** Summed over kills: keystrokes typed but not yet acknowledged when it was killed (resent later). */
  unacknowledgedAtKills: number;
  /** The first few losses, to look into: which kill, whose keystrokes, acknowledged and stored clocks. */
  lossSamples: { kill: number; clientId: number; acknowledged: number; stored: number; typed: number }[];
  /** Every editor's typing was in the server's state at the end (after the last resync). */
  convergedAtEnd: boolean;
  restartMs: { mean: number; max: number };
  seconds: number;
}

const readerSlot = 1010;

/** The server's state of the document as a new client receives it: a state vector. */
async function readStoredState(target: Target, documentName: string): Promise<Map<number, number>> {
  const reader = new BenchClient(target.client(documentName, { editor: true, slot: readerSlot }));
  try {
    await reader.connect(60_000);
    return Y.decodeStateVector(Y.encodeStateVector(reader.doc!));
  } finally {
    reader.destroy();
  }
}

export async function runDurability(target: Target, generator: LoadGenerator, options: DurabilityOptions): Promise<DurabilityResult> {
  const began = performance.now();
  const random = seededRandom(options.seed);
  const [documentName] = await target.newDocuments(1);
  const specs = Array.from({ length: options.editors }, (_, i) => target.client(documentName!, { editor: true, slot: i, n: i }));
  await generator.open(specs, { paragraph: true });
  let acknowledgedAtKills = 0;
  let lost = 0;
  let killsWithLoss = 0;
  let unacknowledgedAtKills = 0;
  const restarts: number[] = [];
  const lossSamples: DurabilityResult["lossSamples"] = [];
  try {
    await waitForAcknowledgements(generator, 10_000);
    await generator.startTyping(options.ratePerEditor);
    for (let kill = 0; kill < options.kills; kill++) {
      await sleep(options.minTypingMs + random() * (options.maxTypingMs - options.minTypingMs));
      await target.process.kill();
      // Old clients stay away (typing offline) until the stored state has been read.
      await generator.disconnectAll();
      const atKill = await generator.editorStatus();
      const restartStarted = performance.now();
      await target.restart();
      restarts.push(performance.now() - restartStarted);
      const stored = await readStoredState(target, documentName!);
      let lostThisKill = 0;
      for (const editor of atKill) {
        acknowledgedAtKills += editor.acknowledgedClock;
        unacknowledgedAtKills += Math.max(0, editor.ownClock - editor.acknowledgedClock);
        const missing = Math.max(0, editor.acknowledgedClock - (stored.get(editor.clientId) ?? 0));
        lostThisKill += missing;
        if (missing > 0 && lossSamples.length < 10) {
          lossSamples.push({ kill, clientId: editor.clientId, acknowledged: editor.acknowledgedClock, stored: stored.get(editor.clientId) ?? 0, typed: editor.ownClock });
        }
      }
      lost += lostThisKill;
      if (lostThisKill > 0) killsWithLoss++;
      const reconnected = await generator.reconnectAll();
      if (reconnected.failed > 0) throw new Error(`${target.label}: editors could not reconnect (${reconnected.errors.join("; ")})`);
      await waitForAcknowledgements(generator, 20_000);
    }
    await generator.stopTyping();
    await waitForAcknowledgements(generator, 20_000);
    const final = await readStoredState(target, documentName!);
    const convergedAtEnd = (await generator.editorStatus()).every((editor) => (final.get(editor.clientId) ?? 0) >= editor.ownClock);
    return {
      target: target.key,
      kills: options.kills,
      editors: options.editors,
      ratePerEditor: options.ratePerEditor,
      acknowledgedAtKills,
      lost,
      lostShare: acknowledgedAtKills === 0 ? 0 : round(lost / acknowledgedAtKills, 4),
      killsWithLoss,
      lossSamples,
      unacknowledgedAtKills,
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
  }
}
