/**
 * A loaded document's peers (server/collab/document-peers.ts) without Redis or a database: a
 * fake channel delivers another process's messages in the order Redis would, and a fake store
 * counts how often the document is read back. What matters here is that the read-back happens
 * when something was really missed, and not after every batch the other process commits.
 */
import { describe, expect, it } from "vitest";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import type { DocumentChannel, DocumentFanout, RemoteListener } from "../../../server/cluster/document-fanout.js";
import { createLogger } from "../../../server/logger.js";
import { DocumentPeers, peerOrigin } from "../../../server/collab/document-peers.js";
import type { DocumentPersistence, PendingUpdate } from "../../../server/collab/document-persistence.js";
import type { StoredState } from "../../../server/collab/document-store.js";
import { updateLowestClocks } from "../../../server/collab/protocol.js";

const logger = createLogger({ nodeEnv: "test", logLevel: "silent" });

/** Another process typing into its copy of the document, numbering what it sends as the fanout does. */
class OtherProcess {
  readonly doc = new Y.Doc();
  readonly text = this.doc.getText("t");
  private seq = 0;
  /** What it has committed to the (fake) update log. */
  readonly committedUpdates: Uint8Array[] = [];
  private readonly uncommitted: { seq: number; update: Uint8Array }[] = [];

  /** Loads the document again: its numbers start again at 1. */
  join = 1;

  constructor(readonly origin: string) {}

  rejoin(): void {
    this.join++;
    this.seq = 0;
  }

  /** Types one character; returns the message as it goes on the bus. */
  type(): { seq: number; update: Uint8Array } {
    let update: Uint8Array | null = null;
    const capture = (u: Uint8Array) => (update = u);
    this.doc.on("update", capture);
    this.text.insert(this.text.length, "a");
    this.doc.off("update", capture);
    const message = { seq: ++this.seq, update: update! };
    this.uncommitted.push(message);
    return message;
  }

  /** Commits what it has accepted so far; returns the highest number in the batch. */
  commit(): number {
    const batch = this.uncommitted.splice(0);
    for (const entry of batch) this.committedUpdates.push(entry.update);
    return batch.at(-1)?.seq ?? 0;
  }
}

function setUp() {
  const doc = new Y.Doc();
  const awareness = new awarenessProtocol.Awareness(doc);
  const store: OtherProcess[] = [];
  let reads = 0;
  let tasks: Promise<unknown> = Promise.resolve();
  const persistence = {
    serially<T>(task: () => Promise<T>): Promise<T> {
      const run = tasks.then(task, task);
      tasks = run.catch(() => undefined);
      return run;
    },
    queue(_pending: PendingUpdate) {},
  } as unknown as DocumentPersistence;
  let listener: RemoteListener | null = null;
  const channel: DocumentChannel = {
    publishUpdate: () => 0,
    publishAwareness: () => undefined,
    publishCommitted: () => undefined,
    lastSeq: 0,
    leave: async () => undefined,
  };
  const fanout = {
    join: async (_documentId: string, remote: RemoteListener) => {
      listener = remote;
      return channel;
    },
  } as unknown as DocumentFanout;
  const peers = new DocumentPeers({
    documentId: "d",
    doc,
    awareness,
    fanout,
    persistence,
    readStoredState: async (): Promise<StoredState> => {
      reads++;
      const tail = store.flatMap((other) => other.committedUpdates).map((update, i) => ({ id: i + 1, update }));
      return { snapshot: null, snapshotLastUpdateId: null, tail, lastUpdateId: tail.length };
    },
    logger,
    onSavedChanged: () => undefined,
    applyRemoteUpdate: (update) => Y.applyUpdate(doc, update, peerOrigin),
    graceMs: 60_000,
  });
  return {
    doc,
    get listener() {
      return listener!;
    },
    reads: () => reads,
    store,
    settle: async () => {
      await peers.join();
      peers.loaded();
    },
  };
}

/** One of the other process's updates arriving on the bus (the sync message it would relay is not looked at here). */
function deliver(listener: RemoteListener, other: OtherProcess, { seq, update }: { seq: number; update: Uint8Array }): void {
  listener.onRemoteUpdate(other.origin, other.join, seq, update, updateLowestClocks(update), false, update);
}

