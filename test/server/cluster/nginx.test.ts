/**
 * The nginx config of docs/deploy.md, tested as documented: the block is read from the doc, given
 * this test's ports, and run by a real nginx (its own prefix, pid and logs in a temporary folder)
 * in front of two server processes on PostgreSQL and a Redis of the test's own. Chromium signs in
 * through it, two people open the terms of reference on different processes, and one's typing
 * reaches the other. The browser addresses nginx by a name PUBLIC_URL does not use, so its forms
 * and websockets are accepted only through X-Forwarded-Host from a trusted proxy.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { Browser, BrowserContext, Page, WebSocket } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from "vitest";
import { launchBrowser, signInAs } from "../../e2e/support/browser.js";
import { type ServerProcessHandle, TestRedis, createClusterDatabase, freePort, startProcess } from "./cluster-support.js";

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

const root = path.resolve(import.meta.dirname, "..", "..", "..");

/** The first ```nginx block of docs/deploy.md: the config operators are told to use. */
export function documentedNginxConfig(): string {
  const doc = fs.readFileSync(path.join(root, "docs", "deploy.md"), "utf8");
  const block = /```nginx\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error("docs/deploy.md has no ```nginx block");
  return block;
}

/** The documented block with this test's ports, inside an nginx.conf of the test's own. */
function nginxConfig(options: { dir: string; listenPort: number; upstreamPorts: [number, number] }): string {
  const { dir, listenPort, upstreamPorts } = options;
  let site = documentedNginxConfig();
  const replace = (from: string, to: string) => {
    if (!site.includes(from)) throw new Error(`the documented nginx config no longer has "${from}"`);
    site = site.replace(from, to);
  };
  replace("listen 80;", `listen 127.0.0.1:${listenPort};`);
  site = site.replaceAll("server 127.0.0.1:3001 ", `server 127.0.0.1:${upstreamPorts[0]} `);
  site = site.replaceAll("server 127.0.0.1:3002 ", `server 127.0.0.1:${upstreamPorts[1]} `);
  if (site.includes("127.0.0.1:300")) throw new Error("the documented nginx config names a port this test does not replace");
  fs.writeFileSync(path.join(dir, "stewardship.conf"), site);
  const temp = (name: string) => path.join(dir, name);
  return [
    // Run as whoever runs the test (as root, nginx's workers would otherwise become nobody).
    ...(process.getuid?.() === 0 ? ["user root;"] : []),
    "daemon off;",
    "worker_processes 1;",
    `pid ${temp("nginx.pid")};`,
    `error_log ${temp("error.log")} warn;`,
    "events { worker_connections 512; }",
    "http {",
    "  log_format upstreams '$request_method $uri $status $upstream_addr';",
    `  access_log ${temp("access.log")} upstreams;`,
    `  client_body_temp_path ${temp("client_body")};`,
    `  proxy_temp_path ${temp("proxy")};`,
    `  fastcgi_temp_path ${temp("fastcgi")};`,
    `  uwsgi_temp_path ${temp("uwsgi")};`,
    `  scgi_temp_path ${temp("scgi")};`,
    `  include ${temp("stewardship.conf")};`,
    "}",
    "",
  ].join("\n");
}

class TestNginx {
  private constructor(
    private readonly child: ChildProcess,
    readonly dir: string,
    private readonly exited: Promise<unknown>,
  ) {}

  static async start(options: { listenPort: number; upstreamPorts: [number, number] }): Promise<TestNginx> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stewardship-nginx-"));
    const confFile = path.join(dir, "nginx.conf");
    fs.writeFileSync(confFile, nginxConfig({ dir, ...options }));
    // -e: the error log while nginx reads its config, before error_log applies (not /var/log/nginx).
    const child = spawn("/usr/sbin/nginx", ["-p", dir, "-c", confFile, "-e", path.join(dir, "error.log")], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const nginx = new TestNginx(child, dir, exited);
    await vi.waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`nginx exited: ${output}${nginx.errorLog()}`);
        const response = await fetch(`http://127.0.0.1:${options.listenPort}/healthz`);
        expect(response.status).toBe(200);
      },
      { timeout: 30_000, interval: 100 },
    );
    return nginx;
  }

  errorLog(): string {
    return fs.readFileSync(path.join(this.dir, "error.log"), "utf8");
  }

  /** The access log's lines: method, path, status and the upstream that answered. */
  accessLog(): { method: string; path: string; status: number; upstream: string }[] {
    const file = path.join(this.dir, "access.log");
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [method = "", uri = "", status = "0", upstream = ""] = line.split(" ");
        return { method, path: uri, status: Number(status), upstream };
      });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    await this.exited;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The editor's text without other people's caret labels (which sit inside it). */
