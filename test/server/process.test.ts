/**
 * The real process, as `npm start` runs it: one clear line for bad configuration, data kept
 * across restarts on the embedded database, and PostgreSQL when DATABASE_URL is set.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { followChild } from "../support/child-output.js";
import { withPostgresSchemaLock } from "../support/database.js";
import { afterEach, describe, expect, it, vi } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..");
const children: ChildProcess[] = [];

function run(env: Record<string, string>, nodeOptions: string[] = []) {
  // As `npm start` runs it: the bundle `npm run build` makes (the test suite's global setup builds it).
  const child = spawn(process.execPath, [...nodeOptions, "build/server.mjs"], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return { child, ...followChild(child) };
}

async function waitForUrl(output: () => { stdout: string }): Promise<string> {
  return vi.waitFor(
    () => {
      const url = /ready at (http:\/\/localhost:\d+)/.exec(output().stdout)?.[1];
      if (!url) throw new Error("not ready yet");
      return url;
    },
    { timeout: 60_000, interval: 100 },
  );
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

// Starting a whole server process (and PGlite) takes seconds on a busy two-core machine.
vi.setConfig({ testTimeout: 120_000 });

describe("the server process", () => {
  it.each([
    [{ PORT: "eighty" }, /^Configuration error: PORT must be a whole number/],
    [{ DATABASE_URL: "mysql://localhost/nope" }, /^Configuration error: DATABASE_URL must be a PostgreSQL URL/],
  ])("exits with one clear line when %o", async (env, message) => {
    const { exited, output } = run(env);
    expect(await exited).toBe(1);
    const lines = output().stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(output().stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it("exits with one clear line when the database cannot be reached", async () => {
    const { exited, output } = run({ PORT: "0", DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" });
    expect(await exited).toBe(1);
    expect(output().stderr.trim().split("\n")).toHaveLength(1);
    expect(output().stderr).toMatch(/^Cannot start: the database in DATABASE_URL could not be reached/);
  });

  it("keeps the embedded database's data across a restart and shuts down cleanly on SIGTERM", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stewardship-process-"));
    try {
      const first = run({ PORT: "0", DATA_DIR: dataDir });
      const url = await waitForUrl(first.output);
      expect(first.output().stdout).toContain("admin@example.org");
      const health = (await (await fetch(`${url}/healthz`)).json()) as { database: string; runtime: string };
      expect(health.database).toBe("pglite");
      // The process as `npm start` runs it is on the project's Node 24, not the machine's.
      expect(health.runtime).toMatch(/^node 24\./);
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);

      const second = run({ PORT: "0", DATA_DIR: dataDir });
      const secondUrl = await waitForUrl(second.output);
      // Seeded once only: the second start found the group already there.
      expect(second.output().stdout).not.toContain("Demo accounts");
      const login = await fetch(`${secondUrl}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: secondUrl },
        body: new URLSearchParams({ email: "chair@example.org", password: "kia-ora-demo" }),
      });
      expect(login.status).toBe(302);
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("the server process and a failure no door caught", () => {
  it("logs it at fatal, shuts down gracefully (collaborators told to reconnect) and exits with 1 for its supervisor", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stewardship-process-"));
    try {
      const server = run({ PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "info" }, ["--import", "./test/support/throw-on-signal.mjs"]);
      const url = await waitForUrl(server.output);
      const cookie = await signInAt(url, "member@example.org");
      const document = await firstDocumentId(url, cookie);
      const { WebSocket } = await import("ws");
      const socket = new WebSocket(`${url.replace("http", "ws")}/collab/${document}`, { headers: { cookie } });
      const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
      socket.on("error", () => undefined);
      await new Promise((resolve) => socket.once("open", resolve));
      server.child.kill("SIGUSR2");
      expect(await server.exited).toBe(1);
      // The collaborator was told the server is restarting, so their editor reconnects by itself.
      expect(await closed).toBe(1012);
      const fatal = server
        .output()
        .stdout.split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { level: number; msg: string; category?: string })
        .find((entry) => entry.level === 60);
      expect(fatal).toMatchObject({ category: "process", msg: "uncaught exception; shutting down" });
      expect(server.output().stdout).toContain('"msg":"stopped"');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

async function signInAt(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: url },
    body: new URLSearchParams({ email, password: "kia-ora-demo" }),
  });
  return response.headers.getSetCookie().find((value) => value.startsWith("stewardship_session="))!.split(";")[0]!;
}

/** The id of the first document linked from the member's groups. */
async function firstDocumentId(url: string, cookie: string): Promise<string> {
  const groups = await (await fetch(`${url}/groups`, { headers: { cookie } })).text();
  const groupPath = /href="(\/groups\/[0-9a-f-]{36})"/.exec(groups)![1];
  const documents = await (await fetch(`${url}${groupPath}/documents`, { headers: { cookie } })).text();
  return /\/documents\/([0-9a-f-]{36})/.exec(documents)![1]!;
}

describe.runIf(process.env.TEST_DATABASE_URL)("the server process [postgres]", () => {
  it("reports postgres on /healthz when DATABASE_URL is set, and seeds nothing", async () => {
    // A schema of its own, named through the URL's options, so the shared database stays clean.
    const schema = `process_${Date.now().toString(36)}`;
    const pool = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 1 });
    await withPostgresSchemaLock(() => pool.query(`create schema ${schema}`));
    try {
      const databaseUrl = new URL(process.env.TEST_DATABASE_URL!);
      databaseUrl.searchParams.set("options", `-c search_path=${schema}`);
      // The server migrates its schema on start: a schema change, so it takes its turn too.
      const { child, exited, output, url } = await withPostgresSchemaLock(async () => {
        const started = run({ PORT: "0", DATABASE_URL: databaseUrl.toString() });
        return { ...started, url: await waitForUrl(started.output) };
      });
      const health = (await (await fetch(`${url}/healthz`)).json()) as { database: string };
      expect(health.database).toBe("postgres");
      expect(output().stdout).not.toContain("Demo accounts");
      const groups = await pool.query(`select count(*)::int as n from ${schema}.groups`);
      expect(groups.rows[0].n).toBe(0);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      await withPostgresSchemaLock(() => pool.query(`drop schema ${schema} cascade`));
      await pool.end();
    }
  });
});
