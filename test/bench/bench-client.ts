/**
 * One simulated person on a collaborative document for the load generator: a y-protocols client
 * over a real `ws` websocket, as light as such a client can be so that hundreds fit in one
 * generator thread.
 *
 * An editor keeps a Y.Doc, applies the server's initial state (sync step 2) and types one character
 * per update at the end of a paragraph of its own, like a person. Every client decodes what the
 * server relays only as far as the ids of the keystrokes in it (to time their fan-out); it does not
 * integrate other people's keystrokes into a document, which a browser would do on its own CPU.
 *
 * It speaks the y-websocket wire format (our endpoint and @y/websocket-server) or Hocuspocus's
 * (every message prefixed with the document name, an authentication message first, SyncStatus
 * acknowledgements), and it understands our "saved" message (type 100).
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { WebSocket } from "ws";
import * as Y from "yjs";
import { COLLAB_FIELD, SAVED_MESSAGE_TYPE } from "../../app/documents/content.js";

export type WireProtocol = "y-websocket" | "hocuspocus";

/**
 * What a server's acknowledgement of an editor's keystrokes is: our "saved" message (after the
 * commit), @y/websocket-server's echo of the editor's own update, or Hocuspocus's SyncStatus.
 */
export type Acknowledgement = "saved" | "echo" | "sync-status";

/** Editors' Yjs client ids are this plus their slot, so a receiver knows whose keystroke it got. */
export const clientIdBase = 100_000;

export interface BenchClientSpec {
  url: string;
  documentName: string;
  protocol: WireProtocol;
  acknowledgement: Acknowledgement;
  cookie?: string;
  /** Editors keep a Y.Doc and type; the others only receive. */
  editor: boolean;
  /** An editor's slot in the shared send-time table. */
  slot?: number;
}

export interface BenchClientEvents {
  /** A relayed update arrived: `visit` its keystrokes (client id, clock) to time them. */
  onRelayedUpdate?(client: BenchClient, update: Uint8Array, receivedAt: bigint): void;
  /** The server acknowledged this editor's keystrokes up to (not including) `clock`. */
  onAcknowledged?(client: BenchClient, previousClock: number, clock: number, receivedAt: bigint): void;
  /** An editor is about to send the keystroke at `clock`, an update of `bytes` bytes. */
  onSend?(client: BenchClient, clock: number, sentAt: bigint, bytes: number): void;
}

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_AUTH = 2;
const SYNC_STEP_1 = 0;
const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;
const HOCUSPOCUS_SYNC_REPLY = 4;
const HOCUSPOCUS_SYNC_STATUS = 8;
const HOCUSPOCUS_CLOSE = 7;
const emptyUpdate = new Uint8Array([0, 0]);
const emptyStateVector = new Uint8Array([0]);
const letters = "kia ora te whānau, the stewardship group agreed the terms of reference ";

export class BenchClient {
  readonly spec: BenchClientSpec;
  readonly clientId: number;
  readonly doc: Y.Doc | null;
  ws: WebSocket | null = null;
  /** Received the server's state (sync step 2) on the current connection. */
  synced = false;
  /** Websocket close codes, in order. */
  readonly closeCodes: number[] = [];
  /** Bytes of the Yjs updates this editor typed (the payloads, not the framing). */
  sentUpdateBytes = 0;
  sentUpdates = 0;
  /**
   * The clock up to which the server has this editor's keystrokes by its own account: our
   * "saved" (committed), @y/websocket-server's echo (applied in memory), Hocuspocus's
   * SyncStatus (applied in memory).
   */
  acknowledgedClock = 0;

  private readonly events: BenchClientEvents;
  private text: Y.XmlText | null = null;
  private typingClock = -1;
  private letter = 0;
  /** Hocuspocus acknowledges each sync message in order: the clock each one reached. */
  private readonly awaitingStatus: number[] = [];
  private syncedWaiters: (() => void)[] = [];
  private closedWaiters: (() => void)[] = [];

  constructor(spec: BenchClientSpec, events: BenchClientEvents = {}) {
    this.spec = spec;
    this.events = events;
    this.clientId = spec.editor ? clientIdBase + (spec.slot ?? 0) : 0;
    if (spec.editor) {
      this.doc = new Y.Doc();
      this.doc.clientID = this.clientId;
      this.doc.on("update", this.onLocalUpdate);
    } else {
      this.doc = null;
    }
  }

