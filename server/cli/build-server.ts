/**
 * `npm run build:server` (after server/cli/build-app.ts): bundles the server for production (ADR 010, 012).
 *
 * - `build/server.mjs`: `server/main.ts` with our modules and the npm packages only the server uses
 *   (Express, Socket.io, ws, pg, Kysely, nodemailer…). Loading them from one file instead of
 *   some 1,500 is most of what makes a restart quick.
 * - Packages the Remix build imports from `node_modules` stay outside, so the two bundles share one
 *   copy of each: one Yjs (its types are checked with `instanceof`), one `@remix-run/node`.
 *   The list is read from the Remix build's metafile, so it cannot drift.
 * - Also outside: pino (its transports start worker threads from its own files), pg-boss (it imports
 *   its own JSON files with import attributes, which the esbuild Remix pins cannot read) and the
 *   optional native add-ons ws and pg look for.
 * - `build/pglite-worker.mjs`: the PGlite thread (ADR 009), packages outside.
 * - `build/render-worker.mjs`: the thread that renders documents to HTML and text
 *   (server/collab/render-thread.ts), packages outside.
 */
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { nodeBundle, optionalNativeAddOns, requireBanner } from "./node-bundle.js";

const root = path.resolve(import.meta.dirname, "..", "..");
const remixMetafile = path.join(root, "build", "metafile.server.json");

/** `lib0/hash/sha256` → `lib0`; `@remix-run/node` stays as it is. */
function packageName(importPath: string): string {
  const parts = importPath.split("/");
  return importPath.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function packagesTheRemixBuildImports(): string[] {
  if (!fs.existsSync(remixMetafile)) {
    throw new Error("build/metafile.server.json is missing: run `npm run build` first.");
  }
  const metafile = JSON.parse(fs.readFileSync(remixMetafile, "utf8")) as {
    outputs: Record<string, { imports?: { path: string; external?: boolean }[] }>;
  };
  const imports = Object.values(metafile.outputs).flatMap((output) => output.imports ?? []);
  return [...new Set(imports.filter((entry) => entry.external && !entry.path.startsWith("node:")).map((entry) => packageName(entry.path)))].sort();
}

const outside = [...packagesTheRemixBuildImports(), "pino", "pg-boss", ...optionalNativeAddOns];

await build({
  ...nodeBundle,
  entryPoints: [path.join(root, "server", "main.ts")],
  outfile: path.join(root, "build", "server.mjs"),
  external: outside,
  banner: requireBanner,
});

await build({
  ...nodeBundle,
  entryPoints: [path.join(root, "db", "pglite-worker.ts")],
  outfile: path.join(root, "build", "pglite-worker.mjs"),
  packages: "external",
});

await build({
  ...nodeBundle,
  entryPoints: [path.join(root, "server", "collab", "render-worker.ts")],
  outfile: path.join(root, "build", "render-worker.mjs"),
  packages: "external",
});
