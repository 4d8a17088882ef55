/**
 * `npm run bench:search` (issue 23): search latency on a generated corpus, on PostgreSQL and PGlite.
 *
 * The corpus is ten years of a busy group at full size: 2,000 documents of 20 pages (a page is 10
 * paragraphs of about 30 words), 50,000 comments and 20,000 decisions, inserted through the same
 * tables and triggers as the app (so the index is built as it would be). Each database is given
 * the full corpus times its scale: SEARCH_BENCH_SCALE (PostgreSQL, default 1) and
 * SEARCH_BENCH_PGLITE_SCALE (default 0.1, so the run takes minutes; 1 for the full corpus).
 * It prints the size it used.
 *
 * Measured: `searchEverything` (the page's whole query: permissions, ranking, best paragraph,
 * snippets) for a member and for a consultee over a fixed set of queries, p50 and p99; and the
 * index update after a save: the statement the collaboration endpoint runs when it saves a
 * rendering of a 20-page document with one paragraph changed (the triggers rewrite its entries).
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema of
 * its own, dropped at the end.
 */
import crypto from "node:crypto";
import os from "node:os";
import { type Kysely, sql } from "kysely";
import { type DatabaseHandle, connectDatabase } from "../../db/connect.js";
import type { Database } from "../../db/database.js";
import { migrateToLatest } from "../../db/migrate.js";
import { searchEverything } from "../../app/models/search.server.js";
import type { Actor } from "../../app/policy/policy.js";
// The fuzz suites' seeded PRNG, so every run builds the same corpus.
import { mulberry32 as random } from "../fuzz/fuzz-random.js";

const FULL = { documents: 2_000, pagesPerDocument: 20, paragraphsPerPage: 10, wordsPerParagraph: 30, comments: 50_000, decisions: 20_000 };

const realWords = (
  "the of and to a in that is for on with as be by this are funding providers contracts commissioning services " +
  "whānau Māori iwi hapū community relational outcomes trust paperwork reporting agencies government ministry " +
  "meeting meetings decided decision agreed noted directed invited partnership Tiriti Waitangi tikanga kaupapa " +
  "wellbeing families children tamariki rangatahi kaumātua mokopuna support investment evidence review plan " +
  "regional local Aotearoa kāinga hauora mātauranga centred full cost sector stewardship group minister report"
).split(" ");

function vocabulary(next: () => number): string[] {
  const syllables = ["ka", "ta", "ra", "ma", "wha", "ngo", "te", "ri", "hu", "pe", "lo", "mi", "sa", "ve", "con", "tri", "ment", "ing", "al", "ed"];
  const words = new Set(realWords);
  while (words.size < 4_000) {
    let word = "";
    const count = 2 + Math.floor(next() * 3);
    for (let i = 0; i < count; i++) word += syllables[Math.floor(next() * syllables.length)];
    words.add(word);
  }
  return [...words];
}

