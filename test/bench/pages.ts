/**
 * `npm run bench:pages`: how fast the product's pages are under many signed-in readers (issue 21).
 * Our real server (build/server.mjs, as `npm start` runs it), on PostgreSQL and on PGlite, with the
 * demo group and 200 more papers; autocannon drives 50 and then 200 concurrent connections, each
 * signed in with its own session (members, the chair, the secretary), asking for one page at a
 * time as a browser does (brotli accepted). Beside the five pages, the same server's floor:
 * GET /bench/floor (BENCH_FLOOR_ROUTE=1), a constant page that passes the same middleware (request
 * guard, CSP, session check, compression) but not the web app. Prints one Markdown table.
 *
 * Environment:
 *   BENCH_POSTGRES_URL  where to create the benchmark's own database (default
 *                       postgres://postgres@127.0.0.1:5432/postgres); unreachable: PGlite only
 *   BENCH_SECONDS=…     seconds per page and concurrency (default 10)
 *   BENCH_CONCURRENCY=… comma-separated (default 50,200)
 *   BENCH_TARGETS=…     postgres,pglite (default both)
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { connectDatabase } from "../../db/connect.js";
import { loadActor } from "../../app/models/actor.server.js";
import { recordDecision } from "../../app/models/decisions.server.js";
import { startMeeting } from "../../app/models/live-meeting.server.js";
import { signInAt } from "../support/sign-in.js";
import { type DatabaseKind, prepareDatabase } from "./bench-database.js";
import { ServerProcess } from "./server-process.js";

const root = path.resolve(import.meta.dirname, "..", "..");
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrencies = (process.env.BENCH_CONCURRENCY ?? "50,200").split(",").map(Number);
const postgresAdminUrl = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const readers = ["member@example.org", "chair@example.org", "secretary@example.org"];
const sessionsPerReader = 17;
/** The target at 50 readers: a page's p99 at most this many times the floor's. */
const floorMultiple = 5;

interface PagePaths {
  name: string;
  path: string;
}

