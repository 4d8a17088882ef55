/**
 * What the person should be told about their own changes: saved on the server, still being saved,
 * or kept on this device while the person's own network is down ("offline", navigator.onLine) or
 * while their network is up but the server cannot be reached ("unreachable"). "Saved" means the server's COMMITTED state covers every
 * change this browser made, as reported by our own "saved" message (type 100:
 * `[varUint 100][varUint8Array state vector]`, see docs/ARCHITECTURE.md, "How a Yjs message flows").
 */
import * as decoding from "lib0/decoding";
import type { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { SAVED_MESSAGE_TYPE } from "../../documents/content.js";

export type SaveStatus = "connecting" | "saving" | "saved" | "offline" | "unreachable";

export const saveStatusText: Record<SaveStatus, string> = {
  connecting: "Connecting…",
  saving: "Saving…",
  saved: "All changes saved",
  offline: "You are offline — your changes are kept on this device and will be sent when you are back online",
  unreachable: "Can't reach the server — your changes are kept on this device and will be sent when it is back",
};

/**
 * Follows the provider's connection, the browser's network state and the server's "saved"
 * acknowledgements. Call before `provider.connect()` so no acknowledgement is missed.
 */
export function trackSaveStatus(
  provider: WebsocketProvider,
  ydoc: Y.Doc,
  onChange: (status: SaveStatus) => void,
): () => void {
  /** The server's committed clock for this browser's client id. */
  let committedClock = 0;
  let connection: "connecting" | "connected" | "disconnected" = provider.wsconnected ? "connected" : "connecting";
  let everConnected = provider.wsconnected;
  let last: SaveStatus | null = null;

  const compute = (): SaveStatus => {
    if (!navigator.onLine) return "offline";
    if (connection !== "connected") return everConnected || connection === "disconnected" ? "unreachable" : "connecting";
    // No changes made here (clock 0) counts as saved.
    return Y.getState(ydoc.store, ydoc.clientID) > committedClock ? "saving" : "saved";
  };
  const update = () => {
    const status = compute();
    if (status !== last) {
      last = status;
      onChange(status);
    }
  };

  provider.messageHandlers[SAVED_MESSAGE_TYPE] = (_encoder, decoder) => {
    const stateVector = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
    committedClock = Math.max(committedClock, stateVector.get(ydoc.clientID) ?? 0);
    update();
  };
  const onStatus = ({ status }: { status: "connected" | "disconnected" | "connecting" }) => {
    connection = status;
    if (status === "connected") everConnected = true;
    update();
  };
  provider.on("status", onStatus);
  ydoc.on("update", update);
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();

  return () => {
    provider.off("status", onStatus);
    ydoc.off("update", update);
    window.removeEventListener("online", update);
    window.removeEventListener("offline", update);
  };
}
