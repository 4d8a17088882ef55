/**
 * The backup door of the embedded database (docs/decisions/017): a Unix socket in
 * `DATA_DIR/control/`, a folder only the server's own user may enter, on which `npm run backup`
 * asks the running server for a consistent copy of its PGlite data directory. The server owns that
 * directory while it runs, so nothing else may read its files.
 *
 * One request a connection: a line of JSON, `{"command":"backup"}`. The answer is a line of JSON,
 * `{"ok":true,"bytes":N,"sha256":"…"}` followed by exactly N bytes (a gzipped tarball), or
 * `{"ok":false,"code":"…","error":"…"}`. Anything else (not JSON, too long, another command,
 * silence) is answered with an error or closed; it never reaches the process.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Logger } from "./logger.js";

/** A request line longer than this is refused: the only request there is fits in a few bytes. */
const MAX_REQUEST_BYTES = 1_024;
/** A connection that sends no complete line in this time is closed. */
const REQUEST_TIMEOUT_MS = 10_000;
/** The longest path a Unix socket may have on Linux (108 bytes with the terminating zero). */
const MAX_SOCKET_PATH_BYTES = 107;

export function controlDirectory(dataDir: string): string {
  return path.join(dataDir, "control");
}

export function controlSocketPath(dataDir: string): string {
  return path.join(controlDirectory(dataDir), "server.sock");
}

export interface BackupAnswerHeader {
  ok: true;
  bytes: number;
  sha256: string;
}

export interface BackupRefusal {
  ok: false;
  code: "INVALID_REQUEST" | "UNKNOWN_COMMAND" | "BACKUP_BUSY" | "BACKUP_FAILED";
  error: string;
}

export interface BackupControl {
  /** Where it listens; null when it could not (the reason was logged). */
  socketPath: string | null;
  close(): Promise<void>;
}

/**
 * Listens on `DATA_DIR/control/server.sock` for backup requests. Call it once this process has
 * claimed the data directory (a socket left by a killed process is then safe to remove).
 */
export async function startBackupControl(options: {
  dataDir: string;
  dump: () => Promise<Uint8Array>;
  logger: Logger;
}): Promise<BackupControl> {
  const { dataDir, dump, logger } = options;
  const socketPath = controlSocketPath(dataDir);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    logger.warn({ category: "backup", socketPath }, "DATA_DIR is too long a path for the backup socket: npm run backup will not reach this server");
    return { socketPath: null, close: async () => undefined };
  }
  const directory = controlDirectory(dataDir);
  // Only the server's user may enter the folder, so only they (and root) can reach the socket.
  fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  fs.chmodSync(directory, 0o700);
  fs.rmSync(socketPath, { force: true });

  let running: Promise<Uint8Array> | null = null;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    let received = "";
    let answered = false;
    const refuse = (refusal: BackupRefusal) => {
      answered = true;
      socket.end(`${JSON.stringify(refusal)}\n`);
    };
    socket.on("data", (chunk: Buffer) => {
      if (answered) return;
      received += chunk.toString("utf8");
      const end = received.indexOf("\n");
      if (end === -1) {
        if (Buffer.byteLength(received) > MAX_REQUEST_BYTES) refuse({ ok: false, code: "INVALID_REQUEST", error: "the request is too long" });
        return;
      }
      answered = true;
      socket.setTimeout(0);
      const command = readCommand(received.slice(0, end));
      if (command === null) return refuse({ ok: false, code: "INVALID_REQUEST", error: 'send one line of JSON: {"command":"backup"}' });
      if (command !== "backup") return refuse({ ok: false, code: "UNKNOWN_COMMAND", error: "the only command is backup" });
      if (running) return refuse({ ok: false, code: "BACKUP_BUSY", error: "a backup is being written; try again when it has finished" });
      const started = Date.now();
      running = dump();
      running
        .then((archive) => {
          const header: BackupAnswerHeader = { ok: true, bytes: archive.byteLength, sha256: crypto.createHash("sha256").update(archive).digest("hex") };
          logger.info({ category: "backup", bytes: archive.byteLength, ms: Date.now() - started }, "wrote a backup of the embedded database");
          socket.write(`${JSON.stringify(header)}\n`);
          socket.end(archive);
        })
        .catch((error: unknown) => {
          logger.error({ category: "backup", err: error }, "a backup of the embedded database failed");
          refuse({ ok: false, code: "BACKUP_FAILED", error: "the server could not copy its database; see its log" });
        })
        .finally(() => {
          running = null;
        });
    });
  });
  server.on("error", (error) => logger.error({ category: "backup", err: error }, "the backup socket failed"));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);
  return {
    socketPath,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A backup being sent is finished first; idle connections are not waited for.
      await running?.catch(() => undefined);
      for (const socket of sockets) if (socket.writableEnded === false && socket.bytesWritten === 0) socket.destroy();
      await closed;
      fs.rmSync(socketPath, { force: true });
    },
  };
}

/** The command of a request line, or null when it is not `{"command": "…"}`. */
function readCommand(line: string): string | null {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
    const command = (parsed as Record<string, unknown>).command;
    return typeof command === "string" ? command : null;
  } catch {
    return null;
  }
}

/**
 * Asks the server running on `dataDir` for a backup: resolves with the archive, checked against
 * the size and digest the server sent, or rejects with the server's refusal or the socket's error
 * (`code` ENOENT or ECONNREFUSED when no server listens).
 */
export function requestBackup(dataDir: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(controlSocketPath(dataDir));
    const chunks: Buffer[] = [];
    socket.on("connect", () => socket.write(`${JSON.stringify({ command: "backup" })}\n`));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf(0x0a);
      if (end === -1) return reject(new Error("the server closed the connection without an answer"));
      let header: BackupAnswerHeader | BackupRefusal;
      try {
        header = JSON.parse(all.subarray(0, end).toString("utf8")) as BackupAnswerHeader | BackupRefusal;
      } catch {
        return reject(new Error("the server's answer was not understood"));
      }
      if (!header.ok) return reject(new Error(header.error));
      const archive = all.subarray(end + 1);
      if (archive.byteLength !== header.bytes) {
        return reject(new Error(`the copy arrived incomplete (${archive.byteLength} of ${header.bytes} bytes)`));
      }
      if (crypto.createHash("sha256").update(archive).digest("hex") !== header.sha256) {
        return reject(new Error("the copy arrived damaged (its checksum does not match)"));
      }
      resolve(new Uint8Array(archive));
    });
  });
}
