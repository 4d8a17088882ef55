/**
 * A micro-benchmark (not a test) of one thing: the server CPU of relaying small messages to 50
 * websockets, 12,000 messages a second, three ways: `ws.send` with a callback per send (how the
 * endpoint sent before), `ws.send` of a Buffer without one, and a `Broadcast` frame built once and
 * written by `CollabConnection.send` (docs/decisions/008-broadcast-frames-written-once.md). The
 * receiving sockets live in a child process, so only the sending side is measured.
 *
 *   npx tsx test/bench/broadcast-send.ts
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { CollabConnection, prepareBroadcast } from "../../server/collab/collab-connection.js";
import { createLogger } from "../../server/logger.js";

const sockets = 50;
const messagesPerSecond = 12_000;
const seconds = 4;

if (process.argv[2] === "receive") {
  const port = Number(process.argv[3]);
  for (let i = 0; i < sockets; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    ws.on("message", () => undefined);
    await once(ws, "open");
  }
} else {
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  await once(server, "listening");
  const accepted: WebSocket[] = [];
  server.on("connection", (ws) => accepted.push(ws));
  const receiver = spawn(process.execPath, ["--import", "tsx", import.meta.filename, "receive", String((server.address() as AddressInfo).port)], {
    stdio: "inherit",
  });
  while (accepted.length < sockets) await new Promise((resolve) => setTimeout(resolve, 20));
  const logger = createLogger({ nodeEnv: "production", logLevel: "silent" });
  const user = { id: "bench", email: "bench@example.org", displayName: "Bench", isPlatformAdmin: false };
  const connections = accepted.map((ws) => new CollabConnection(ws, "document", user, undefined, false, true, logger));
  const payload = new Uint8Array(30).fill(7);
  const ways: Record<string, () => void> = {
    "ws.send(uint8Array, { binary: true }, callback)": () => {
      for (const ws of accepted) ws.send(payload, { binary: true }, () => undefined);
    },
    "ws.send(buffer, { binary: true })": () => {
      const buffer = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      for (const ws of accepted) ws.send(buffer, { binary: true });
    },
    "CollabConnection.send(prepareBroadcast(payload))": () => {
      const message = prepareBroadcast(payload);
      for (const connection of connections) connection.send(message);
    },
  };
  for (const [way, relay] of Object.entries(ways)) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    // One relay (to every socket) every 4 ms, or a few when the rate asks for more.
    const perTick = Math.max(1, Math.round(messagesPerSecond / sockets / 250));
    const timer = setInterval(() => {
      for (let i = 0; i < perTick; i++) relay();
    }, 4);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    clearInterval(timer);
    const used = process.cpuUsage(cpu);
    const elapsed = (performance.now() - started) / 1000;
    console.log(`${way.padEnd(52)} ${(((used.user + used.system) / 1e6 / elapsed) * 100).toFixed(1)}% CPU`);
  }
  receiver.kill();
  server.close();
  process.exit(0);
}
