/**
 * `npm run build` (before build:server): builds the Remix app with the classic compiler, what
 * `remix build` does, without loading the `remix` command line first. That command line loads
 * Remix's Vite plugin whatever the command, and with it the CommonJS build of Vite's Node API,
 * which printed "The CJS build of Vite's Node API is deprecated" on every build; this app does not
 * use Vite (remix.config.js: the classic compiler), so nothing here loads it.
 */
import fs from "node:fs";
import path from "node:path";
import { build } from "@remix-run/dev/dist/compiler/build.js";
import { createFileWatchCache } from "@remix-run/dev/dist/compiler/fileWatchCache.js";
import { readConfig } from "@remix-run/dev/dist/config.js";
import { logger } from "@remix-run/dev/dist/tux/logger.js";
import { precompressDirectory } from "./precompress.js";

const root = path.resolve(import.meta.dirname, "..", "..");
const started = Date.now();
// As `remix build`: production unless NODE_ENV says otherwise.
process.env.NODE_ENV ??= "production";
const mode = process.env.NODE_ENV === "development" ? "development" : "production";
logger.info(`building... (NODE_ENV=${mode})`);
const config = await readConfig(root);
fs.rmSync(config.assetsBuildDirectory, { recursive: true, force: true });
await build({ config, options: { mode, sourcemap: false }, fileWatchCache: createFileWatchCache(), logger });
// Brotli and gzip copies of the hashed assets, sent as files (docs/decisions/022).
const precompressed = await precompressDirectory(config.assetsBuildDirectory);
logger.info(`precompressed ${precompressed} asset copies (.br, .gz)`);
logger.info(`built (${Date.now() - started} ms)`);
// As the `remix` command does: the compiler leaves esbuild's service running, which would keep
// the process alive.
process.exit(0);
