import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "node_modules/**"],
    globalSetup: ["test/support/global-setup.ts"],
    environment: "node",
    // PGlite starts a whole PostgreSQL in WASM per test file: give hooks room on 2 cores.
    hookTimeout: 120_000,
    testTimeout: 30_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    env: { NODE_ENV: "test" },
  },
});