  get open(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** This editor's own clock: everything it has typed. */
  get ownClock(): number {
    return this.doc ? Y.getState(this.doc.store, this.clientId) : 0;
  }

  /** Opens the websocket and starts the sync; resolves once the server's state has arrived. */
  connect(timeoutMs = 30_000): Promise<void> {
    this.synced = false;
    this.awaitingStatus.length = 0;
    const ws = new WebSocket(this.spec.url, {
      headers: this.spec.cookie ? { cookie: this.spec.cookie } : {},
      perMessageDeflate: false,
    });
    this.ws = ws;
    ws.binaryType = "nodebuffer";
    ws.on("open", () => this.greet());
    ws.on("message", (data: Buffer) => this.receive(data));
    ws.on("error", () => undefined);
    ws.on("close", (code) => {
      this.closeCodes.push(code);
      if (this.ws === ws) this.ws = null;
      for (const waiter of this.syncedWaiters.splice(0)) waiter();
      for (const waiter of this.closedWaiters.splice(0)) waiter();
    });
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no sync from ${this.spec.url} within ${timeoutMs} ms`)), timeoutMs);
      this.syncedWaiters.push(() => {
        clearTimeout(timer);
        if (this.synced) resolve();
        else reject(new Error(`closed before sync (${this.closeCodes.at(-1) ?? "no close code"})`));
      });
    });
  }

  /** Closes the websocket (keeping the document, so a later `connect` resends what is unacknowledged). */
  disconnect(): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.closedWaiters.push(resolve));
    ws.close(1000);
    // A server that died answers no close handshake.
    const cutOff = setTimeout(() => ws.terminate(), 2_000);
    return closed.finally(() => clearTimeout(cutOff));
  }

  /** Resolves when the current websocket has closed (for example because the server died). */
  whenClosed(): Promise<void> {
    if (!this.ws || this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise<void>((resolve) => this.closedWaiters.push(resolve));
  }

  destroy(): void {
    this.ws?.terminate();
    this.ws = null;
    this.doc?.destroy();
  }

  /** Adds this editor's own paragraph at the end of the document (one update). */
  addParagraph(): void {
    const doc = this.doc;
    if (!doc) throw new Error("only editors type");
    const text = new Y.XmlText(`${this.spec.slot ?? 0}: `);
    doc.transact(() => {
      const paragraph = new Y.XmlElement("paragraph");
      paragraph.insert(0, [text]);
      const fragment = doc.getXmlFragment(COLLAB_FIELD);
      fragment.insert(fragment.length, [paragraph]);
    });
    this.text = text;
  }

  /** Types one character at the end of this editor's paragraph: one Yjs update, sent at once. */
  typeCharacter(): void {
    const doc = this.doc;
    const text = this.text;
    if (!doc || !text) throw new Error("addParagraph first");
    this.typingClock = this.ownClock;
    const character = letters[this.letter++ % letters.length]!;
    doc.transact(() => text.insert(text.length, character));
    this.typingClock = -1;
  }

  // ---- the wire ------------------------------------------------------------------------------

  private greet(): void {
    if (this.spec.protocol === "hocuspocus") {
      // Authentication first (an empty token: the reference server runs without auth).
      this.send((encoder) => {
        encoding.writeVarUint(encoder, MESSAGE_AUTH);
        encoding.writeVarUint(encoder, 0);
        encoding.writeVarString(encoder, "");
      });
    }
    const stateVector = this.doc ? Y.encodeStateVector(this.doc) : emptyStateVector;
    this.send((encoder) => {
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      encoding.writeVarUint(encoder, SYNC_STEP_1);
      encoding.writeVarUint8Array(encoder, stateVector);
    });
    // Presence as a browser tab would announce it: a name, no cursor yet.
    const awareness = encoding.createEncoder();
    encoding.writeVarUint(awareness, 1);
    encoding.writeVarUint(awareness, this.clientId || clientIdBase + 1_000_000 + Math.floor(Math.random() * 1e6));
    encoding.writeVarUint(awareness, 1);
    encoding.writeVarString(awareness, JSON.stringify({ user: { name: `Editor ${this.spec.slot ?? "-"}`, colour: "#1f6f8b" } }));
    const awarenessUpdate = encoding.toUint8Array(awareness);
    this.send((encoder) => {
      encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
      encoding.writeVarUint8Array(encoder, awarenessUpdate);
    });
  }

  private send(write: (encoder: encoding.Encoder) => void): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    const encoder = encoding.createEncoder();
    if (this.spec.protocol === "hocuspocus") encoding.writeVarString(encoder, this.spec.documentName);
    write(encoder);
    ws.send(encoding.toUint8Array(encoder));
    return true;
  }

  private readonly onLocalUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this) return;
    const clock = this.typingClock;
    if (!this.open) return; // typed offline: sent with the next sync
    if (clock >= 0) this.events.onSend?.(this, clock, process.hrtime.bigint(), update.byteLength);
    this.sentUpdates++;
    this.sentUpdateBytes += update.byteLength;
    this.send((encoder) => {
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      encoding.writeVarUint(encoder, SYNC_UPDATE);
      encoding.writeVarUint8Array(encoder, update);
    });
    if (this.spec.protocol === "hocuspocus") this.awaitingStatus.push(this.ownClock);
  };

  private receive(data: Buffer): void {
    const receivedAt = process.hrtime.bigint();
    const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (this.spec.protocol === "hocuspocus") decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MESSAGE_SYNC:
      case HOCUSPOCUS_SYNC_REPLY:
        this.receiveSync(decoder, receivedAt);
        return;
      case SAVED_MESSAGE_TYPE: {
        if (!this.doc || this.spec.acknowledgement !== "saved") return;
        const committed = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
        this.acknowledge(committed.get(this.clientId) ?? 0, receivedAt);
        return;
      }
      case HOCUSPOCUS_SYNC_STATUS: {
        const applied = decoding.readVarUint(decoder) === 1;
        const clock = this.awaitingStatus.shift();
        if (applied && clock !== undefined && this.spec.acknowledgement === "sync-status") this.acknowledge(clock, receivedAt);
        return;
      }
      case HOCUSPOCUS_CLOSE:
        this.ws?.close();
        return;
      default:
        // Awareness, authentication answers: nothing to measure.
        return;
    }
  }

  private receiveSync(decoder: decoding.Decoder, receivedAt: bigint): void {
    const syncType = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (syncType === SYNC_STEP_1) {
      // The server asks for what it is missing: our unacknowledged typing, after a reconnect.
      const update = this.doc ? Y.encodeStateAsUpdate(this.doc, payload) : emptyUpdate;
      this.send((encoder) => {
        encoding.writeVarUint(encoder, MESSAGE_SYNC);
        encoding.writeVarUint(encoder, SYNC_STEP_2);
        encoding.writeVarUint8Array(encoder, update);
      });
      if (this.spec.protocol === "hocuspocus") this.awaitingStatus.push(this.ownClock);
      return;
    }
    if (syncType === SYNC_STEP_2) {
      if (this.doc) Y.applyUpdate(this.doc, payload, this);
      if (!this.synced) {
        this.synced = true;
        for (const waiter of this.syncedWaiters.splice(0)) waiter();
      }
      return;
    }
    if (syncType === SYNC_UPDATE) {
      if (this.doc && this.spec.acknowledgement === "echo") {
        // @y/websocket-server echoes an editor's own updates: that is its only acknowledgement.
        // (Ours may echo too, when it merges a relay, but only "saved" says it is stored.)
        const own = ownClockIn(payload, this.clientId);
        if (own !== undefined) this.acknowledge(own, receivedAt);
      }
      this.events.onRelayedUpdate?.(this, payload, receivedAt);
    }
  }

  private acknowledge(clock: number, receivedAt: bigint): void {
    if (clock <= this.acknowledgedClock) return;
    const previous = this.acknowledgedClock;
    this.acknowledgedClock = clock;
    this.events.onAcknowledged?.(this, previous, clock, receivedAt);
  }
}

// ---- reading keystroke ids out of an update -------------------------------------------------------

/**
 * Calls `visit(client, clock)` for every clock an update (Yjs v1 encoding) carries. Fast for the
 * usual relay (one client, one item of text); anything else goes through Y.parseUpdateMeta.
 */
export function forEachClock(update: Uint8Array, visit: (client: number, clock: number) => void): void {
  const single = singleTextItem(update);
  if (single) {
    for (let i = 0; i < single.length; i++) visit(single.client, single.clock + i);
    return;
  }
  const { from, to } = Y.parseUpdateMeta(update);
  for (const [client, end] of to) {
    for (let clock = from.get(client) ?? end; clock < end; clock++) visit(client, clock);
  }
}

/** The end clock of `clientId`'s structs in an update, or undefined when it has none. */
function ownClockIn(update: Uint8Array, clientId: number): number | undefined {
  const single = singleTextItem(update);
  if (single) return single.client === clientId ? single.clock + single.length : undefined;
  return Y.parseUpdateMeta(update).to.get(clientId);
}

/** Decodes an update holding exactly one client's one text item (a keystroke); null otherwise. */
function singleTextItem(update: Uint8Array): { client: number; clock: number; length: number } | null {
  try {
    const decoder = decoding.createDecoder(update);
    if (decoding.readVarUint(decoder) !== 1) return null;
    if (decoding.readVarUint(decoder) !== 1) return null;
    const client = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const info = decoding.readUint8(decoder);
    const hasOrigin = (info & 0b1000_0000) !== 0;
    const hasRightOrigin = (info & 0b0100_0000) !== 0;
    const hasParentSub = (info & 0b0010_0000) !== 0;
    if ((info & 0b1_1111) !== 4) return null; // not ContentString
    if (hasOrigin) {
      decoding.readVarUint(decoder);
      decoding.readVarUint(decoder);
    }
    if (hasRightOrigin) {
      decoding.readVarUint(decoder);
      decoding.readVarUint(decoder);
    }
    if (!hasOrigin && !hasRightOrigin) {
      if (decoding.readVarUint(decoder) === 1) decoding.readVarString(decoder);
      else {
        decoding.readVarUint(decoder);
        decoding.readVarUint(decoder);
      }
      if (hasParentSub) decoding.readVarString(decoder);
    }
    const length = decoding.readVarString(decoder).length;
    return { client, clock, length };
  } catch {
    return null;
  }
}