async function drain(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe("a document's peers in other processes", () => {
  it("reads the document back once at most when the other process keeps typing while its batches commit", async () => {
    const setup = setUp();
    await setup.settle();
    const other = new OtherProcess("b#1");
    setup.store.push(other);
    // As in real typing: the "committed" for a batch goes out after the keystrokes typed while the
    // batch's statement ran, so it always names a number lower than the last one sent.
    for (let batch = 0; batch < 20; batch++) {
      for (let i = 0; i < 5; i++) {
        const { seq, update } = other.type();
        deliver(setup.listener, other, { seq, update });
      }
      const committed = other.commit();
      const { seq, update } = other.type();
      deliver(setup.listener, other, { seq, update });
      setup.listener.onRemoteCommitted(other.origin, other.join, committed, batch + 1);
      await drain();
    }
    await drain();
    expect(setup.doc.getText("t").toString()).toBe(other.text.toString());
    expect(setup.reads()).toBeLessThanOrEqual(1);
  });

  it("reads back what it missed once the other process has committed it, and then has everything", async () => {
    const setup = setUp();
    await setup.settle();
    const other = new OtherProcess("b#2");
    setup.store.push(other);
    const first = other.type();
    deliver(setup.listener, other, first);
    const missed = other.type(); // lost on the bus
    const third = other.type();
    deliver(setup.listener, other, third);
    await drain();
    expect(setup.doc.getText("t").toString()).toBe("a"); // the third waits for the missed one
    setup.listener.onRemoteCommitted(other.origin, other.join, other.commit(), 1);
    await drain();
    expect(missed.seq).toBe(2);
    expect(setup.reads()).toBe(1);
    expect(setup.doc.getText("t").toString()).toBe("aaa");
    // From then on, in order: no more reads.
    for (let i = 0; i < 10; i++) {
      const next = other.type();
      deliver(setup.listener, other, next);
    }
    setup.listener.onRemoteCommitted(other.origin, other.join, other.commit(), 2);
    await drain();
    expect(setup.reads()).toBe(1);
    expect(setup.doc.getText("t").toString()).toBe(other.text.toString());
  });

  it("reads back at the first word from a process that was typing before this one subscribed", async () => {
    const setup = setUp();
    await setup.settle();
    const other = new OtherProcess("b#3");
    setup.store.push(other);
    other.type(); // sent before this process subscribed
    other.type();
    const seen = other.type();
    deliver(setup.listener, other, seen);
    await drain();
    expect(setup.reads()).toBe(0); // nothing of the first two is committed yet
    setup.listener.onRemoteCommitted(other.origin, other.join, other.commit(), 1);
    await drain();
    expect(setup.reads()).toBe(1);
    expect(setup.doc.getText("t").toString()).toBe("aaa");
  });

  it("takes the same update twice without harm", async () => {
    const setup = setUp();
    await setup.settle();
    const other = new OtherProcess("b#4");
    setup.store.push(other);
    const one = other.type();
    deliver(setup.listener, other, one);
    deliver(setup.listener, other, one);
    const two = other.type();
    deliver(setup.listener, other, two);
    setup.listener.onRemoteCommitted(other.origin, other.join, other.commit(), 1);
    await drain();
    expect(setup.doc.getText("t").toString()).toBe("aa");
    expect(setup.reads()).toBe(0);
  });

  it("takes a process that loaded the document again, numbering from 1, as a new peer", async () => {
    const setup = setUp();
    await setup.settle();
    const other = new OtherProcess("b#5");
    setup.store.push(other);
    for (let i = 0; i < 3; i++) deliver(setup.listener, other, other.type());
    setup.listener.onRemoteCommitted(other.origin, other.join, other.commit(), 1);
    other.rejoin();
    const first = other.type();
    deliver(setup.listener, other, first);
    const missed = other.type(); // lost on the bus
    deliver(setup.listener, other, other.type());
    setup.listener.onRemoteCommitted(other.origin, other.join, other.commit(), 2);
    await drain();
    expect([first.seq, missed.seq]).toEqual([1, 2]);
    expect(setup.reads()).toBe(1);
    expect(setup.doc.getText("t").toString()).toBe("aaaaaa");
  });
});