function editorText(page: Page): Promise<string> {
  return page.getByRole("textbox", { name: "Document text" }).evaluate((element) => {
    const copy = element.cloneNode(true) as HTMLElement;
    for (const caret of copy.querySelectorAll(".collaboration-carets__caret")) caret.remove();
    return copy.innerText;
  });
}

describe.runIf(process.env.TEST_DATABASE_URL)("nginx in front of two processes, as docs/deploy.md configures it [postgres]", () => {
  let database: Awaited<ReturnType<typeof createClusterDatabase>> | undefined;
  let redis: TestRedis | undefined;
  let nginx: TestNginx | undefined;
  let browser: Browser | undefined;
  const processes: ServerProcessHandle[] = [];
  const contexts: BrowserContext[] = [];
  let base: string;
  let termsId: string;
  let groupId: string;
  let userIds: Map<string, string>;
  const sockets = new Map<Page, WebSocket[]>();

  beforeAll(async () => {
    database = await createClusterDatabase();
    redis = await TestRedis.start();
    const listenPort = await freePort();
    const ports: [number, number] = [await freePort(), await freePort()];
    for (const [index, port] of ports.entries()) {
      processes.push(
        await startProcess(
          {
            DATABASE_URL: database.url,
            REDIS_URL: redis.url,
            PORT: String(port),
            INSTANCE_ID: `web-${index + 1}`,
            // The address people use is nginx's; the browser below calls it by another name.
            PUBLIC_URL: `http://127.0.0.1:${listenPort}`,
            TRUST_PROXY: "loopback",
            LOG_LEVEL: "info",
          },
          `nginx-${index + 1}`,
        ),
      );
    }
    nginx = await TestNginx.start({ listenPort, upstreamPorts: ports });
    base = `http://localhost:${listenPort}`;
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const terms = (await client.query<{ id: string; group_id: string }>("select id, group_id from documents where kind = 'terms_of_reference'")).rows[0]!;
      termsId = terms.id;
      groupId = terms.group_id;
      userIds = new Map((await client.query<{ id: string; email: string }>("select id, email from users")).rows.map((row) => [row.email, row.id]));
    } finally {
      await client.end();
    }
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await nginx?.stop();
    await Promise.all(processes.map((server) => server.stop("SIGKILL")));
    await redis?.stop();
    await database?.drop();
  });

  /** Which process (0 or 1) holds this person's newest collaboration connection, if any. */
  const processOfNewestConnection = (email: string): number | undefined => {
    const userId = userIds.get(email);
    let newest: { index: number; time: number } | undefined;
    for (const [index, server] of processes.entries()) {
      for (const line of server.output().split("\n")) {
        if (!line.includes('"collaboration connection opened"') || !line.includes(`"userId":"${userId}"`)) continue;
        const time = (JSON.parse(line) as { time: number }).time;
        if (!newest || time >= newest.time) newest = { index, time };
      }
    }
    return newest?.index;
  };
  const connectionsOf = (email: string) =>
    processes.map((server) => server.output().split("\n").filter((line) => line.includes('"collaboration connection opened"') && line.includes(`"userId":"${userIds.get(email)}"`)).length);

  const openDocumentAs = async (email: string): Promise<Page> => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const opened: WebSocket[] = [];
    page.on("websocket", (socket) => opened.push(socket));
    sockets.set(page, opened);
    // Signing in is a form post through nginx, from an origin only X-Forwarded-Host vouches for.
    await signInAs(page, base, email);
    await page.goto(`${base}/groups/${groupId}/documents/${termsId}`);
    await page.getByRole("status").filter({ hasText: "All changes saved" }).waitFor({ timeout: 30_000 });
    return page;
  };

  it("carries sign-in, pages and both websocket doors to both processes; typing on one reaches the other", async () => {
    // On failure, what nginx and the processes said is the first thing to read.
    onTestFailed(() => {
      console.error(`nginx error log:\n${nginx?.errorLog() ?? ""}\naccess log:\n${JSON.stringify(nginx?.accessLog().slice(-40))}`);
      for (const server of processes) console.error(server.output().split("\n").filter((line) => /"level":(40|50|60)|refused/.test(line)).join("\n"));
    });
    const chair = await openDocumentAs("chair@example.org");
    await vi.waitFor(() => expect(processOfNewestConnection("chair@example.org")).toBeDefined(), { timeout: 15_000 });
    const chairProcess = processOfNewestConnection("chair@example.org")!;

    // The member's editor must be served by the other process: nginx takes turns, so reload until
    // its connection lands there (each reload is a new connection through nginx).
    const member = await openDocumentAs("member@example.org");
    for (let attempt = 0; ; attempt++) {
      const before = connectionsOf("member@example.org").reduce((sum, count) => sum + count, 0);
      await vi.waitFor(() => expect(connectionsOf("member@example.org").reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(Math.max(before, 1)), { timeout: 15_000 });
      if (processOfNewestConnection("member@example.org") !== chairProcess) break;
      if (attempt >= 12) throw new Error("nginx never sent the member's editor to the other process");
      // An extra request shifts nginx's turn, so the reload does not land in the same place.
      if (attempt % 2 === 1) await fetch(`${base}/healthz`);
      await member.reload();
      await member.getByRole("status").filter({ hasText: "All changes saved" }).waitFor({ timeout: 30_000 });
      await vi.waitFor(() => expect(connectionsOf("member@example.org").reduce((sum, count) => sum + count, 0)).toBeGreaterThan(before), { timeout: 15_000 });
    }
    expect(processOfNewestConnection("member@example.org")).not.toBe(chairProcess);

    // The chair types; the member, on the other process, sees it, and it is saved.
    const editor = chair.getByRole("textbox", { name: "Document text" });
    await editor.getByRole("heading", { name: "2. Background" }).click();
    await chair.keyboard.press("End");
    await chair.keyboard.type(" through nginx", { delay: 20 });
    await vi.waitFor(async () => expect(await editorText(member)).toContain("2. Background through nginx"), { timeout: 20_000, interval: 200 });
    await chair.getByRole("status").filter({ hasText: "All changes saved" }).waitFor({ timeout: 20_000 });

    // nginx's access log: both processes answered requests, and the sign-in form post was accepted.
    const log = nginx!.accessLog();
    const upstreams = new Set(log.filter((entry) => entry.upstream.startsWith("127.0.0.1:")).map((entry) => entry.upstream));
    expect(upstreams.size).toBe(2);
    const signIns = log.filter((entry) => entry.method === "POST" && /^\/login(\.data)?$/.test(entry.path));
    expect(signIns).toHaveLength(2);
    for (const entry of signIns) expect(entry.status).toBeLessThan(400);
    // Both websocket doors were upgraded through nginx and are still open on the member's page.
    for (const door of ["/collab/", "/socket.io/"]) {
      expect(sockets.get(member)!.filter((socket) => socket.url().includes(door) && !socket.isClosed()).length).toBeGreaterThan(0);
    }
    // No Socket.io request reached a process that did not know its connection (400, "Session ID
    // unknown"). 499 is nginx's "the browser gave up on it": a poll cut short by the upgrade or a reload.
    expect(nginx!.accessLog().filter((entry) => entry.path.startsWith("/socket.io/") && entry.status >= 400 && entry.status !== 499)).toEqual([]);
    for (const server of processes) expect(server.child.exitCode).toBeNull();
  });

  it("refuses a form posted from another site through nginx", async () => {
    const response = await fetch(`${base}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://evil.example" },
      body: new URLSearchParams({ email: "chair@example.org", password: "kia-ora-demo" }),
    });
    expect(response.status).toBe(403);
  });

  it("answers /healthz through nginx with the database and Redis", async () => {
    const health = (await (await fetch(`${base}/healthz`)).json()) as { status: string; database: string; mode: string; redis: string };
    expect(health).toMatchObject({ status: "ok", database: "postgres", mode: "postgres+redis", redis: "ok" });
  });
});
