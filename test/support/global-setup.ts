/**
 * Builds the Remix app once before the suite when the build is missing or older than the app's
 * sources, so server tests render real pages on a fresh clone.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { recordRuntime } from "./runtime-report.js";

const root = path.resolve(import.meta.dirname, "..", "..");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  recordRuntime();
  const buildFile = path.join(root, "build", "index.js");
  const built = fs.existsSync(buildFile) ? fs.statSync(buildFile).mtimeMs : 0;
  if (built < newestMtime(path.join(root, "app"))) {
    execFileSync(path.join(root, "node_modules", ".bin", "remix"), ["build"], {
      cwd: root,
      stdio: "ignore",
      // Always a production build: the server run by `npm start` and the browser tests needs one.
      env: { ...process.env, NODE_ENV: "production" },
    });
  }
  // The server as `npm start` runs it (build/server.mjs, used by test/server/process.test.ts):
  // bundled afresh every time, which takes about a second.
  execFileSync("npm", ["run", "--silent", "build:server"], { cwd: root, stdio: "inherit" });
}
