// @vitest-environment happy-dom
/**
 * The editor's status line tells the person's own network being offline apart from the server
 * being out of reach, and says in both cases that their changes are kept and will be sent.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { type SaveStatus, saveStatusText, trackSaveStatus } from "../../../../app/components/editor/save-status.js";

/** Just what trackSaveStatus reads of a y-websocket provider: its status events. */
function fakeProvider() {
  const listeners = new Set<(event: { status: "connected" | "disconnected" | "connecting" }) => void>();
  const provider = {
    wsconnected: false,
    messageHandlers: [] as unknown[],
    on: (_name: string, listener: (event: { status: "connected" | "disconnected" | "connecting" }) => void) => listeners.add(listener),
    off: (_name: string, listener: (event: { status: "connected" | "disconnected" | "connecting" }) => void) => listeners.delete(listener),
  };
  const emit = (status: "connected" | "disconnected" | "connecting") => {
    for (const listener of listeners) listener({ status });
  };
  return { provider: provider as unknown as WebsocketProvider, emit };
}

function setOnline(online: boolean) {
  Object.defineProperty(window.navigator, "onLine", { configurable: true, get: () => online });
  window.dispatchEvent(new Event(online ? "online" : "offline"));
}

describe("the editor's save status", () => {
  afterEach(() => setOnline(true));

  it("says the server cannot be reached, and that changes will be sent, when the network is up", () => {
    const { provider, emit } = fakeProvider();
    const seen: SaveStatus[] = [];
    const stop = trackSaveStatus(provider, new Y.Doc(), (status) => seen.push(status));
    emit("connected");
    emit("disconnected");
    expect(seen.at(-1)).toBe("unreachable");
    expect(saveStatusText[seen.at(-1)!]).toBe("Can't reach the server — your changes are kept on this device and will be sent when it is back");
    stop();
  });

  it("says the person is offline when their own network is down", () => {
    const { provider, emit } = fakeProvider();
    const seen: SaveStatus[] = [];
    const stop = trackSaveStatus(provider, new Y.Doc(), (status) => seen.push(status));
    emit("connected");
    setOnline(false);
    expect(seen.at(-1)).toBe("offline");
    expect(saveStatusText.offline).toBe("You are offline — your changes are kept on this device and will be sent when you are back online");
    stop();
  });
});
