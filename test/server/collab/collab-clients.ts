/**
 * Real Yjs clients for collaboration tests: the stock `y-websocket` provider over `ws` with a
 * session cookie (the provider takes no headers, so a small WebSocket subclass adds it), plus raw
 * sockets for the malformed input a provider would never send.
 */
import net from "node:net";
import * as decoding from "lib0/decoding";
import { WebSocket } from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { COLLAB_FIELD, SAVED_MESSAGE_TYPE, renderText } from "../../../app/documents/content.js";
import type { Kysely } from "kysely";
import type { Database } from "../../../db/database.js";
import { applyStoredState, readStoredState } from "../../../server/collab/document-store.js";

/** The websocket origin of a server URL, on the IPv4 loopback the test server listens on. */
export function wsOrigin(url: string): string {
  return url.replace(/^http/, "ws").replace("//localhost:", "//127.0.0.1:");
}

/** A `ws` WebSocket class that sends `cookie` with its upgrade request. */
export function webSocketWithCookie(cookie: string | undefined, extraHeaders: Record<string, string> = {}) {
  return class CookieWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers: { ...(cookie ? { cookie } : {}), ...extraHeaders } });
    }
  };
}

export interface CollabClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Every committed state vector the server reported ("saved", message 100), in order. */
  saved: Map<number, number>[];
  /** Close codes (and reasons) this client's connections ended with. */
  closeCodes: number[];
  closeReasons: string[];
  /** The highest committed clock the server reported for this client's own edits. */
  savedClock(): number;
  /** This client's own clock: everything it has typed. */
  ownClock(): number;
  text(): string;
  destroy(): void;
}

/** Connects a real WebsocketProvider to /collab/<documentId> as the person whose cookie is given. */
export function connectClient(
  serverUrl: string,
  documentId: string,
  cookie: string | undefined,
  options: { connect?: boolean; doc?: Y.Doc; saved?: boolean } = {},
): CollabClient {
  const doc = options.doc ?? new Y.Doc();
  const saved: Map<number, number>[] = [];
  const closeCodes: number[] = [];
  const closeReasons: string[] = [];
  const provider = new WebsocketProvider(`${wsOrigin(serverUrl)}/collab`, documentId, doc, {
    connect: false,
    // Clients in one process would otherwise sync through BroadcastChannel, around the server.
    disableBc: true,
    WebSocketPolyfill: webSocketWithCookie(cookie) as unknown as typeof globalThis.WebSocket,
    maxBackoffTime: 300,
    // Our editor asks for the "saved" messages; a stock client that does not ask never gets them.
    ...(options.saved === false ? {} : { params: { saved: "1" } }),
  });
  provider.messageHandlers[SAVED_MESSAGE_TYPE] = (_encoder, decoder) => {
    saved.push(Y.decodeStateVector(decoding.readVarUint8Array(decoder)));
  };
  provider.on("connection-close", (event) => {
    if (event) {
      closeCodes.push(event.code);
      closeReasons.push(event.reason);
    }
  });
  if (options.connect !== false) provider.connect();
  return {
    doc,
    provider,
    saved,
    closeCodes,
    closeReasons,
    savedClock: () => Math.max(0, ...saved.map((vector) => vector.get(doc.clientID) ?? 0)),
    ownClock: () => Y.getState(doc.store, doc.clientID),
    text: () => renderText(doc),
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** Appends a paragraph holding `text` at the end of the document (one Yjs transaction). */
export function appendParagraph(doc: Y.Doc, text: string): void {
  doc.transact(() => {
    const paragraph = new Y.XmlElement("paragraph");
    paragraph.insert(0, [new Y.XmlText(text)]);
    const fragment = doc.getXmlFragment(COLLAB_FIELD);
    fragment.insert(fragment.length, [paragraph]);
  });
}

/**
 * Types `text` one character per transaction into the last paragraph's text at `offset` (or its
 * end), like a person typing: each character is its own update.
 */
export function typeCharacters(doc: Y.Doc, text: string, offset?: number): void {
  const fragment = doc.getXmlFragment(COLLAB_FIELD);
  if (fragment.length === 0) appendParagraph(doc, "");
  const paragraph = fragment.get(fragment.length - 1) as Y.XmlElement;
  let target = paragraph.get(0);
  if (!(target instanceof Y.XmlText)) {
    doc.transact(() => paragraph.insert(0, [new Y.XmlText("")]));
    target = paragraph.get(0);
  }
  const xmlText = target as Y.XmlText;
  let at = Math.min(offset ?? xmlText.length, xmlText.length);
  for (const character of text) {
    doc.transact(() => xmlText.insert(at, character));
    at += character.length;
  }
}

/** The stored state (snapshot + log) applied to a fresh Y.Doc, read straight from the database. */
export async function storedDoc(db: Kysely<Database>, documentId: string): Promise<Y.Doc> {
  return applyStoredState(await readStoredState(db, documentId));
}

export async function storedText(db: Kysely<Database>, documentId: string): Promise<string> {
  const doc = await storedDoc(db, documentId);
  try {
    return renderText(doc);
  } finally {
    doc.destroy();
  }
}

export async function documentIdOfKind(db: Kysely<Database>, kind: "terms_of_reference" | "agenda"): Promise<string> {
  const row = await db.selectFrom("documents").select("id").where("kind", "=", kind).executeTakeFirstOrThrow();
  return row.id;
}

/** Sends a raw upgrade request and returns the status line the server answers with. */
export function rawUpgradeStatus(url: string, path: string, headers: Record<string, string> = {}): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1", () => {
      socket.write(upgradeRequest(port, path, headers));
    });
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      // An accepted upgrade stays open: the status line is all we need.
      if (received.startsWith("HTTP/1.1 101")) socket.destroy();
    });
    socket.on("close", () => resolve(received.split("\r\n")[0] ?? ""));
    socket.on("error", reject);
  });
}

