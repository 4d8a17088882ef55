/**
 * `npm run backup [FILE]`: a consistent copy of the embedded database (PGlite) in DATA_DIR, taken
 * while the server runs, written to FILE (default `stewardship-backup-<date>-<time>.tar.gz`).
 * The running server owns the data directory, so it is asked for the copy on its backup socket
 * (server/backup-control.ts, docs/decisions/017); with no server running, the database is opened
 * here. With DATABASE_URL set it says to use pg_dump instead (docs/deploy.md).
 */
import fs from "node:fs";
import path from "node:path";
import { connectDatabase } from "../../db/connect.js";
import { requestBackup } from "../backup-control.js";
import { exitOnConfigError } from "../exit-on-config-error.js";

const config = exitOnConfigError();

function fail(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

if (config.databaseUrl) {
  fail("Cannot back up here: DATABASE_URL is set, so the data is in PostgreSQL. Back it up with pg_dump (see docs/deploy.md, \"Backups\").");
}

const given = process.argv[2];
const stamp = new Date().toISOString().replace(/\.\d+Z$/, "").replace(/[-:]/g, "").replace("T", "-");
// npm runs scripts in the project folder; a relative FILE means where the command was typed.
const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), given ?? `stewardship-backup-${stamp}.tar.gz`);
if (fs.existsSync(file)) fail(`Cannot back up: ${file} already exists (give another FILE).`);
if (!fs.existsSync(path.join(config.dataDir, "pglite", "PG_VERSION"))) {
  fail(`Cannot back up: there is no embedded database in ${config.dataDir} (set DATA_DIR to the server's).`);
}

let archive: Uint8Array;
try {
  archive = await requestBackup(config.dataDir);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  // ENOENT, ECONNREFUSED: nobody listens; EINVAL: DATA_DIR is too long a path for a socket.
  if (code !== "ENOENT" && code !== "ECONNREFUSED" && code !== "EINVAL") fail(`Cannot back up: the server refused (${error instanceof Error ? error.message : String(error)}).`);
  // No server answers: open the database here, unless a server that does not answer holds it.
  const database = await connectDatabase({ dataDir: config.dataDir });
  try {
    if (!(await database.claim("alone"))) fail(`Cannot back up: a server is using ${config.dataDir} but does not answer on its backup socket; see its log.`);
    archive = await database.dump!();
  } finally {
    await database.close();
  }
}

// Written whole or not at all: a partial file never has the final name. Only its owner may read it.
const partial = `${file}.partial`;
fs.writeFileSync(partial, archive, { mode: 0o600 });
fs.renameSync(partial, file);
process.stdout.write(`Backed up the embedded database in ${config.dataDir} to ${file} (${(archive.byteLength / 1024 / 1024).toFixed(1)} MB).\n`);
