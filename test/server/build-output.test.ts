/**
 * `npm run build` (which `npm start` runs first) builds cleanly: no warning about the CommonJS
 * build of Vite's Node API, which the `remix` command line caused by loading Remix's Vite plugin
 * although this app uses the classic compiler (server/cli/build-app.ts).
 */
import { spawnSync } from "node:child_process";
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
