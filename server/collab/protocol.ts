/**
 * The y-websocket wire protocol as this endpoint speaks it: decoding a client's message completely
 * (and validating it) before anything acts on it, and encoding what the server sends.
 * Message types: 0 sync (step 1, step 2, update), 1 awareness, 3 query awareness, and our own
 * 100 "saved" (server → client only). Anything else from a client is malformed.
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { SAVED_MESSAGE_TYPE } from "../../app/documents/content.js";

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_QUERY_AWARENESS = 3;
export const MESSAGE_SAVED = SAVED_MESSAGE_TYPE;

/** Websocket close codes this endpoint uses (RFC 6455 and the private 4000–4999 range). */
export const CloseCode = {
  /** A text frame: the protocol is binary only. */
  unsupportedData: 1003,
  /** A message that does not decode. */
  malformed: 1007,
  /** Access ended (membership, session, document gone); the client may try again and be refused. */
  policyViolation: 1008,
  /** A frame larger than the limit (sent by `ws` itself). */
  tooBig: 1009,
  internalError: 1011,
  /** Shutdown: the provider reconnects by itself. */
  serverRestarting: 1012,
  /** Too much queued for this connection; reconnecting later may work. */
  tryAgainLater: 1013,
  /** The document would grow beyond the size limit. 44xx tells the provider not to reconnect. */
  documentTooLarge: 4413,
} as const;

export class MalformedMessageError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "MalformedMessageError";
  }
}

export type ClientMessage =
  | { kind: "sync-step-1"; stateVector: Uint8Array }
  | {
      kind: "sync-step-2" | "sync-update";
      update: Uint8Array;
      /** The Yjs client ids whose content the update carries (deletions alone carry none). */
      clients: number[];
      /** For each of those clients, the lowest clock of its content here. */
      minClocks: Map<number, number>;
      /** Whether it deletes anything (a delete set that is not empty). */
      deletes: boolean;
      /** The whole message as received: for an update, exactly what relaying it sends. */
      received: Uint8Array;
    }
  | { kind: "awareness"; update: Uint8Array }
  | { kind: "query-awareness" };

/**
 * Decodes one client message and checks that its payload decodes too (a state vector, a Yjs
 * update, an awareness update with JSON states), so nothing half-applies a bad message.
 * Throws MalformedMessageError for a truncated varint, an unknown type, trailing bytes or garbage.
 */
export function decodeClientMessage(bytes: Uint8Array): ClientMessage {
  try {
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    let message: ClientMessage;
    switch (type) {
      case MESSAGE_SYNC: {
        const syncType = decoding.readVarUint(decoder);
        const payload = decoding.readVarUint8Array(decoder);
        if (syncType === syncProtocol.messageYjsSyncStep1) {
          Y.decodeStateVector(payload);
          message = { kind: "sync-step-1", stateVector: payload };
        } else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
          const { structs, ds } = Y.decodeUpdate(payload);
          // Yjs never writes an empty struct or an empty deletion (its own encoder refuses one), and
          // applying one can throw halfway through an update: such an update is malformed.
          if (structs.some((struct) => struct.length <= 0)) throw new MalformedMessageError("an empty struct in the update");
          for (const ranges of ds.clients.values()) {
            if (ranges.some((range) => range.len <= 0)) throw new MalformedMessageError("an empty deletion in the update");
          }
          const minClocks = lowestClocks(structs);
          const kind = syncType === syncProtocol.messageYjsSyncStep2 ? "sync-step-2" : "sync-update";
          message = { kind, update: payload, clients: [...minClocks.keys()], minClocks, deletes: ds.clients.size > 0, received: bytes };
        } else {
          throw new MalformedMessageError(`unknown sync message type ${syncType}`);
        }
        break;
      }
      case MESSAGE_AWARENESS: {
        const update = decoding.readVarUint8Array(decoder);
        validateAwarenessUpdate(update);
        message = { kind: "awareness", update };
        break;
      }
      case MESSAGE_QUERY_AWARENESS:
        message = { kind: "query-awareness" };
        break;
      default:
        throw new MalformedMessageError(`unknown message type ${type}`);
    }
    if (decoding.hasContent(decoder)) throw new MalformedMessageError("trailing bytes after the message");
    return message;
  } catch (error) {
    if (error instanceof MalformedMessageError) throw error;
    throw new MalformedMessageError(error instanceof Error ? error.message : "undecodable message");
  }
}

/** For each client whose content `structs` hold, the lowest clock of it. */
export function lowestClocks(structs: readonly { id: { client: number; clock: number } }[]): Map<number, number> {
  const lowest = new Map<number, number>();
  for (const struct of structs) {
    const known = lowest.get(struct.id.client);
    if (known === undefined || struct.id.clock < known) lowest.set(struct.id.client, struct.id.clock);
  }
  return lowest;
}

/** The lowest clock of each client whose content a Yjs update holds. */
export function updateLowestClocks(update: Uint8Array): Map<number, number> {
  return lowestClocks(Y.decodeUpdate(update).structs);
}

/** An awareness update: a count, then per client its id, clock and state as JSON (or "null"). */
function validateAwarenessUpdate(update: Uint8Array): void {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  for (let i = 0; i < count; i++) {
    decoding.readVarUint(decoder);
    decoding.readVarUint(decoder);
    JSON.parse(decoding.readVarString(decoder));
  }
  if (decoding.hasContent(decoder)) throw new MalformedMessageError("trailing bytes in the awareness update");
}

/** The client ids an (already validated) awareness update speaks for. */
export function awarenessClientIds(update: Uint8Array): number[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(decoding.readVarUint(decoder));
    decoding.readVarUint(decoder);
    decoding.readVarString(decoder);
  }
  return ids;
}

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(encoder, doc);
  return encoding.toUint8Array(encoder);
}

export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep2(encoder, doc, stateVector);
  return encoding.toUint8Array(encoder);
}

export function encodeUpdate(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** An awareness message for `clients` (all known states when omitted), or null when there are none. */
export function encodeAwareness(awareness: awarenessProtocol.Awareness, clients?: number[]): Uint8Array | null {
  const ids = clients ?? Array.from(awareness.getStates().keys());
  if (ids.length === 0) return null;
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, ids));
  return encoding.toUint8Array(encoder);
}

/**
 * Our "saved" message: a state vector of what is committed to the database (all of it after the
 * initial sync; after a commit, the clocks of the receiving connection's own clients).
 */
export function encodeSaved(committedStateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SAVED);
  encoding.writeVarUint8Array(encoder, committedStateVector);
  return encoding.toUint8Array(encoder);
}
