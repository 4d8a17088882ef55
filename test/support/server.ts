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
import { afterAll, beforeAll } from "vitest";
import { openTestDatabase } from "./database.js";
import { signInAt } from "./sign-in.js";

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

/**
 * Starts a test server before the suite's tests and closes it after them (hooks registered where
 * this is called). The object returned is that server once the suite's first hook has run.
 */
export function startTestServerForSuite(options: Parameters<typeof startTestServer>[0] = {}): TestServer {
  const server = {} as TestServer;
  beforeAll(async () => {
    Object.assign(server, await startTestServer(options));
  });
  afterAll(async () => {
    await server.close();
  });
  return server;
}

/** A GET with this Cookie header, answering redirects rather than following them. */
export function getAs(server: { url: string }, path: string, cookie: string): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: { cookie }, redirect: "manual" });
}

/** A form POST from the server's own origin with this Cookie header, answering redirects rather than following them. */
export function postFormAs(server: { url: string }, path: string, cookie: string, form: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, Origin: server.url, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
}

/** The id of the account with this email address. */
export async function userIdOf(server: TestServer, email: string): Promise<string> {
  return (await server.services.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
}

/** How many sessions (devices signed in) the account has. */
export async function sessionCountOf(server: TestServer, userId: string): Promise<number> {
  return (await server.services.db.selectFrom("sessions").select("id").where("user_id", "=", userId).execute()).length;
}

/** Signs in through the real /login form; returns the Cookie header value for later requests. */
export function signIn(server: { url: string }, email: string, password = "kia-ora-demo"): Promise<string> {
  return signInAt(server.url, email, password);
}
