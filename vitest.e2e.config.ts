import { defineConfig } from "vitest/config";
import BrowserTestSequencer from "./test/e2e/support/sequencer.js";

/**
 * Browser tests: real Chromium against one real server process started by the global setup.
 * One fork, so every file talks to the same server and the suite stays within two cores; the files
 * run in a fixed order (test/e2e/support/sequencer.ts), the page crawl last.
 */
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // What another screen shows arrives over the network and a busy machine's scheduler: poll for
    // it as long as a locator waits (Playwright's default), not vitest's one second.
    expect: { poll: { timeout: 30_000 } },
    pool: "forks",
    poolOptions: { forks: { singleFork: true } },
    sequence: { sequencer: BrowserTestSequencer },
  },
});
