/**
 * `npm run fuzz`: the fuzz suites (test/fuzz) at ten times their `npm test` counts (FUZZ_SCALE,
 * default 10), then what they found: per suite the cases sent, crashes, 5xx answers (seen by the
 * clients and logged by the server), failures, and the server's RSS after a forced garbage
 * collection before and after, with whether it came back within 10%. The exit code is vitest's.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type SuiteReport, megabytes } from "./fuzz-report.js";

const root = path.resolve(import.meta.dirname, "..", "..");
const scale = process.env.FUZZ_SCALE ?? "10";
const reportFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stewardship-fuzz-")), "report.jsonl");
const started = Date.now();

const exitCode = await new Promise<number>((resolve) => {
  const vitest = spawn(process.execPath, [path.join(root, "node_modules", "vitest", "vitest.mjs"), "run", "test/fuzz", ...process.argv.slice(2)], {
    cwd: root,
    env: { ...process.env, FUZZ_SCALE: scale, FUZZ_REPORT: reportFile },
    stdio: "inherit",
  });
  vitest.on("exit", (code) => resolve(code ?? 1));
});

const reports: SuiteReport[] = fs.existsSync(reportFile)
  ? fs
      .readFileSync(reportFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as SuiteReport)
  : [];

const minutes = (ms: number) => `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")}s`;
/** "+3.2% (within 10%)" or "+14.0% (NOT within 10%)". */
function rssChange(before: number | undefined, after: number | undefined): string {
  if (before === undefined || after === undefined) return "not measured (the server was not alive at the end)";
  const change = (after - before) / before;
  return `${megabytes(before)} → ${megabytes(after)} (${change >= 0 ? "+" : ""}${(change * 100).toFixed(1)}%, ${change <= 0.1 ? "within 10%" : "NOT within 10%"})`;
}

const lines: string[] = [];
lines.push("", `Fuzz run: FUZZ_SCALE=${scale}, seed ${process.env.FUZZ_SEED ?? "20261201"}, ${minutes(Date.now() - started)} in all`);
for (const report of reports) {
  const sent = Object.values(report.counts).reduce((sum, n) => sum + n, 0);
  lines.push("");
  lines.push(`${report.suite} (${minutes(report.durationMs)}): ${sent.toLocaleString("en-NZ")} sent`);
  lines.push(`  by kind: ${Object.entries(report.counts).map(([kind, n]) => `${kind} ${n.toLocaleString("en-NZ")}`).join(", ")}`);
  lines.push(`  crashes: ${report.crashes.length}`);
  lines.push(`  5xx answers: ${report.serverErrorAnswers}; 5xx in the server's log: ${report.serverErrorsLogged}`);
  lines.push(`  failures: ${report.failures.length}`);
  lines.push(`  server RSS after GC: ${rssChange(report.rssBefore, report.rssAfter)}`);
  for (const phase of report.phases) lines.push(`  ${phase.name}, RSS after GC: ${rssChange(phase.rssBefore, phase.rssAfter)}`);
  for (const crash of report.crashes.slice(0, 20)) lines.push(`    crash: ${crash}`);
  if (report.crashes.length > 20) lines.push(`    … ${report.crashes.length - 20} more crashes`);
  // Each distinct failure once, with how often it happened.
  const others = new Map<string, number>();
  for (const failure of report.failures) {
    if (report.crashes.some((crash) => failure.startsWith(crash.split(" → ")[0]!))) continue;
    others.set(failure, (others.get(failure) ?? 0) + 1);
  }
  const listed = [...others].map(([failure, n]) => (n > 1 ? `${failure} ×${n}` : failure));
  for (const failure of listed.slice(0, 40)) lines.push(`    failure: ${failure}`);
  if (listed.length > 40) lines.push(`    … ${listed.length - 40} more distinct failures`);
}
if (reports.length === 0) lines.push("No suite reported (did the build fail?).");
process.stdout.write(`${lines.join("\n")}\n`);
fs.rmSync(path.dirname(reportFile), { recursive: true, force: true });
process.exit(exitCode);
