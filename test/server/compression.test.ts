/**
 * Compression and caching (docs/decisions/022-compression-and-caching.md): precompressed build
 * assets sent as files with their encoding, Vary and the year-long immutable Cache-Control; pages
 * compressed on the fly above a size floor, never a form post's answer or one that sets a cookie;
 * HTML kept out of caches as its data requires; exports with an ETag and 304.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { precompressDirectory } from "../../server/cli/precompress.js";
import { readBrowserManifest } from "../../server/cli/page-weight.js";
import { acceptedEncoding } from "../../server/http/compression.js";
import { type TestServer, signIn, startTestServer } from "../support/server.js";

const root = path.resolve(import.meta.dirname, "..", "..");

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request whose body is left as it came (fetch would decompress it and hide the encoding). */
function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? "GET", headers: options.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

function decode(response: RawResponse): string {
  const encoding = response.headers["content-encoding"];
  if (encoding === "br") return zlib.brotliDecompressSync(response.body).toString("utf8");
  if (encoding === "gzip") return zlib.gunzipSync(response.body).toString("utf8");
  return response.body.toString("utf8");
}

describe("acceptedEncoding", () => {
  it("prefers brotli when the browser accepts both", () => {
    expect(acceptedEncoding("gzip, deflate, br, zstd")).toBe("br");
    expect(acceptedEncoding("br;q=1.0, gzip;q=0.8")).toBe("br");
  });
  it("takes gzip when brotli is not accepted or weighs less", () => {
    expect(acceptedEncoding("gzip, deflate")).toBe("gzip");
    expect(acceptedEncoding("br;q=0.5, gzip")).toBe("gzip");
    expect(acceptedEncoding("br;q=0, *")).toBe("gzip");
  });
  it("sends the file itself when nothing it has is accepted", () => {
    expect(acceptedEncoding(undefined)).toBeNull();
    expect(acceptedEncoding("")).toBeNull();
    expect(acceptedEncoding("identity")).toBeNull();
    expect(acceptedEncoding("br;q=0, gzip;q=0")).toBeNull();
    expect(acceptedEncoding("*;q=0")).toBeNull();
    expect(acceptedEncoding(",,;;q=x, deflate")).toBeNull();
  });
  it("takes any encoding for a bare *", () => {
    expect(acceptedEncoding("*")).toBe("br");
  });
});

