import net from "node:net";
import { io as connectSocket } from "socket.io-client";
import { describe, expect, it } from "vitest";
import { signIn, startTestServer, startTestServerForSuite } from "../support/server.js";
import { formatNzDate } from "../../app/utils/dates.js";
import { demoMeeting } from "../support/demo-meeting.js";

/** Sends a raw upgrade request and returns the status line the server answers with. */
function rawUpgrade(url: string, path: string, headers: Record<string, string> = {}): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1", () => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`,
      );
    });
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
    });
    socket.on("close", () => resolve(received.split("\r\n")[0] ?? ""));
    socket.on("error", reject);
  });
}

describe("the server", () => {
  const server = startTestServerForSuite();

  it("reports healthy with the embedded database on /healthz", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "ok", database: "pglite" });
  });

  it("renders the sign-in page in New Zealand English with security headers", async () => {
    const response = await fetch(`${server.url}/login`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<html lang="en-NZ">');
    expect(html).toContain("Sign in");
    // The label names the email field it belongs to.
    const emailId = /<label for="([^"]+)">Email address<\/label>/.exec(html)?.[1];
    expect(emailId).toBeDefined();
    expect(html).toContain(`id="${emailId}"`);
    expect(html).toMatch(new RegExp(`<input[^>]*id="${emailId}"[^>]*name="email"|<input[^>]*name="email"[^>]*id="${emailId}"`));
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    // Every inline script Remix writes carries the nonce the policy names.
    const inlineScripts = html.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? [];
    expect(inlineScripts.length).toBeGreaterThan(0);
    for (const tag of inlineScripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  it("sends a visitor who is not signed in to the sign-in page", async () => {
    const response = await fetch(`${server.url}/groups`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login?redirectTo=%2Fgroups");
  });

  it("shows a signed-in member their group home with macrons intact", async () => {
    const cookie = await signIn(server, "member@example.org");
    const groups = await (await fetch(`${server.url}/groups`, { headers: { cookie } })).text();
    const groupPath = /href="(\/groups\/[0-9a-f-]{36})"/.exec(groups)?.[1];
    expect(groupPath).toBeDefined();
    const home = await (await fetch(`${server.url}${groupPath}`, { headers: { cookie } })).text();
    expect(home).toContain("Social Sector Commissioning Stewardship Group");
    expect(home).toContain("Terms of reference");
    expect(home).toContain("Karakia and whakawhanaungatanga");
    expect(home).toContain(formatNzDate((await demoMeeting(server.services.db)).startsAt));
  });

  it("accepts a Socket.io connection with a session and answers a ping", async () => {
    const cookie = await signIn(server, "chair@example.org");
    const socket = connectSocket(server.url, { transports: ["websocket"], extraHeaders: { cookie }, reconnection: false });
    try {
      const reply = await new Promise<{ ok: boolean }>((resolve, reject) => {
        socket.on("connect_error", reject);
        socket.on("connect", () => socket.emit("ping", {}, resolve));
      });
      expect(reply.ok).toBe(true);
    } finally {
      socket.close();
    }
  });

  it("refuses a Socket.io connection without a session at the handshake", async () => {
    const socket = connectSocket(server.url, { transports: ["websocket"], reconnection: false });
    try {
      const error = await new Promise<Error>((resolve) => socket.on("connect_error", resolve));
      expect(error.message).toBe("UNAUTHENTICATED");
      expect(socket.connected).toBe(false);
    } finally {
      socket.close();
    }
  });

  it("refuses an upgrade to an unknown path with 404", async () => {
    expect(await rawUpgrade(server.url, "/somewhere-else")).toBe("HTTP/1.1 404 Not Found");
    expect(await rawUpgrade(server.url, "/collab")).toBe("HTTP/1.1 404 Not Found");
  });

  it("authenticates before looking up: 401 without a session at the collaboration endpoint whatever the id", async () => {
    // Nobody without a session learns whether a document exists (401 for every id alike).
    expect(await rawUpgrade(server.url, "/collab/not-a-document")).toBe("HTTP/1.1 401 Unauthorized");
    expect(await rawUpgrade(server.url, "/collab/00000000-0000-4000-8000-000000000000")).toBe("HTTP/1.1 401 Unauthorized");
    const document = await server.services.db.selectFrom("documents").select("id").executeTakeFirstOrThrow();
    expect(await rawUpgrade(server.url, `/collab/${document.id}`)).toBe("HTTP/1.1 401 Unauthorized");
  });

  it("refuses a form posted from another site", async () => {
    const response = await fetch(`${server.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://attacker.example" },
      body: new URLSearchParams({ email: "chair@example.org", password: "kia-ora-demo" }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("set-cookie")).toBeNull();
  });
});

describe("the web app after a start", () => {
  // Reconnecting editors come first after a restart: the app loads at the first page request, or
  // appLoadDelayMs after listening, whichever comes first.
  it("loads for the first page request without waiting for the delay", async () => {
    const server = await startTestServer({ appLoadDelayMs: 10 * 60_000 });
    try {
      const response = await fetch(`${server.url}/login`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("Sign in");
      await server.appLoaded;
    } finally {
      await server.close();
    }
  });

  it("loads by itself once the delay has passed, with no page asked for", async () => {
    const server = await startTestServer({ appLoadDelayMs: 50 });
    try {
      await server.appLoaded;
    } finally {
      await server.close();
    }
  });
});

describe("the server when the database is unreachable", () => {
  it("answers /healthz with 503", async () => {
    const server = await startTestServer();
    try {
      await server.services.database.close();
      const response = await fetch(`${server.url}/healthz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: "unavailable", database: "pglite" });
    } finally {
      await server.shutdown("test finished");
    }
  });
});