export function upgradeRequest(port: string, path: string, headers: Record<string, string> = {}): string {
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`
  );
}

/** A masked client frame (binary by default), as RFC 6455 requires clients to send. */
export function clientFrame(payload: Uint8Array, opcode = 0x2): Buffer {
  const length = payload.byteLength;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, 0x80 | length])
      : length < 65536
        ? Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 0xff])
        : (() => {
            const big = Buffer.alloc(10);
            big[0] = 0x80 | opcode;
            big[1] = 0x80 | 127;
            big.writeBigUInt64BE(BigInt(length), 2);
            return big;
          })();
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, masked]);
}

/** Server frames (unmasked) in a raw socket's bytes after the HTTP response; a partial frame is left out. */
export function serverFrames(bytes: Buffer): { opcode: number; payload: Buffer }[] {
  const frames: { opcode: number; payload: Buffer }[] = [];
  const headerEnd = bytes.indexOf("\r\n\r\n");
  if (headerEnd < 0) return frames;
  let at = headerEnd + 4;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f;
    let length = bytes[at + 1]! & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      if (offset + 2 > bytes.length) break;
      length = bytes.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      if (offset + 8 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(offset));
      offset += 8;
    }
    if (offset + length > bytes.length) break;
    frames.push({ opcode, payload: bytes.subarray(offset, offset + length) });
    at = offset + length;
  }
  return frames;
}

/** The close code in a raw socket's bytes, or undefined when no close frame has arrived yet. */
export function closeCodeIn(bytes: Buffer): number | undefined {
  const close = serverFrames(bytes).find((frame) => frame.opcode === 0x8);
  if (!close) return undefined;
  return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 1005;
}

/**
 * Opens a raw TCP connection, writes the upgrade request and `frames` in ONE write (so the frames
 * arrive before the upgrade has been answered), and collects everything the server sends.
 */
export function rawSocketWithFrames(url: string, path: string, headers: Record<string, string>, frames: Buffer[]) {
  const { port } = new URL(url);
  const chunks: Buffer[] = [];
  let closed = false;
  const socket = net.connect(Number(port), "127.0.0.1", () => {
    socket.write(Buffer.concat([Buffer.from(upgradeRequest(port, path, headers), "latin1"), ...frames]));
  });
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  socket.on("error", () => undefined);
  socket.on("close", () => {
    closed = true;
  });
  return {
    received: () => Buffer.concat(chunks),
    statusLine: () => Buffer.concat(chunks).toString("latin1").split("\r\n")[0] ?? "",
    closed: () => closed,
    /** Sends more (client frames) on the upgraded connection. */
    write: (bytes: Buffer) => socket.write(bytes),
    destroy: () => socket.destroy(),
  };
}