describe("compression and caching over HTTP", () => {
  let server: TestServer;
  let asset: string;
  let rawAsset: Buffer;
  let memberCookie: string;

  beforeAll(async () => {
    // The suite's global setup may have rebuilt with `remix build`, which writes no copies.
    await precompressDirectory(path.join(root, "public", "build"));
    server = await startTestServer();
    asset = readBrowserManifest(root).entry.module;
    rawAsset = fs.readFileSync(path.join(root, "public", asset));
    memberCookie = await signIn(server, "member@example.org");
  });
  afterAll(async () => {
    await server?.close();
  });

  it("sends a build asset's brotli copy, with Vary and the immutable year-long Cache-Control", async () => {
    const response = await rawRequest(`${server.url}${asset}`, { headers: { "Accept-Encoding": "gzip, deflate, br" } });
    expect(response.status).toBe(200);
    expect(response.headers["content-encoding"]).toBe("br");
    expect(response.headers["content-type"]).toMatch(/^(application|text)\/javascript/);
    expect(response.headers.vary).toMatch(/Accept-Encoding/i);
    expect(response.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(response.body.length).toBeLessThan(rawAsset.length);
    expect(zlib.brotliDecompressSync(response.body).equals(rawAsset)).toBe(true);
  });

  it("sends the gzip copy to a browser that does not accept brotli, and the file itself to one that accepts neither", async () => {
    const gzip = await rawRequest(`${server.url}${asset}`, { headers: { "Accept-Encoding": "gzip" } });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gzip.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(zlib.gunzipSync(gzip.body).equals(rawAsset)).toBe(true);

    const plain = await rawRequest(`${server.url}${asset}`, { headers: { "Accept-Encoding": "identity" } });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers.vary).toMatch(/Accept-Encoding/i);
    expect(plain.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(plain.body.equals(rawAsset)).toBe(true);
  });

  it("gives each encoding of an asset its own ETag, and answers a repeat with 304", async () => {
    const brotli = await rawRequest(`${server.url}${asset}`, { headers: { "Accept-Encoding": "br" } });
    const gzip = await rawRequest(`${server.url}${asset}`, { headers: { "Accept-Encoding": "gzip" } });
    expect(brotli.headers.etag).toBeTruthy();
    expect(brotli.headers.etag).not.toBe(gzip.headers.etag);
    const again = await rawRequest(`${server.url}${asset}`, { headers: { "Accept-Encoding": "br", "If-None-Match": brotli.headers.etag! } });
    expect(again.status).toBe(304);
  });

  it("answers a missing asset with a plain 404 in any encoding", async () => {
    const response = await rawRequest(`${server.url}/build/_shared/no-such-chunk.js`, { headers: { "Accept-Encoding": "br" } });
    expect(response.status).toBe(404);
    expect(response.headers["content-encoding"]).toBeUndefined();
    const climbing = await rawRequest(`${server.url}/build/%2e%2e/%2e%2e/package.json`, { headers: { "Accept-Encoding": "br" } });
    expect(climbing.status).toBeGreaterThanOrEqual(400);
    expect(climbing.status).toBeLessThan(500);
  });

  it("compresses a signed-in page with brotli and keeps it out of every cache", async () => {
    const response = await rawRequest(`${server.url}/groups`, { headers: { "Accept-Encoding": "gzip, br", cookie: memberCookie } });
    expect(response.status).toBe(200);
    expect(response.headers["content-encoding"]).toBe("br");
    expect(response.headers.vary).toMatch(/Accept-Encoding/i);
    expect(response.headers["cache-control"]).toBe("private, no-store");
    expect(decode(response)).toContain("<html");
  });

  it("compresses the sign-in page with gzip for a browser without brotli, cached only privately and revalidated", async () => {
    const response = await rawRequest(`${server.url}/login`, { headers: { "Accept-Encoding": "gzip" } });
    expect(response.status).toBe(200);
    expect(response.headers["content-encoding"]).toBe("gzip");
    expect(response.headers["cache-control"]).toBe("private, no-cache");
    expect(decode(response)).toContain("<html");
  });

  it("leaves a response below the size floor uncompressed", async () => {
    const response = await rawRequest(`${server.url}/favicon.svg`, { headers: { "Accept-Encoding": "br" } });
    expect(response.status).toBe(200);
    expect(response.body.length).toBeLessThan(1024);
    expect(response.headers["content-encoding"]).toBeUndefined();
  });

  it("never compresses a form post's answer or an answer that sets a cookie", async () => {
    const login = await rawRequest(`${server.url}/login`, {
      method: "POST",
      headers: { "Accept-Encoding": "br, gzip", "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
      body: new URLSearchParams({ email: "member@example.org", password: "wrong password entirely" }).toString(),
    });
    expect(login.status).toBe(400);
    expect(login.body.length).toBeGreaterThan(1024);
    expect(login.headers["content-encoding"]).toBeUndefined();

    const signedIn = await rawRequest(`${server.url}/login`, {
      method: "POST",
      headers: { "Accept-Encoding": "br, gzip", "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
      body: new URLSearchParams({ email: "member@example.org", password: "kia-ora-demo" }).toString(),
    });
    expect(signedIn.headers["set-cookie"]).toBeTruthy();
    expect(signedIn.headers["content-encoding"]).toBeUndefined();
  });

  it("gives a Word export an ETag and answers the same request again with 304 Not Modified", async () => {
    const terms = await server.services.db
      .selectFrom("documents")
      .select(["id", "group_id"])
      .where("kind", "=", "terms_of_reference")
      .executeTakeFirstOrThrow();
    const base = `${server.url}/groups/${terms.group_id}/documents/${terms.id}`;
    const saved = await fetch(`${base}/versions?index`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: memberCookie, "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
      body: new URLSearchParams({ intent: "save", name: "For the Minister" }),
    });
    expect(await saved.text()).toContain("Saved as version 1");
    const url = `${base}/versions/1/export.docx`;
    const first = await rawRequest(url, { headers: { cookie: memberCookie, "Accept-Encoding": "br" } });
    expect(first.status).toBe(200);
    expect(first.headers["cache-control"]).toBe("private, no-cache");
    expect(first.headers["content-encoding"]).toBeUndefined();
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await rawRequest(url, { headers: { cookie: memberCookie, "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const changed = await rawRequest(url, { headers: { cookie: memberCookie, "If-None-Match": '"something-else"' } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).toBe(etag);
  });

  it("refuses the export to a consultee and to someone signed out, whatever If-None-Match says", async () => {
    const terms = await server.services.db
      .selectFrom("documents")
      .select(["id", "group_id"])
      .where("kind", "=", "terms_of_reference")
      .executeTakeFirstOrThrow();
    const url = `${server.url}/groups/${terms.group_id}/documents/${terms.id}/versions/1/export.docx`;
    const signedOut = await rawRequest(url, { headers: { "If-None-Match": "*" } });
    expect([302, 303, 401, 403, 404]).toContain(signedOut.status);
    const consultee = await rawRequest(url, { headers: { cookie: await signIn(server, "ngo@example.org"), "If-None-Match": "*" } });
    expect(consultee.status).toBe(404);
  });
});
