/**
 * `npm run build` (which `npm start` runs first) builds cleanly: no warning about the CommonJS
 * build of Vite's Node API, which the `remix` command line caused by loading Remix's Vite plugin
 * although this app uses the classic compiler (server/cli/build-app.ts).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..");

it("builds without Vite's CJS deprecation warning", () => {
  const result = spawnSync("npm", ["run", "build"], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_ENV: "production" } });
  const output = `${result.stdout}\n${result.stderr}`;
  expect(result.status, output).toBe(0);
  expect(output).toContain("built");
  expect(output).not.toMatch(/CJS build of Vite|deprecated/i);
}, 180_000);

it("starts `npm run dev` without loading Vite (whose CommonJS build prints the same warning)", () => {
  // What server/cli/dev-app.ts loads before it starts the compiler and the server; the `remix`
  // command line it replaces loaded Remix's Vite plugin, and Vite with it, whatever the command.
  const probe = [
    'import { createRequire } from "node:module";',
    'await import("@remix-run/dev/dist/config.js");',
    'await import("@remix-run/dev/dist/devServer_unstable/index.js");',
    "const cache = createRequire(import.meta.url).cache;",
    'console.log(JSON.stringify(Object.keys(cache).filter((file) => file.includes("/node_modules/vite/"))));',
  ].join("\n");
  const result = spawnSync("npx", ["tsx", "--input-type=module", "-e", probe], { cwd: root, encoding: "utf8" });
  const output = `${result.stdout}\n${result.stderr}`;
  expect(result.status, output).toBe(0);
  expect(JSON.parse(result.stdout.trim().split("\n").at(-1)!)).toEqual([]);
  expect(output).not.toMatch(/CJS build of Vite|deprecated/i);
  expect(readFileSync(path.join(root, "server", "cli", "dev-app.ts"), "utf8")).not.toMatch(/@remix-run\/dev["/](?!dist\/(config|devServer_unstable))/);
});
