/**
 * Relaying a document's updates and presence to everyone on it (the relay part of a
 * SharedDocument). The first message of a turn of the event loop goes at once; those that follow
 * in the same turn are queued and sent when it ends (setImmediate), in order, each run of
 * consecutive updates merged into one: under load, many keystrokes cost one send per connection
 * instead of one each. Alone, an update goes to everyone but its sender; merged, it also goes back
 * to the senders, whose Yjs ignores what it already has. Each message is framed once for all
 * sockets (docs/decisions/008-broadcast-frames-written-once.md).
 */
import * as Y from "yjs";
import { type CollabConnection, prepareBroadcast } from "./collab-connection.js";
import { encodeUpdate } from "./protocol.js";

/**
 * A message waiting to go to everyone on the document: an update (from `origin`; `received`: the
 * sync message it arrived in, which relaying it alone sends as it is) or presence.
 */
export type Relay =
  | { update: Uint8Array; origin: unknown; received?: Uint8Array; awareness?: undefined }
  | { awareness: Uint8Array; update?: undefined; origin?: undefined; received?: undefined };

export class DocumentRelay {
  /** Messages for everyone, sent together at the end of this turn of the event loop. */
  private outbox: Relay[] = [];
  /** A message for everyone has gone out in this turn of the event loop: the next ones wait. */
  private turnOpen = false;

  constructor(private readonly connections: () => Iterable<CollabConnection>) {}

  /** Sends a message to everyone on the document, now or at the end of this turn. */
  relay(message: Relay): void {
    this.outbox.push(message);
    if (this.turnOpen) return;
    this.turnOpen = true;
    setImmediate(this.endTurn);
    this.sendOutbox();
  }

  private readonly endTurn = (): void => {
    this.turnOpen = false;
    this.sendOutbox();
  };

  private sendOutbox(): void {
    const outbox = this.outbox;
    this.outbox = [];
    for (let start = 0; start < outbox.length; ) {
      const first = outbox[start]!;
      if (first.awareness) {
        // To everyone, the sender included: the provider counts its own echo as a sign of life.
        const message = prepareBroadcast(first.awareness);
        for (const connection of this.connections()) connection.send(message);
        start++;
        continue;
      }
      let end = start + 1;
      while (end < outbox.length && outbox[end]!.update) end++;
      const run = outbox.slice(start, end);
      const sender = run.every((item) => item.origin === first.origin) ? first.origin : undefined;
      const message =
        run.length === 1
          ? prepareBroadcast(first.received ?? encodeUpdate(first.update!))
          : prepareBroadcast(encodeUpdate(mergeBatch(run.map((item) => item.update!))));
      for (const connection of this.connections()) if (connection !== sender) connection.send(message);
      start = end;
    }
  }
}

/**
 * Merges a batch into one update. Y.mergeUpdates slows down quadratically with the number of
 * inputs (2,000 keystrokes: ~50 ms; 60,000: ~2 minutes), so a flood is merged as a tree of groups
 * of 32, which stays linear (60,000: ~150 ms).
 */
export function mergeBatch(updates: Uint8Array[]): Uint8Array {
  let level = updates;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += mergeFanIn) {
      const group = level.slice(i, i + mergeFanIn);
      next.push(group.length === 1 ? group[0]! : Y.mergeUpdates(group));
    }
    level = next;
  }
  return level[0] ?? new Uint8Array([0, 0]);
}

const mergeFanIn = 32;
