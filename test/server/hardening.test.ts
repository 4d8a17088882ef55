/**
 * One test per finding of the hardening review (issue 16): each request below used to stop the
 * process or get a 5xx. The server runs in this test process, so a listener that threw would fail
 * the test run itself; each test also checks that the server still answers afterwards.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendParagraph, connectClient, rawUpgradeStatus } from "./collab/collab-clients.js";
import { type TestServer, signIn, startTestServer } from "../support/server.js";

/** Writes `request` on a raw socket; resolves with everything the server answered before closing. */
function rawHttp(url: string, request: string | Buffer, { endAfterWrite = false } = {}): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1", () => {
      socket.write(request);
      if (endAfterWrite) socket.end();
    });
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
    });
    socket.on("close", () => resolve(received));
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? resolve(received) : reject(error)));
    socket.setTimeout(10_000, () => socket.destroy());
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);

describe("the server's doors, attacked", () => {
  let server: TestServer;
  let port: string;
  beforeAll(async () => {
    server = await startTestServer();
    port = new URL(server.url).port;
  });
  afterAll(async () => {
    await server.close();
  });

  const stillServing = async () => expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

  it("answers a collaboration upgrade with broken percent-encoding with 400, and keeps running", async () => {
    expect(await rawUpgradeStatus(server.url, "/collab/%E0%A4%A")).toBe("HTTP/1.1 400 Bad Request");
    await stillServing();
  });

  it("refuses Engine.IO polling with Origin: null (a sandboxed frame) with 403, and keeps running", async () => {
    const response = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: "null" } });
    expect(response.status).toBe(403);
    await stillServing();
  });

  it("refuses a Socket.io websocket upgrade whose Origin is not a URL with 403, and keeps running", async () => {
    expect(await rawUpgradeStatus(server.url, "/socket.io/?EIO=4&transport=websocket", { Origin: "not a url" })).toBe(
      "HTTP/1.1 403 Forbidden",
    );
    await stillServing();
  });

  it("answers broken percent-encoding in any page path or query with 400", async () => {
    for (const path of ["/groups/%", "/invitations/%E0%A4%A", "/calendar/%ZZ.ics", "/unsubscribe/%C0%AF", "/approvals/%", "/login?redirectTo=%E0%A4%A"]) {
      const response = await fetch(`${server.url}${path}`, { redirect: "manual" });
      expect(response.status, path).toBe(400);
      expect(response.headers.get("x-error-code"), path).toBe("BAD_ENCODING");
    }
    await stillServing();
  });

  it("treats a session cookie that does not decode as no session, and clears it", async () => {
    const response = await fetch(`${server.url}/groups`, { redirect: "manual", headers: { cookie: "stewardship_session=%%%" } });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toContain("/login");
    expect(response.headers.getSetCookie().join("\n")).toMatch(/stewardship_session=;/);
  });

  it("refuses JSON, a multipart type with no boundary and a broken multipart body posted to /login with 4xx", async () => {
    const post = (contentType: string, body: string) =>
      fetch(`${server.url}/login`, { method: "POST", redirect: "manual", headers: { "Content-Type": contentType, Origin: server.url }, body });
    expect((await post("application/json", '{"email":"chair@example.org"}')).status).toBe(415);
    expect((await post("text/plain", "email=chair@example.org")).status).toBe(415);
    expect((await post("multipart/form-data", "--x\r\n")).status).toBe(415);
    const broken = await post("multipart/form-data; boundary=abc", '--abc\r\nContent-Disposition: form-data; name="email"\r\n\r\nchair');
    expect(broken.status).toBe(400);
    expect(await broken.text()).toContain("could not be read");
    await stillServing();
  });

  it("answers a malformed or missing Host with 400", async () => {
    expect(statusOf(await rawHttp(server.url, `GET /login HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n`))).toBe(400);
    expect(statusOf(await rawHttp(server.url, `GET /login HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n`))).toBe(400);
    expect(statusOf(await rawHttp(server.url, `GET /login HTTP/1.1\r\nConnection: close\r\n\r\n`))).toBe(400);
    expect(statusOf(await rawHttp(server.url, `GET /login HTTP/1.0\r\n\r\n`))).toBe(400);
    await stillServing();
  });

  it("refuses a form whose Origin names another host with 403 from our own check, before the web app's", async () => {
    const response = await fetch(`${server.url.replace("localhost", "127.0.0.1")}/login`, {
      method: "POST",
      redirect: "manual",
      // A page on another host and port than this server and its PUBLIC_URL (http://localhost:3000).
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "http://localhost:3001" },
      body: new URLSearchParams({ email: "chair@example.org", password: "kia-ora-demo" }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-error-code")).toBe("FORBIDDEN_ORIGIN");
  });

  it("accepts a form from PUBLIC_URL's origin posted to the server addressed as 127.0.0.1, where Remix's check answered 500", async () => {
    // Without PUBLIC_URL the server's own address (http://localhost:<port>) stands for it.
    const response = await fetch(`${server.url.replace("localhost", "127.0.0.1")}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
      body: new URLSearchParams({ email: "chair@example.org", password: "kia-ora-demo" }),
    });
    expect(response.status).toBe(302);
  });

  it("accepts a form from the origin the browser addressed, whatever PUBLIC_URL's host is called", async () => {
    const direct = server.url.replace("localhost", "127.0.0.1");
    const response = await fetch(`${direct}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: direct },
      body: new URLSearchParams({ email: "chair@example.org", password: "kia-ora-demo" }),
    });
    // Remix's own origin check would have answered 500 here (its Origin and Host differ from PUBLIC_URL).
    expect(response.status).toBe(302);
  });

  it("answers a 50 MB form with 413 from its Content-Length, without reading it", async () => {
    const headers =
      `POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`;
    // Only the headers and a few bytes are sent: the answer comes without waiting for the rest.
    const answer = await rawHttp(server.url, `${headers}email=x`);
    expect(statusOf(answer)).toBe(413);
    expect(answer).toContain("too large");
    await stillServing();
  });

  it("lets a client that keeps sending a refused 50 MB body read its 413, not a connection reset", async () => {
    // The client writes the whole body before it looks at the answer, as a simple uploader does.
    const total = 50 * 1024 * 1024;
    const outcome = await new Promise<{ answer: string; error?: string }>((resolve) => {
      const socket = net.connect(Number(port), "127.0.0.1");
      let answer = "";
      const piece = Buffer.alloc(256 * 1024, "a");
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent += piece.length;
          if (!socket.write(piece)) return void socket.once("drain", pump);
        }
      };
      socket.on("connect", () => {
        socket.write(
          `POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n` +
            `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${total}\r\nConnection: close\r\n\r\n`,
        );
        // Reads nothing until a second has passed: the answer waits in the socket meanwhile.
        socket.pause();
        setTimeout(() => socket.resume(), 1_000);
        pump();
      });
      socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
      socket.on("error", (error: NodeJS.ErrnoException) => resolve({ answer, error: error.code }));
      socket.on("close", () => resolve({ answer }));
      socket.setTimeout(30_000, () => socket.destroy());
    });
    expect(outcome.error).toBeUndefined();
    expect(statusOf(outcome.answer)).toBe(413);
    expect(outcome.answer.toLowerCase()).toContain("connection: close");
    await stillServing();
  });

  it("answers a chunked body that grows past the limit with 413", async () => {
    const chunk = "a".repeat(64 * 1024);
    const response = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode(chunk));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    await stillServing();
  });

  it("answers a Content-Length that promises more than arrives without a 5xx, and one that promises less with 4xx", async () => {
    const head = (length: number) =>
      `POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;
    // Longer than sent, then the client stops sending: nobody is left to answer, and nothing breaks.
    const short = await rawHttp(server.url, `${head(1000)}email=x`, { endAfterWrite: true });
    expect(statusOf(short) === 0 || statusOf(short) < 500).toBe(true);
    // Shorter than sent: the rest is read as a second request, which is not HTTP.
    const long = await rawHttp(server.url, `${head(3)}email=chair%40example.org&password=x`);
    expect(statusOf(long)).toBeLessThan(500);
    await stillServing();
  });

  it("serves the product's icon at /favicon.ico and answers a missing static file with a plain 404", async () => {
    const icon = await fetch(`${server.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toMatch(/icon/);
    const svg = await fetch(`${server.url}/favicon.svg`);
    expect(svg.status).toBe(200);
    const missing = await fetch(`${server.url}/build/no-such-file.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("text/plain");
  });

  it("sends our 'saved' messages only to clients that asked for them (?saved=1)", async () => {
    const cookie = await signIn(server, "member@example.org");
    const document = await server.services.db.selectFrom("documents").select("id").where("kind", "=", "agenda").executeTakeFirstOrThrow();
    const asking = connectClient(server.url, document.id, cookie);
    const plain = connectClient(server.url, document.id, cookie, { saved: false });
    const unknownMessages: number[] = [];
    // The stock provider logs a message type it has no handler for; count them instead.
    const handlers = plain.provider.messageHandlers as unknown as Record<number, unknown>;
    delete handlers[100];
    const original = console.error;
    console.error = (...args: unknown[]) => {
      if (String(args[0]).includes("Unable to compute message")) unknownMessages.push(1);
      else original(...args);
    };
    try {
      await new Promise<void>((resolve) => (asking.provider.synced ? resolve() : asking.provider.once("sync", () => resolve())));
      await new Promise<void>((resolve) => (plain.provider.synced ? resolve() : plain.provider.once("sync", () => resolve())));
      appendParagraph(asking.doc, "kia ora");
      await expect.poll(() => asking.saved.length).toBeGreaterThan(1);
      expect(plain.saved).toEqual([]);
      expect(unknownMessages).toEqual([]);
    } finally {
      console.error = original;
      asking.destroy();
      plain.destroy();
    }
  });
});
