/**
 * A collaboration connection's send: a broadcast's frame, built once and written straight to the
 * socket, must reach a real `ws` client exactly as `ws` itself would deliver it, at every length
 * encoding (7-bit, 16-bit and 64-bit), in order with messages `ws` frames itself.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { CollabConnection, prepareBroadcast } from "../../../server/collab/collab-connection.js";
import { createLogger } from "../../../server/logger.js";

let server: WebSocketServer;
let connection: CollabConnection;
let client: WebSocket;
const received: Buffer[] = [];

beforeAll(async () => {
  server = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  await once(server, "listening");
  const accepted = once(server, "connection") as Promise<[WebSocket]>;
  client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  client.on("message", (data: Buffer) => received.push(data));
  const [ws] = await accepted;
  await once(client, "open");
  const user = { id: "user", email: "user@example.org", displayName: "User", isPlatformAdmin: false };
  connection = new CollabConnection(ws, "document", user, undefined, false, true, createLogger({ nodeEnv: "test", logLevel: "silent" }));
});

afterAll(async () => {
  client.terminate();
  server.close();
});

function bytes(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) % 251);
}

describe("a collaboration connection", () => {
  it("delivers broadcast frames of every length intact and in order with directly sent messages", async () => {
    const sent: Uint8Array[] = [];
    [0, 1, 125, 126, 127, 65_535, 65_536, 70_000].forEach((length, i) => {
      const broadcast = bytes(length, i);
      const direct = bytes(i + 3, 100 + i);
      connection.send(prepareBroadcast(broadcast));
      connection.send(direct);
      sent.push(broadcast, direct);
    });
    await vi.waitFor(() => expect(received).toHaveLength(sent.length));
    received.forEach((message, i) => expect(new Uint8Array(message)).toEqual(sent[i]));
  });

  it("sends nothing once it is closed", async () => {
    const before = received.length;
    connection.close(1000, "done");
    connection.send(prepareBroadcast(bytes(10, 1)));
    await once(client, "close");
    expect(received).toHaveLength(before);
  });

  it("finds the private fields of ws it writes frames through (ADR 008): a ws upgrade that renames them fails here", async () => {
    // ws is pinned exactly in package.json because of this; when it is upgraded, this says whether
    // the fast path still applies or every broadcast would silently fall back to ws.send.
    const internals = connection.ws as unknown as {
      _socket?: unknown;
      _sender?: { _queue?: unknown; _state?: unknown };
      _extensions?: unknown;
    };
    expect(internals._socket, "ws's _socket").toBeDefined();
    expect(internals._sender, "ws's _sender").toBeDefined();
    expect(Array.isArray(internals._sender?._queue), "ws's _sender._queue").toBe(true);
    expect(typeof internals._sender?._state, "ws's _sender._state").toBe("number");
    expect(typeof internals._extensions, "ws's _extensions").toBe("object");
    expect(connection.fastPathAvailable()).toBe(true);
  });
});
