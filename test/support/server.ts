/**
 * Starts the real server on port 0 against a fresh database (in-memory PGlite with the demo
 * seeded, unless a database is given), and signs in demo accounts with real HTTP requests.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type RunningServer, startServer } from "../../server/app.js";
import { type Config, loadConfig } from "../../server/config.js";
import type { CollabLimits } from "../../server/collab/collab-limits.js";
import type { JobTimings } from "../../server/jobs/job-queue.js";
import { createLogger } from "../../server/logger.js";
import type { DatabaseHandle } from "../../db/connect.js";
import { openTestDatabase } from "./database.js";

export interface TestServer extends RunningServer {
  /** Origin header value the server accepts for forms. */
  origin: string;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    database?: DatabaseHandle;
    env?: Record<string, string>;
    collabLimits?: Partial<CollabLimits>;
    appLoadDelayMs?: number;
    jobTimings?: Partial<JobTimings>;
  } = {},
): Promise<TestServer> {
  const database = options.database ?? (await openTestDatabase("pglite"));
  // Each server gets its own data folder, so the email outbox never lands in the repository.
  const dataDir = options.env?.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "stewardship-test-"));
  const config: Config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    DATA_DIR: dataDir,
    ...options.env,
  });
  const server = await startServer({
    config,
    logger: createLogger(config),
    database,
    ...(options.collabLimits ? { collabLimits: options.collabLimits } : {}),
    ...(options.appLoadDelayMs !== undefined ? { appLoadDelayMs: options.appLoadDelayMs } : {}),
    // Idle workers look for email every half second (the least pg-boss allows), not every 2 s.
    jobTimings: { pollingIntervalSeconds: 0.5, ...options.jobTimings },
  });
  return {
    ...server,
    origin: server.url,
    close: async () => {
      await server.shutdown("test finished");
      if (!options.database) await database.close();
      if (!options.env?.DATA_DIR) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the real /login form; returns the Cookie header value for later requests. */
export async function signIn(server: { url: string }, email: string, password = "kia-ora-demo"): Promise<string> {
  const response = await fetch(`${server.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
    body: new URLSearchParams({ email, password }),
  });
  if (response.status !== 302) throw new Error(`sign-in for ${email} answered ${response.status}`);
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith("stewardship_session="));
  if (!cookie) throw new Error("no session cookie");
  return cookie.split(";")[0]!;
}
