/**
 * Starting one of the server's worker threads (the PGlite thread, the rendering thread): from its
 * bundled file next to build/server.mjs when `npm run build` made one, or, when the server runs
 * from its TypeScript sources (`npm run dev`, tests), from its `.ts` file through tsx.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/** tsx's ESM API (its `import` export; require.resolve would give the CommonJS one). */
function tsxApiUrl(): string {
  const manifest = createRequire(import.meta.url).resolve("tsx/package.json");
  const exports = JSON.parse(fs.readFileSync(manifest, "utf8")).exports as Record<string, { import: { default: string } }>;
  return pathToFileURL(path.join(path.dirname(manifest), exports["./esm/api"]!.import.default)).href;
}

/**
 * `bundled`: the built worker (`new URL("./x-worker.mjs", import.meta.url)`, which in the bundle is
 * build/x-worker.mjs); `source`: its TypeScript file, used when there is no bundled one.
 */
export function startWorker(bundled: URL, source: URL, workerData: unknown): Worker {
  const bundledFile = fileURLToPath(bundled);
  if (fs.existsSync(bundledFile)) return new Worker(bundledFile, { workerData });
  // From the TypeScript sources, tsx is registered in the worker first.
  return new Worker(
    `import(${JSON.stringify(tsxApiUrl())})
      .then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); })
      .catch((error) => { console.error(error); process.exit(1); });`,
    { eval: true, workerData },
  );
}
