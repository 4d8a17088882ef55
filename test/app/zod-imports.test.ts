/**
 * The app imports zod as a namespace (`import * as z from "zod"`): the named import brings every
 * one of zod's locales into the browser bundle, about 70 KB brotli on each page with a form, where
 * the namespace import lets esbuild drop them (ADR 022). Type-only imports carry no code.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";

const appDir = path.resolve(import.meta.dirname, "..", "..", "app");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

it("imports zod as a namespace everywhere in the app, so no page carries its locales", () => {
  const named = sourceFiles(appDir).filter((file) => /^import\s+(?!type\b)[^*\n]*\{[^}]*\bz\b[^}]*\}\s+from\s+"zod"/m.test(fs.readFileSync(file, "utf8")));
  expect(named.map((file) => path.relative(appDir, file))).toEqual([]);
});
