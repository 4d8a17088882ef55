/**
 * The reference Hocuspocus server for the benchmark, in its own process: @hocuspocus/server 4 with
 * its defaults (stores debounced 2 s, at most 10 s apart), no authentication, documents in
 * memory. With STORE_DATABASE_URL set it also stores each document the way Hocuspocus's database
 * extension does, the whole encoded state in one row per document, so its write amplification can
 * be compared with our update log; HOCUSPOCUS_DEBOUNCE_MS and HOCUSPOCUS_MAX_DEBOUNCE_MS change
 * how often it stores. Prints one line,
 * `ready at ws://127.0.0.1:<port>`, once it listens on PORT (0: any free port).
 */
import { Server } from "@hocuspocus/server";
import pg from "pg";
import * as Y from "yjs";

const storeUrl = process.env.STORE_DATABASE_URL;
const pool = storeUrl ? new pg.Pool({ connectionString: storeUrl, max: 4 }) : null;
if (pool) {
  pool.on("error", () => undefined);
  await pool.query(
    "create table if not exists hocuspocus_documents (name text primary key, state bytea not null, updated_at timestamptz not null default now())",
  );
}
const debounce = process.env.HOCUSPOCUS_DEBOUNCE_MS ? { debounce: Number(process.env.HOCUSPOCUS_DEBOUNCE_MS) } : {};
const maxDebounce = process.env.HOCUSPOCUS_MAX_DEBOUNCE_MS ? { maxDebounce: Number(process.env.HOCUSPOCUS_MAX_DEBOUNCE_MS) } : {};

const server = new Server({
  address: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  quiet: true,
  stopOnSignals: false,
  ...debounce,
  ...maxDebounce,
  ...(pool
    ? {
        async onLoadDocument({ documentName, document }) {
          const { rows } = await pool.query<{ state: Buffer }>("select state from hocuspocus_documents where name = $1", [documentName]);
          if (rows[0]) Y.applyUpdate(document, new Uint8Array(rows[0].state));
        },
        async onStoreDocument({ documentName, document }) {
          await pool.query(
            "insert into hocuspocus_documents (name, state) values ($1, $2) on conflict (name) do update set state = excluded.state, updated_at = now()",
            [documentName, Buffer.from(Y.encodeStateAsUpdate(document))],
          );
        },
      }
    : {}),
});
await server.listen();
process.stdout.write(`ready at ws://127.0.0.1:${server.address.port}\n`);

// Exit on SIGTERM (writing a CPU profile when one was asked for).
process.once("SIGTERM", () => process.exit(0));
