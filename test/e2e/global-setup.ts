/**
 * Starts the real server once for the browser tests: production mode, a free port, a fresh
 * data directory (so the demo is seeded anew), and hands its base URL to the tests with
 * `inject("baseUrl")`. Stops it with SIGTERM afterwards, as an operator would.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "../support/ports.js";
import { recordRuntime } from "../support/runtime-report.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the server under test listens, like http://127.0.0.1:40123 (no trailing slash). */
    baseUrl: string;
    /** The server's DATA_DIR: its email outbox is `<dataDir>/outbox/*.eml`. */
    dataDir: string;
    /** The port of the server's listener for replies by email (on 127.0.0.1). */
    inboundSmtpPort: number;
  }
}

const root = path.resolve(import.meta.dirname, "..", "..");
const chromiumPath = "/usr/bin/chromium";
const startupTimeoutMs = 90_000;
const shutdownTimeoutMs = 20_000;


/**
 * Is there a build the production server can run? `remix build` under NODE_ENV=test (as vitest
 * sets it) compiles JSX for development, and React's production runtime then has no `jsxDEV`.
 */
function isProductionBuild(serverBuild: string): boolean {
  if (!fs.existsSync(serverBuild)) return false;
  return !fs.readFileSync(serverBuild, "utf8").includes("react/jsx-dev-runtime");
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Polls /healthz until it answers 200, the process dies, or the deadline passes. */
async function waitForHealthy(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + startupTimeoutMs;
  let lastProblem = "no answer yet";
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      lastProblem = `/healthz answered ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    // Poll interval, not a wait for an outcome: the loop is bounded by the deadline above.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`The server was not healthy within ${startupTimeoutMs / 1000}s (${lastProblem}):\n${output()}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  recordRuntime();
  if (!fs.existsSync(chromiumPath)) {
    throw new Error("Chromium is not installed: run `sudo apt-get install -y chromium` (Debian) and try again.");
  }
  if (!isProductionBuild(path.join(root, "build", "index.js"))) {
    execFileSync(path.join(root, "node_modules", ".bin", "remix"), ["build"], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, NODE_ENV: "production" },
    });
  }
  // The server as `npm start` runs it, bundled afresh.
  execFileSync("npm", ["run", "--silent", "build:server"], { cwd: root, stdio: "inherit" });

  const port = await freePort();
  const inboundSmtpPort = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stewardship-e2e-"));
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["build/server.mjs"], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      PUBLIC_URL: baseUrl,
      LOG_LEVEL: "warn",
      DATABASE_URL: "",
      // Replies by email: the NGO representative answers a notification (journey 3).
      EMAIL_FROM: "Stewardship Workspace <hui@stewardship.example.govt.nz>",
      INBOUND_SMTP_PORT: String(inboundSmtpPort),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  const stop = async () => {
    // Warnings and errors the server logged while the browsers ran: the first clue when a step
    // times out (LOG_LEVEL is warn, so a clean run prints nothing here).
    if (output.trim()) process.stderr.write(`\n--- the e2e server logged (last 20,000 characters):\n${output}\n---\n`);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timedOut = await Promise.race([
        exited(child).then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), shutdownTimeoutMs).unref()),
      ]);
      if (timedOut) {
        child.kill("SIGKILL");
        await exited(child);
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitForHealthy(baseUrl, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  project.provide("baseUrl", baseUrl);
  project.provide("dataDir", dataDir);
  project.provide("inboundSmtpPort", inboundSmtpPort);
  return stop;
}
