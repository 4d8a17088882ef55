/**
 * One websocket connection over a raw `net` socket, for frames no WebSocket client would send:
 * the upgrade request, then client frames written with it (before the server has answered) or
 * after the 101, and whatever the server answers up to its close frame.
 */
import net from "node:net";
import { closeCodeIn, serverFrames } from "../server/collab/collab-clients.js";

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

export interface WebsocketOutcome {
  /** The upgrade's status (101 accepted), or undefined when nothing came. */
  status: number | undefined;
  /** The code in the server's close frame (1005 for one without a code). */
  closeCode: number | undefined;
  frames: ServerFrame[];
  outcome: "refused" | "close frame" | "closed" | "seen" | "dropped" | "timed out";
}

export interface ExchangeOptions {
  /** Frames written with the upgrade request, in the same write. */
  withUpgrade?: Buffer[];
  /** Frames written once the 101 has arrived. */
  afterUpgrade?: Buffer[];
  /** Stop once the server's frames satisfy this (say, the answer to a probe). */
  until?: (frames: ServerFrame[]) => boolean;
  /** Write only this many bytes of the request and go away (a client dropping mid-upgrade). */
  dropAfterBytes?: number;
  /** A bound on the whole exchange (default 15 s). */
  timeoutMs?: number;
}

export function websocketExchange(port: number, head: string, options: ExchangeOptions = {}): Promise<WebsocketOutcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    let upgraded = false;
    const socket = net.connect(port, "127.0.0.1");
    const received = () => Buffer.concat(chunks);
    const finish = (outcome: WebsocketOutcome["outcome"]) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      const bytes = received();
      const status = /^HTTP\/\d\.\d (\d{3})/.exec(bytes.subarray(0, 64).toString("latin1"))?.[1];
      resolve({
        status: status ? Number(status) : undefined,
        closeCode: upgraded ? closeCodeIn(bytes) : undefined,
        frames: upgraded ? serverFrames(bytes) : [],
        outcome,
      });
    };
    const deadline = setTimeout(() => finish("timed out"), options.timeoutMs ?? 15_000);
    socket.on("connect", () => {
      const request = Buffer.from(head, "utf8");
      if (options.dropAfterBytes !== undefined) {
        socket.write(request.subarray(0, options.dropAfterBytes), () => finish("dropped"));
        return;
      }
      socket.write(Buffer.concat([request, ...(options.withUpgrade ?? [])]));
    });
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      const bytes = received();
      const headEnd = bytes.indexOf("\r\n\r\n");
      if (headEnd < 0) return;
      if (!upgraded) {
        if (!bytes.subarray(0, 13).toString("latin1").startsWith("HTTP/1.1 101")) {
          finish("refused");
          return;
        }
        upgraded = true;
        if (options.afterUpgrade?.length) socket.write(Buffer.concat(options.afterUpgrade));
      }
      if (closeCodeIn(bytes) !== undefined) finish("close frame");
      else if (options.until?.(serverFrames(bytes))) finish("seen");
    });
    socket.on("error", () => finish("closed"));
    socket.on("close", () => finish("closed"));
  });
}
