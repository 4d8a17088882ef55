/**
 * `npm run restore FILE`: brings a backup written by `npm run backup` back into an empty DATA_DIR,
 * where the server then starts on it (it migrates a copy from an older version as at any start).
 * A DATA_DIR that is not empty is refused, so a restore never overwrites a database.
 */
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { exitOnConfigError } from "../exit-on-config-error.js";

const config = exitOnConfigError();

function fail(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

if (config.databaseUrl) {
  fail("Cannot restore here: DATABASE_URL is set, so the data is in PostgreSQL. Restore it with pg_restore (see docs/deploy.md, \"Backups\").");
}
const given = process.argv[2];
if (!given) fail("Usage: npm run restore FILE (a backup written by npm run backup), into an empty DATA_DIR.");
const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), given);
if (!fs.existsSync(file)) fail(`Cannot restore: ${file} does not exist.`);
const dataDir = config.dataDir;
if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
  fail(`Cannot restore: DATA_DIR ${dataDir} is not empty; restore into an empty or new folder (move the old one aside first).`);
}

const createdDataDir = !fs.existsSync(dataDir);
const target = path.join(dataDir, "pglite");
fs.mkdirSync(target, { recursive: true });
try {
  const archive = new Blob([fs.readFileSync(file)], { type: "application/x-gzip" });
  const pglite = await PGlite.create({ dataDir: target, loadDataDir: archive, extensions: { unaccent } });
  try {
    // Proof that it opens and is ours: the schema's own table of migrations.
    await pglite.query("select count(*) from kysely_migration");
  } finally {
    await pglite.close();
  }
} catch (error) {
  fs.rmSync(createdDataDir ? dataDir : target, { recursive: true, force: true });
  fail(`Cannot restore: ${file} is not a backup of the embedded database (${error instanceof Error ? error.message : String(error)}).`);
}
process.stdout.write(`Restored ${file} into ${dataDir}. Start the server with DATA_DIR=${dataDir}.\n`);
