/**
 * The esbuild options every Node bundle of ours shares: the production server and the PGlite
 * thread (`build-server.ts`), and the benchmark's reference servers (`test/bench/targets.ts`).
 */
import type { BuildOptions } from "esbuild";

export const nodeBundle = { bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "warning" } satisfies BuildOptions;

/** An ES module bundle of CommonJS packages: they call `require` for Node's built-ins and for what stays outside. */
export const requireBanner = {
  js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);',
};

/** Optional native add-ons that ws and pg look for: never bundled. */
export const optionalNativeAddOns = ["pg-native", "bufferutil", "utf-8-validate"];
