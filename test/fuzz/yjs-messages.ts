/**
 * y-websocket messages for the protocol fuzz: the harmless ones a client may send (awareness,
 * query awareness, a sync step 1 probe), and malformed sync and awareness messages built so that
 * none of them decodes: each is cut short, claims more than it holds, carries bytes after its end,
 * or names a type that does not exist. The real updates inside them carry "FUZZ" text from their
 * own Yjs client ids, so anything of them that reached the document would show.
 *
 * Messages that may or may not decode (random bytes, bit flips, valid updates) are "hostile" and
 * only ever sent on read-only connections, whose updates the server drops.
 */
import * as encoding from "lib0/encoding";
import * as Y from "yjs";
import { COLLAB_FIELD } from "../../app/documents/content.js";
import type { Random } from "./fuzz-random.js";

const SYNC = 0;
const AWARENESS = 1;
const QUERY_AWARENESS = 3;
const STEP_1 = 0;
const STEP_2 = 1;
const UPDATE = 2;

function message(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

export function syncMessage(subtype: number, payload: Uint8Array): Uint8Array {
  return message((encoder) => {
    encoding.writeVarUint(encoder, SYNC);
    encoding.writeVarUint(encoder, subtype);
    encoding.writeVarUint8Array(encoder, payload);
  });
}

/** An awareness update of (client, clock, state JSON) entries; the count can lie. */
export function awarenessUpdate(entries: [number, number, string][], count = entries.length): Uint8Array {
  return message((encoder) => {
    encoding.writeVarUint(encoder, count);
    for (const [client, clock, state] of entries) {
      encoding.writeVarUint(encoder, client);
      encoding.writeVarUint(encoder, clock);
      encoding.writeVarString(encoder, state);
    }
  });
}

export function awarenessMessage(update: Uint8Array): Uint8Array {
  return message((encoder) => {
    encoding.writeVarUint(encoder, AWARENESS);
    encoding.writeVarUint8Array(encoder, update);
  });
}

/** Sync step 1 with an empty state vector: the server answers it with sync step 2 (0, 1, …). */
export const PROBE = syncMessage(STEP_1, Y.encodeStateVector(new Y.Doc()));

/** Whether a server message is the answer to a sync step 1 (the probe). */
export function isSyncStep2(payload: Uint8Array): boolean {
  return payload[0] === SYNC && payload[1] === STEP_2;
}

export interface FuzzMessage {
  kind: string;
  bytes: Uint8Array;
}

/**
 * Real Yjs updates from fuzz clients: a paragraph of "FUZZ <n>" text from a client id of its own,
 * never one of the honest clients'.
 */
export class FuzzUpdates {
  /** Every Yjs client id a fuzz update was made as. */
  readonly clientIds = new Set<number>();
  private made = 0;

  constructor(private readonly random: Random) {}

  update(): Uint8Array {
    const doc = new Y.Doc();
    doc.clientID = this.random.int(1_000_000, 0x7fffffff);
    this.clientIds.add(doc.clientID);
    const paragraph = new Y.XmlElement("paragraph");
    paragraph.insert(0, [new Y.XmlText(`FUZZ ${++this.made} ${this.random.string(this.random.int(1, 40))}`)]);
    doc.getXmlFragment(COLLAB_FIELD).insert(0, [paragraph]);
    const update = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    return update;
  }
}

/** A varuint that never ends: every byte has its continuation bit set. */
function unterminatedVarUint(random: Random): Uint8Array {
  return Uint8Array.from(random.bytes(random.int(1, 8)), (byte) => byte | 0x80);
}

/** Strings that are not JSON, for awareness states. */
function notJson(random: Random): string {
  return random.pick(["{", '{"user":', "undefined", "NaN", "{'a':1}", "", "[1,", `{"a":1${random.string(5)}`, "\u0000", "tru"]);
}

/** A sync or awareness message that does not decode, whatever connection sends it. */
export function malformedMessage(random: Random, updates: FuzzUpdates): FuzzMessage {
  const kinds: (() => FuzzMessage)[] = [
    () => ({ kind: "empty message", bytes: new Uint8Array(0) }),
    () => ({ kind: "message type that never ends", bytes: unterminatedVarUint(random) }),
    () => ({ kind: "message type over 53 bits", bytes: Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f) }),
    () => {
      const type = random.pick([2, 4, 5, 7, 42, 99, 100, 101, 127, 128, 255, 16_384, random.int(4, 2 ** 30)]);
      return { kind: `unknown message type ${type}`, bytes: concat(message((encoder) => encoding.writeVarUint(encoder, type)), random.bytes(random.int(0, 40))) };
    },
    () => ({ kind: "sync message with no sub-type", bytes: Uint8Array.of(SYNC) }),
    () => ({ kind: "sync sub-type that never ends", bytes: concat(Uint8Array.of(SYNC), unterminatedVarUint(random)) }),
    () => {
      const subtype = random.pick([3, 4, 9, 100, 1_000]);
      return { kind: `unknown sync sub-type ${subtype}`, bytes: syncMessage(subtype, random.bytes(random.int(0, 30))) };
    },
    () => ({ kind: "sync message with no payload", bytes: Uint8Array.of(SYNC, random.pick([STEP_1, STEP_2, UPDATE])) }),
    () => {
      // The payload's length says more than the message holds.
      const payload = updates.update();
      const cut = random.int(0, payload.byteLength - 1);
      return {
        kind: "sync payload longer than the message",
        bytes: concat(Uint8Array.of(SYNC, random.pick([STEP_2, UPDATE])), message((encoder) => encoding.writeVarUint(encoder, payload.byteLength)), payload.subarray(0, cut)),
      };
    },
    () => {
      const entries = random.int(0, 3);
      const vector = message((encoder) => {
        encoding.writeVarUint(encoder, entries + random.int(1, 1_000));
        for (let i = 0; i < entries; i++) {
          encoding.writeVarUint(encoder, random.int(0, 2 ** 31));
          encoding.writeVarUint(encoder, random.int(0, 1_000));
        }
      });
      return { kind: "state vector claiming more entries than it holds", bytes: syncMessage(STEP_1, vector) };
    },
    () => ({ kind: "state vector that never ends", bytes: syncMessage(STEP_1, concat(Uint8Array.of(1), unterminatedVarUint(random))) }),
    () => {
      const update = updates.update();
      return { kind: "update cut short", bytes: syncMessage(random.pick([STEP_2, UPDATE]), update.subarray(0, random.int(1, update.byteLength - 2))) };
    },
    () => ({ kind: "update with bytes after the message", bytes: concat(syncMessage(random.pick([STEP_2, UPDATE]), updates.update()), random.bytes(random.int(1, 20))) }),
    () => ({ kind: "two updates in one message", bytes: concat(syncMessage(UPDATE, updates.update()), syncMessage(UPDATE, updates.update())) }),
    () => ({ kind: "sync step 1 with bytes after the message", bytes: concat(syncMessage(STEP_1, Y.encodeStateVector(new Y.Doc())), random.bytes(random.int(1, 20))) }),
    () => ({ kind: "awareness state that is not JSON", bytes: awarenessMessage(awarenessUpdate([[random.int(1_000_000, 2 ** 30), random.int(0, 100), notJson(random)]])) }),
    () => {
      const entries: [number, number, string][] = Array.from({ length: random.int(0, 3) }, () => [random.int(1_000_000, 2 ** 30), 1, "{}"]);
      return { kind: "awareness claiming more states than it holds", bytes: awarenessMessage(awarenessUpdate(entries, entries.length + random.int(1, 100))) };
    },
    () => ({ kind: "awareness update with bytes after it", bytes: awarenessMessage(concat(awarenessUpdate([[random.int(1_000_000, 2 ** 30), 1, "{}"]]), random.bytes(random.int(1, 10)))) }),
    () => ({ kind: "awareness message with bytes after it", bytes: concat(awarenessMessage(awarenessUpdate([[random.int(1_000_000, 2 ** 30), 1, '{"user":{"name":"fuzz"}}']])), random.bytes(random.int(1, 10))) }),
    () => {
      const state = Uint8Array.of(0xff, 0xfe, 0x7b, ...random.bytes(random.int(0, 5)).map((byte) => byte | 0x80));
      const update = concat(Uint8Array.of(1), message((encoder) => encoding.writeVarUint(encoder, random.int(1_000_000, 2 ** 30))), Uint8Array.of(1), message((encoder) => encoding.writeVarUint8Array(encoder, state)));
      return { kind: "awareness state that is not UTF-8", bytes: awarenessMessage(update) };
    },
    () => {
      const update = awarenessUpdate([[random.int(1_000_000, 2 ** 30), 1, "{}"]]);
      return { kind: "awareness payload longer than the message", bytes: concat(Uint8Array.of(AWARENESS), message((encoder) => encoding.writeVarUint(encoder, update.byteLength + random.int(1, 50))), update) };
    },
    () => ({ kind: "awareness message with no payload", bytes: Uint8Array.of(AWARENESS) }),
    () => ({ kind: "query awareness with bytes after it", bytes: concat(Uint8Array.of(QUERY_AWARENESS), random.bytes(random.int(1, 10))) }),
  ];
  return random.pick(kinds)();
}