interface Row {
  database: DatabaseKind;
  concurrency: number;
  page: string;
  p50: number;
  p99: number;
  requestsPerSecond: number;
  errors: number;
  non2xx: number;
  requests: number;
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** The five pages, with ids read from the prepared database. */
async function pagePaths(serverEnv: Record<string, string>): Promise<PagePaths[]> {
  const handle = await connectDatabase(serverEnv.DATABASE_URL ? { databaseUrl: serverEnv.DATABASE_URL } : { dataDir: serverEnv.DATA_DIR! });
  try {
    const terms = await handle.db.selectFrom("documents").select(["id", "group_id"]).where("kind", "=", "terms_of_reference").executeTakeFirstOrThrow();
    const meeting = await handle.db.selectFrom("meetings").select("id").where("group_id", "=", terms.group_id).orderBy("starts_at").executeTakeFirstOrThrow();
    // The demo meeting has not started, so it has no minute yet: the chair starts it and records
    // decisions, which the minutes page and the register then show.
    const chair = await handle.db.selectFrom("users").selectAll().where("email", "=", "chair@example.org").executeTakeFirstOrThrow();
    const actor = await loadActor(handle.db, { id: chair.id, email: chair.email, displayName: chair.display_name, isPlatformAdmin: chair.is_platform_admin });
    await startMeeting(handle.db, null, actor, { meetingId: meeting.id, offScheduleConfirmed: true });
    for (let index = 1; index <= 30; index++) {
      await recordDecision(handle.db, null, actor, {
        meetingId: meeting.id,
        parentId: null,
        agendaItemId: null,
        heading: index % 10 === 1 ? `Terms of reference, part ${Math.ceil(index / 10)}` : null,
        verb: "agreed",
        body: `that the terms of reference say how the group works with iwi and Māori organisations (paragraph ${index})`,
      });
    }
    const group = `/groups/${terms.group_id}`;
    return [
      { name: "floor (constant page)", path: "/bench/floor" },
      { name: "group home", path: group },
      { name: "document list", path: `${group}/documents` },
      { name: "editor page (HTML)", path: `${group}/documents/${terms.id}` },
      { name: "decision register search", path: `${group}/decisions?q=terms` },
      { name: "minutes", path: `${group}/meetings/${meeting.id}/minutes` },
    ];
  } finally {
    await handle.close();
  }
}

function run(url: string, cookies: string[], connections: number): Promise<autocannon.Result> {
  let next = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        duration: seconds,
        timeout: 30,
        pipelining: 1,
        headers: { "accept-encoding": "br, gzip", accept: "text/html" },
        // Each connection is its own reader, with its own session.
        setupClient: (client) => {
          client.setHeaders({ "accept-encoding": "br, gzip", accept: "text/html", cookie: cookies[next++ % cookies.length]! });
        },
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function benchTarget(kind: DatabaseKind): Promise<Row[]> {
  process.stderr.write(`\n[${kind}] preparing the database\n`);
  const database = await prepareDatabase(kind, { papers: 200, histories: [], postgresAdminUrl });
  const pages = await pagePaths(database.serverEnv);
  const server = await ServerProcess.start({
    name: kind,
    script: "build/server.mjs",
    env: {
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      HOST: "127.0.0.1",
      PORT: "0",
      SEED_DEMO: "never",
      BENCH_FLOOR_ROUTE: "1",
      ...database.serverEnv,
    },
  });
  const rows: Row[] = [];
  try {
    const cookies: string[] = [];
    for (const email of readers) for (let index = 0; index < sessionsPerReader; index++) cookies.push(await signInAt(server.url, email));
    for (const page of pages) {
      const check = await fetch(`${server.url}${page.path}`, { headers: { cookie: cookies[0]! }, redirect: "manual" });
      await check.arrayBuffer();
      if (check.status !== 200) throw new Error(`${page.name} (${page.path}) answered ${check.status}`);
    }
    for (const concurrency of concurrencies) {
      // Warm up each page briefly (the web app loads, queries are planned) before measuring.
      for (const page of pages) {
        await new Promise<void>((resolve, reject) =>
          autocannon({ url: `${server.url}${page.path}`, connections: 10, amount: 100, headers: { cookie: cookies[0]! } }, (error) => (error ? reject(error) : resolve())),
        );
      }
      for (const page of pages) {
        const result = await run(`${server.url}${page.path}`, cookies, concurrency);
        const row: Row = {
          database: kind,
          concurrency,
          page: page.name,
          p50: result.latency.p50,
          p99: result.latency.p99,
          requestsPerSecond: result.requests.average,
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
          requests: result.requests.total,
        };
        rows.push(row);
        process.stderr.write(`[${kind}] ${concurrency} readers, ${page.name}: p50 ${row.p50} ms, p99 ${row.p99} ms, ${row.requestsPerSecond.toFixed(0)} req/s, ${row.errors} errors, ${row.non2xx} non-2xx, ${row.requests} answered\n`);
      }
    }
  } finally {
    await server.stop();
    await database.drop();
  }
  return rows;
}

function machine(): string {
  const cpus = os.cpus();
  let node = process.version;
  try {
    node = execFileSync(path.join(root, "node_modules", ".bin", "node"), ["--version"]).toString().trim();
  } catch {
    // The version of this process then.
  }
  return `${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${node}`;
}

function table(rows: Row[]): string {
  const lines = [
    "| database | readers | page | p50 ms | p99 ms | req/s | p99 ÷ floor | errors | non-2xx |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const row of rows) {
    const floor = rows.find((other) => other.database === row.database && other.concurrency === row.concurrency && other.page.startsWith("floor"));
    // No answer within the window: no latency to show (autocannon would say 0 ms).
    const answered = row.requests > 0;
    const ratio = answered && floor && floor.p99 > 0 ? `${(row.p99 / floor.p99).toFixed(1)}×` : "–";
    const p50 = answered ? String(row.p50) : `> ${seconds * 1000}`;
    const p99 = answered ? String(row.p99) : `> ${seconds * 1000}`;
    lines.push(`| ${row.database} | ${row.concurrency} | ${row.page} | ${p50} | ${p99} | ${row.requestsPerSecond.toFixed(0)} | ${ratio} | ${row.errors} | ${row.non2xx} |`);
  }
  return lines.join("\n");
}

async function main(): Promise<number> {
  if (!fs.existsSync(path.join(root, "build", "server.mjs"))) {
    process.stderr.write("building (npm run build)\n");
    execFileSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  }
  const wanted = (process.env.BENCH_TARGETS ?? "postgres,pglite").split(",") as DatabaseKind[];
  const kinds: DatabaseKind[] = [];
  if (wanted.includes("postgres")) {
    if (await postgresReachable()) kinds.push("postgres");
    else process.stderr.write(`PostgreSQL at ${postgresAdminUrl} is not reachable: PGlite only\n`);
  }
  if (wanted.includes("pglite")) kinds.push("pglite");
  const rows: Row[] = [];
  for (const kind of kinds) rows.push(...(await benchTarget(kind)));

  process.stdout.write(`\nPages under load: ${seconds} s per row, ${readers.length * sessionsPerReader} signed-in sessions, ${machine()}\n\n${table(rows)}\n\n`);
  // The targets: p99 at 50 readers at most 5× the floor's; no errors at 200.
  const misses: string[] = [];
  for (const row of rows) {
    if (row.page.startsWith("floor")) continue;
    const floor = rows.find((other) => other.database === row.database && other.concurrency === row.concurrency && other.page.startsWith("floor"))!;
    if (row.concurrency === 50 && (row.requests === 0 || row.p99 > floorMultiple * floor.p99)) misses.push(`${row.database}, 50 readers, ${row.page}: p99 ${row.p99} ms > ${floorMultiple} × ${floor.p99} ms`);
    // A row with no answer at all within the window counts as failed too (autocannon says 0 ms).
    if (row.errors > 0 || row.non2xx > 0 || row.requests === 0) {
      misses.push(`${row.database}, ${row.concurrency} readers, ${row.page}: ${row.errors} errors, ${row.non2xx} non-2xx, ${row.requests} answered`);
    }
  }
  if (misses.length > 0) process.stdout.write(`Targets missed:\n${misses.map((miss) => `- ${miss}`).join("\n")}\n`);
  else process.stdout.write("Targets met: every page's p99 at 50 readers within 5× the floor; no errors at any concurrency.\n");
  return 0;
}

process.exitCode = await main();
