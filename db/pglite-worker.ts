/**
 * The PGlite thread: the embedded database runs here, in a worker thread of the server, so its SQL
 * (PostgreSQL compiled to WASM, synchronous while it runs) never holds up the server's event loop.
 * Started by `pglite-thread.ts`, which speaks to it with the messages below; one query at a time,
 * in the order they arrive, as on PGlite's one connection.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { DATE_OID, INT8_OID, type ThreadReply, type ThreadRequest, type ThreadStart, describeError } from "./pglite-protocol.js";

const port = parentPort;
if (!port) throw new Error("pglite-worker.ts runs as a worker thread");
const { dataDir } = workerData as ThreadStart;

async function main(): Promise<void> {
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      extensions: { unaccent, pg_trgm },
      parsers: {
        [DATE_OID]: (value: string) => value,
        [INT8_OID]: (value: string) => Number(value),
      },
    });
  } catch (error) {
    port!.postMessage({ type: "failed", error: describeError(error) } satisfies ThreadReply);
    return;
  }
  port!.on("message", (request: ThreadRequest) => {
    void answer(pglite, request).then((reply) => {
      // The archive's bytes move to the main thread rather than being copied.
      port!.postMessage(reply, reply.type === "dumped" ? [reply.archive.buffer as ArrayBuffer] : []);
      if (request.type === "close") port!.close();
    });
  });
  port!.postMessage({ type: "ready" } satisfies ThreadReply);
}

async function answer(pglite: PGlite, request: ThreadRequest): Promise<ThreadReply> {
  try {
    if (request.type === "close") {
      if (!pglite.closed) await pglite.close();
      return { type: "result", id: request.id, rows: [], affectedRows: 0 };
    }
    if (request.type === "dump") {
      // A checkpoint first, so the copy needs no recovery when it is opened; the files are then
      // read in one go on this thread, between two statements, so the copy is of one moment.
      await pglite.exec("checkpoint");
      const archive = await pglite.dumpDataDir("gzip");
      return { type: "dumped", id: request.id, archive: new Uint8Array(await archive.arrayBuffer()) };
    }
    if (request.type === "exec") {
      const results = await pglite.exec(request.sql);
      const rows = results.flatMap((result) => result.rows as Record<string, unknown>[]);
      return { type: "result", id: request.id, rows, affectedRows: results.reduce((sum, result) => sum + (result.affectedRows ?? 0), 0) };
    }
    // A fresh array: postMessage made it for this thread.
    const result = await pglite.query(request.sql, request.parameters as unknown[]);
    return { type: "result", id: request.id, rows: result.rows as Record<string, unknown>[], affectedRows: result.affectedRows ?? 0 };
  } catch (error) {
    return { type: "error", id: request.id, error: describeError(error) };
  }
}

void main();