/**
 * Messages that may well decode: only read-only connections send these, and nothing of them may be
 * stored. None is a sync step 1, so the only sync step 2 a connection is sent answers its probe.
 */
export function hostileMessage(random: Random, updates: FuzzUpdates): FuzzMessage {
  const kinds: (() => FuzzMessage)[] = [
    () => ({ kind: "update from a read-only connection", bytes: syncMessage(UPDATE, updates.update()) }),
    () => ({ kind: "sync step 2 from a read-only connection", bytes: syncMessage(STEP_2, updates.update()) }),
    () => {
      const bytes = syncMessage(random.pick([STEP_2, UPDATE]), updates.update());
      // Past the message type and sync sub-type, so it stays an update whatever else it becomes.
      for (let flips = random.int(1, 4); flips > 0; flips--) bytes[random.int(2, bytes.byteLength - 1)]! ^= 1 << random.int(0, 7);
      return { kind: "update with flipped bits", bytes };
    },
    () => ({ kind: "random bytes", bytes: concat(Uint8Array.of(random.int(1, 255)), random.bytes(random.int(0, 200))) }),
    () => ({ kind: "sync message of random bytes", bytes: syncMessage(random.pick([STEP_2, UPDATE]), random.bytes(random.int(1, 100))) }),
  ];
  return random.pick(kinds)();
}

/** Harmless messages a connection sends before its bad one: awareness of a fuzz client, query awareness. */
export function preludeMessage(random: Random): Uint8Array {
  return random.chance(0.5)
    ? Uint8Array.of(QUERY_AWARENESS)
    : awarenessMessage(awarenessUpdate([[random.int(1_000_000, 2 ** 30), random.int(1, 50), JSON.stringify({ user: { name: `fuzz ${random.string(6)}`, color: "#123456" } })]]));
}