function paragraph(next: () => number, words: string[], count: number): string {
  const out: string[] = [];
  // Zipf-like: the first (real) words are the most common.
  for (let i = 0; i < count; i++) out.push(words[Math.floor(words.length * next() ** 3)]!);
  const text = out.join(" ");
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

interface Corpus {
  documents: number;
  comments: number;
  decisions: number;
  entries: number;
  buildSeconds: number;
  member: Actor;
  consultee: Actor;
  saveDocumentId: string;
  saveText: string[];
}

async function buildCorpus(db: Kysely<Database>, scale: number): Promise<Corpus> {
  const started = Date.now();
  const next = random(20261207);
  const words = vocabulary(next);
  const size = {
    documents: Math.max(10, Math.round(FULL.documents * scale)),
    comments: Math.max(100, Math.round(FULL.comments * scale)),
    decisions: Math.max(100, Math.round(FULL.decisions * scale)),
  };
  const group = await db.insertInto("groups").values({ code: "BENCH", name: "Benchmark group" }).returning("id").executeTakeFirstOrThrow();
  const [member, consultee] = await db
    .insertInto("users")
    .values([
      { email: "member@bench.test", display_name: "Member" },
      { email: "ngo@bench.test", display_name: "Consultee" },
    ])
    .returning("id")
    .execute();
  await db
    .insertInto("memberships")
    .values([
      { group_id: group.id, user_id: member!.id, role: "member", starts_on: "2016-01-01" },
      { group_id: group.id, user_id: consultee!.id, role: "consultee", starts_on: "2016-01-01" },
    ])
    .execute();

  const lines = FULL.pagesPerDocument * FULL.paragraphsPerPage;
  const documentIds: string[] = [];
  let saveText: string[] = [];
  for (let start = 0; start < size.documents; start += 10) {
    const rows = [];
    for (let i = start; i < Math.min(size.documents, start + 10); i++) {
      const text = Array.from({ length: lines }, () => paragraph(next, words, FULL.wordsPerParagraph));
      if (i === 0) saveText = text;
      rows.push({ group_id: group.id, kind: "paper" as const, title: `Paper ${i + 1}: ${paragraph(next, words, 4)}`, content_text: text.join("\n") });
    }
    documentIds.push(...(await db.insertInto("documents").values(rows).returning("id").execute()).map((row) => row.id));
    if (start % 200 === 0) process.stdout.write(`  documents ${start}/${size.documents}\r`);
  }
  // A few documents open to the consultee.
  for (const documentId of documentIds.slice(0, 5)) {
    const consultation = await db
      .insertInto("consultations")
      .values({ document_id: documentId, brief: "Benchmark", closes_at: new Date(Date.now() + 30 * 86_400_000), opened_by: member!.id })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db.insertInto("consultation_invitees").values({ consultation_id: consultation.id, user_id: consultee!.id }).execute();
  }
  for (let start = 0; start < size.comments; start += 500) {
    const count = Math.min(500, size.comments - start);
    const threads = await db
      .insertInto("comment_threads")
      .values(
        Array.from({ length: count }, () => ({
          document_id: documentIds[Math.floor(next() * documentIds.length)]!,
          anchor_start: new Uint8Array([1]),
          anchor_end: new Uint8Array([2]),
          quote: "quote",
          created_by: member!.id,
        })),
      )
      .returning("id")
      .execute();
    await db
      .insertInto("comments")
      .values(threads.map((thread) => ({ thread_id: thread.id, author_id: member!.id, body: paragraph(next, words, 25) })))
      .execute();
    if (start % 5_000 === 0) process.stdout.write(`  comments ${start}/${size.comments}   \r`);
  }
  const perMeeting = 20;
  for (let start = 0; start < size.decisions; start += perMeeting) {
    const day = new Date(Date.UTC(2016, 0, 1) + (start / perMeeting) * 3 * 86_400_000);
    const meeting = await db
      .insertInto("meetings")
      .values({ group_id: group.id, title: `Hui ${start / perMeeting + 1}: ${paragraph(next, words, 3)}`, starts_at: day, duration_minutes: 120 })
      .returning("id")
      .executeTakeFirstOrThrow();
    const minute = await db.insertInto("minutes").values({ meeting_id: meeting.id, group_id: group.id }).returning("id").executeTakeFirstOrThrow();
    await db
      .insertInto("decisions")
      .values(
        Array.from({ length: Math.min(perMeeting, size.decisions - start) }, (_, position) => ({
          minute_id: minute.id,
          position: position + 1,
          verb: "agreed" as const,
          body: paragraph(next, words, 30),
          search_text: "",
        })),
      )
      .execute();
    if (start % 2_000 === 0) process.stdout.write(`  decisions ${start}/${size.decisions}   \r`);
  }
  await sql`analyze`.execute(db);
  const entries = await db.selectFrom("search_entries").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return {
    ...size,
    entries: Number(entries.n),
    buildSeconds: (Date.now() - started) / 1000,
    member: { id: member!.id, isPlatformAdmin: false, rolesByGroup: new Map([[group.id, "member"]]) },
    consultee: { id: consultee!.id, isPlatformAdmin: false, rolesByGroup: new Map([[group.id, "consultee"]]) },
    saveDocumentId: documentIds[0]!,
    saveText,
  };
}

const queries = [
  "whanau",
  "Māori providers",
  "contracts",
  "full cost funding",
  '"full cost"',
  "meetings decided",
  "kaumatua mokopuna",
  "tiriti waitangi partnership",
  "relational commissioning outcomes",
  "hauora",
  "stewardship group minister",
  "contrcts", // a typo: the fallback
  "zzzqqq", // nothing
  "the",
];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(db: Kysely<Database>, corpus: Corpus, rounds: number) {
  const times: number[] = [];
  const byQuery = new Map<string, number[]>();
  for (const actor of [corpus.member, corpus.consultee]) {
    for (const text of queries) await searchEverything(db, actor, { text }); // warm
  }
  for (let round = 0; round < rounds; round++) {
    for (const actor of [corpus.member, corpus.consultee]) {
      for (const text of queries) {
        const started = performance.now();
        await searchEverything(db, actor, { text });
        const took = performance.now() - started;
        times.push(took);
        byQuery.set(text, [...(byQuery.get(text) ?? []), took]);
      }
    }
  }
  const saves: number[] = [];
  for (let i = 0; i < 20; i++) {
    const text = [...corpus.saveText];
    text[50] = `${text[50]} kotahitanga${i}`;
    const started = performance.now();
    await db.updateTable("documents").set({ content_text: text.join("\n"), updated_at: new Date() }).where("id", "=", corpus.saveDocumentId).execute();
    saves.push(performance.now() - started);
    const found = await searchEverything(db, corpus.member, { text: `kotahitanga${i}` });
    if (found.total !== 1) throw new Error(`the saved paragraph was not found (${found.total})`);
  }
  // The floor under load: a statement that does nothing, timed the same way.
  const floor: number[] = [];
  for (let i = 0; i < times.length; i++) {
    const started = performance.now();
    await sql`select 1`.execute(db);
    floor.push(performance.now() - started);
  }
  console.log(`  "select 1" round trip on this machine now: p50 ${percentile(floor, 50).toFixed(1)} ms, p99 ${percentile(floor, 99).toFixed(1)} ms`);
  const slowest = [...byQuery].map(([text, list]) => `${text} ${percentile(list, 50).toFixed(0)}/${Math.max(...list).toFixed(0)} ms`);
  console.log(`  per query (p50/max): ${slowest.join("; ")}`);
  return { p50: percentile(times, 50), p99: percentile(times, 99), count: times.length, saveP50: percentile(saves, 50), saveP99: percentile(saves, 99) };
}

interface Row {
  database: string;
  corpus: string;
  entries: number;
  build: string;
  p50: string;
  p99: string;
  save: string;
}

async function run(kind: "postgres" | "pglite", scale: number): Promise<Row | null> {
  let handle: DatabaseHandle;
  let drop = async () => undefined as void;
  if (kind === "postgres") {
    const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
    const schema = `bench_search_${crypto.randomBytes(4).toString("hex")}`;
    try {
      const admin = await connectDatabase({ databaseUrl: url, maxConnections: 1 });
      await sql`create schema ${sql.id(schema)}`.execute(admin.db);
      await admin.close();
    } catch (error) {
      console.log(`PostgreSQL at ${url} is not reachable (${(error as Error).message}); skipped.`);
      return null;
    }
    handle = await connectDatabase({ databaseUrl: url, searchPath: `${schema},public` });
    drop = async () => {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(handle.db);
    };
  } else {
    handle = await connectDatabase({ dataDir: null });
  }
  try {
    await migrateToLatest(handle.db);
    console.log(`${kind}: building the corpus at scale ${scale} …`);
    const corpus = await buildCorpus(handle.db, scale);
    const corpusText = `${corpus.documents} documents × 20 pages, ${corpus.comments} comments, ${corpus.decisions} decisions`;
    console.log(`${kind}: ${corpusText}; ${corpus.entries} index entries, built in ${corpus.buildSeconds.toFixed(0)} s`);
    const result = await measure(handle.db, corpus, kind === "postgres" ? 8 : 4);
    console.log(`${kind}: ${result.count} searches measured`);
    return {
      database: kind === "postgres" ? "PostgreSQL" : "PGlite",
      corpus: `${corpusText} (scale ${scale})`,
      entries: corpus.entries,
      build: `${corpus.buildSeconds.toFixed(0)} s`,
      p50: `${result.p50.toFixed(1)} ms`,
      p99: `${result.p99.toFixed(1)} ms`,
      save: `${result.saveP50.toFixed(0)} / ${result.saveP99.toFixed(0)} ms`,
    };
  } finally {
    await drop();
    await handle.close();
  }
}

const scales = {
  postgres: Number(process.env.SEARCH_BENCH_SCALE ?? 1),
  pglite: Number(process.env.SEARCH_BENCH_PGLITE_SCALE ?? 0.1),
};
const only = process.env.SEARCH_BENCH_ONLY;
const rows: Row[] = [];
for (const kind of ["postgres", "pglite"] as const) {
  if (only && only !== kind) continue;
  const row = await run(kind, scales[kind]);
  if (row) rows.push(row);
}
console.log("");
console.log(`${new Date().toISOString()}, ${os.cpus().length} cores, load average ${os.loadavg().map((value) => value.toFixed(1)).join(" ")}`);
console.log("| database | corpus | index entries | build | query p50 | query p99 | index update after a save (p50 / p99) |");
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(`| ${row.database} | ${row.corpus} | ${row.entries} | ${row.build} | ${row.p50} | ${row.p99} | ${row.save} |`);
