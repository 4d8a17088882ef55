/**
 * `npm run budgets`: fails when a page makes the browser download more than its budget (issue 21).
 * Compressed (brotli, as served) JavaScript: the document editor page at most 300 KB, every other
 * page at most 120 KB; CSS at most 30 KB on any page. KB are 1,000 bytes.
 *
 * Reads the last build (`npm run build`), or builds first when there is none. Prints one row per
 * page. With `--report <file>` it also writes a JSON report in the shape `.ci/run` counts
 * (numPassedTests / numFailedTests: one check per page and budget), and with TEST_RUNTIME_FILE set
 * it records the Node that ran it, like the test suites do.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { type PageWeight, kilobytes, measurePages } from "./page-weight.js";

const print = (line: string) => process.stdout.write(`${line}\n`);
const root = path.resolve(import.meta.dirname, "..", "..");

/** The page that loads the collaborative editor (TipTap, ProseMirror, Yjs and the provider). */
export const editorPageRouteId = "routes/groups.$groupId.documents.$documentId._index";
export const budgets = { editorJs: 300_000, pageJs: 120_000, css: 30_000 } as const;

interface Check {
  name: string;
  bytes: number;
  limit: number;
}

function checksFor(page: PageWeight): Check[] {
  const jsLimit = page.routeId === editorPageRouteId ? budgets.editorJs : budgets.pageJs;
  return [
    { name: `${page.routeId}: JavaScript`, bytes: page.js.brotli, limit: jsLimit },
    { name: `${page.routeId}: CSS`, bytes: page.css.brotli, limit: budgets.css },
  ];
}

function main(): number {
  const args = process.argv.slice(2);
  const reportAt = args.indexOf("--report");
  const reportFile = reportAt >= 0 ? args[reportAt + 1] : undefined;
  if (reportAt >= 0 && !reportFile) {
    console.error("--report needs a file name");
    return 2;
  }
  if (process.env.TEST_RUNTIME_FILE) {
    fs.mkdirSync(path.dirname(process.env.TEST_RUNTIME_FILE), { recursive: true });
    fs.writeFileSync(process.env.TEST_RUNTIME_FILE, `${process.version}\n`);
  }

  if (!fs.existsSync(path.join(root, "build", "metafile.js.json"))) {
    print("no build yet: running npm run build");
    const built = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
    if (built.status !== 0) return 1;
  }
  const pages = measurePages(root);
  if (!pages.some((page) => page.routeId === editorPageRouteId)) {
    console.error(`the editor page (${editorPageRouteId}) is not in the build: update editorPageRouteId`);
    return 1;
  }

  const header = ["page", "JS raw", "JS gzip", "JS brotli", "budget", "CSS brotli", "result"];
  const rows = pages.map((page) => {
    const checks = checksFor(page);
    const over = checks.filter((check) => check.bytes > check.limit);
    return [
      page.routeId.replace(/^routes\//, ""),
      kilobytes(page.js.raw),
      kilobytes(page.js.gzip),
      kilobytes(page.js.brotli),
      kilobytes(checks[0]!.limit),
      kilobytes(page.css.brotli),
      over.length === 0 ? "ok" : `OVER (${over.map((check) => check.name.split(": ")[1]).join(", ")})`,
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  for (const row of [header, ...rows]) print(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  "));

  const checks = pages.flatMap(checksFor);
  const failed = checks.filter((check) => check.bytes > check.limit);
  print(`\nbudgets: ${checks.length - failed.length} passed, ${failed.length} failed (brotli; KB = 1,000 bytes)`);
  for (const check of failed) print(`  over budget: ${check.name} is ${kilobytes(check.bytes)}, budget ${kilobytes(check.limit)}`);
  if (reportFile) {
    fs.mkdirSync(path.dirname(path.resolve(reportFile)), { recursive: true });
    fs.writeFileSync(
      reportFile,
      `${JSON.stringify({
        numPassedTests: checks.length - failed.length,
        numFailedTests: failed.length,
        checks: checks.map((check) => ({ ...check, passed: check.bytes <= check.limit })),
      })}\n`,
    );
  }
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = main();
