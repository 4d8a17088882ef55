/**
 * Raw HTTP over `net` sockets, so malformed bytes reach the server exactly as written: no client
 * library fixes a header, encodes a path or counts a body for us.
 */
import net from "node:net";

export interface RawAnswer {
  /** The status of the first final response (1xx other than 101 skipped), or undefined with none. */
  status: number | undefined;
  statusLine: string;
  /** The response head (status line and headers). */
  head: string;
  /** What ended the exchange: a response head, the server closing or resetting, or our deadline. */
  outcome: "answered" | "closed" | "reset" | "timed out";
  /** Bytes of the request written before the answer came (or everything). */
  bytesSent: number;
  elapsedMs: number;
}

/** "403", or "no answer (closed)" / "no answer (timed out)". */
export function describeAnswer(answer: RawAnswer): string {
  return answer.status !== undefined ? String(answer.status) : `no answer (${answer.outcome})`;
}

export interface RawOptions {
  /** End our side after writing (a request body that lies about its length is then cut short). */
  halfClose?: boolean;
  /** How long to wait for an answer (default 10 s): a bound, not a pause. */
  timeoutMs?: number;
}

/** Writes `request` on a new connection and resolves with the first response head. */
export function sendRaw(port: number, request: string | Buffer, options: RawOptions = {}): Promise<RawAnswer> {
  const bytes = typeof request === "string" ? Buffer.from(request, "utf8") : request;
  const started = Date.now();
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const socket = net.connect(port, "127.0.0.1");
    const finish = (outcome: RawAnswer["outcome"], head = "") => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      const statusLine = head.split("\r\n")[0] ?? "";
      const status = /^HTTP\/\d\.\d (\d{3})/.exec(statusLine)?.[1];
      socket.destroy();
      resolve({
        status: status ? Number(status) : undefined,
        statusLine,
        head,
        outcome,
        bytesSent: socket.bytesWritten,
        elapsedMs: Date.now() - started,
      });
    };
    const deadline = setTimeout(() => finish("timed out"), options.timeoutMs ?? 10_000);
    socket.on("connect", () => {
      socket.write(bytes);
      if (options.halfClose) socket.end();
    });
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      for (;;) {
        const end = received.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = received.subarray(0, end).toString("latin1");
        // Interim answers (100 Continue, 103 Early Hints) are not the answer.
        if (/^HTTP\/\d\.\d 1(0[02-9]|[1-9]\d)/.test(head)) {
          received = received.subarray(end + 4);
          continue;
        }
        finish("answered", head);
        return;
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => finish(error.code === "ECONNRESET" || error.code === "EPIPE" ? "reset" : "closed"));
    socket.on("close", () => finish("closed"));
  });
}

/**
 * Sends a request head announcing `totalBytes` of body and then streams the body in chunks until
 * either it has all been sent or an answer has come. A server that refuses a too-large body by
 * its Content-Length answers long before the upload ends: `bytesSent` says how much went.
 * `end` is written after the last chunk (a chunked body's "0\r\n\r\n").
 */
export function sendLargeBody(port: number, head: string, totalBytes: number, chunk: Buffer, options: { end?: Buffer; timeoutMs?: number } = {}): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    let sent = 0;
    const socket = net.connect(port, "127.0.0.1");
    const finish = (outcome: RawAnswer["outcome"], headText = "") => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      const statusLine = headText.split("\r\n")[0] ?? "";
      const status = /^HTTP\/\d\.\d (\d{3})/.exec(statusLine)?.[1];
      socket.destroy();
      resolve({ status: status ? Number(status) : undefined, statusLine, head: headText, outcome, bytesSent: sent, elapsedMs: Date.now() - started });
    };
    const deadline = setTimeout(() => finish("timed out"), options.timeoutMs ?? 60_000);
    const pump = () => {
      while (!settled && sent < totalBytes) {
        const piece = totalBytes - sent >= chunk.length ? chunk : chunk.subarray(0, totalBytes - sent);
        sent += piece.length;
        if (!socket.write(piece)) {
          socket.once("drain", pump);
          return;
        }
      }
      // All of it sent: the end of the body (a chunked body's last chunk), then wait for the answer.
      if (!settled && options.end) socket.write(options.end);
    };
    socket.on("connect", () => {
      socket.write(head);
      pump();
    });
    socket.on("data", (data: Buffer) => {
      received = Buffer.concat([received, data]);
      const end = received.indexOf("\r\n\r\n");
      if (end >= 0) finish("answered", received.subarray(0, end).toString("latin1"));
    });
    socket.on("error", (error: NodeJS.ErrnoException) => finish(error.code === "ECONNRESET" || error.code === "EPIPE" ? "reset" : "closed"));
    socket.on("close", () => finish("closed"));
  });
}

/** A websocket upgrade request for `path` with the given extra headers (names as written). */
export function upgradeHead(port: number, path: string, headers: Record<string, string> = {}, options: { host?: string | null } = {}): string {
  const host = options.host === undefined ? `127.0.0.1:${port}` : options.host;
  const lines = [
    `GET ${path} HTTP/1.1`,
    ...(host === null ? [] : [`Host: ${host}`]),
    "Connection: Upgrade",
    "Upgrade: websocket",
    "Sec-WebSocket-Version: 13",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/** A plain request: method, target, headers (Host and Connection: close added unless given), body. */
export function requestHead(
  port: number,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body: string | Buffer = "",
  options: { version?: string; host?: string | null; contentLength?: number | null } = {},
): Buffer {
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  const host = options.host === undefined ? `127.0.0.1:${port}` : options.host;
  const bodyBytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const length = options.contentLength === undefined ? (bodyBytes.length > 0 || method === "POST" ? bodyBytes.length : null) : options.contentLength;
  const lines = [
    `${method} ${target} ${options.version ?? "HTTP/1.1"}`,
    ...(host === null || names.includes("host") ? [] : [`Host: ${host}`]),
    ...(names.includes("connection") ? [] : ["Connection: close"]),
    ...(length === null || names.includes("content-length") || names.includes("transfer-encoding") ? [] : [`Content-Length: ${length}`]),
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "utf8"), bodyBytes]);
}
