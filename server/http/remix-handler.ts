/**
 * Hands a request to the Remix app. This is @remix-run/express's adapter, less what our edge does
 * better (docs/decisions/013-every-door-catches-its-own-failures.md):
 *
 * - the URL is built from the origin the request addressed as `requestSource` read it (a Host that
 *   is not a host name was already refused with 400), not from an unchecked Host header;
 * - the body is the one `readBody` already read within the limit, not the socket;
 * - the Origin and X-Forwarded-* headers are not passed on. Our one origin rule
 *   (server/http/origin.ts) has already decided every form post; Remix's own copy of the rule
 *   compares Origin with Host and throws, a 500, where they differ behind a proxy or between
 *   `localhost` and `127.0.0.1`.
 */
import crypto from "node:crypto";
import { type AppLoadContext, type ServerBuild, createRequestHandler, writeReadableStreamToWritable } from "@remix-run/node";
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";
import { compressible, sendCompressed } from "./compression.js";
import type { OriginRule } from "./origin.js";

const droppedHeaders = new Set(["origin", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-for", "x-forwarded-port"]);

export function createRemixHandler(options: {
  build: ServerBuild;
  mode: "production" | "development";
  origins: OriginRule;
  getLoadContext(request: ExpressRequest, response: ExpressResponse): AppLoadContext;
}) {
  const handle = createRequestHandler(options.build, options.mode);
  return async (request: ExpressRequest, response: ExpressResponse, next: NextFunction): Promise<void> => {
    try {
      const remixRequest = toFetchRequest(request, response, options.origins);
      const remixResponse = await handle(remixRequest, options.getLoadContext(request, response));
      response.statusMessage = remixResponse.statusText;
      response.status(remixResponse.status);
      for (const [name, value] of remixResponse.headers.entries()) response.append(name, value);
      // Pages and data are one person's view of classified work: never kept by a shared cache, and
      // not kept at all once someone is signed in (shared computers in offices and marae; ADR 022).
      if (!remixResponse.headers.has("cache-control")) {
        response.setHeader("Cache-Control", response.locals.user ? "private, no-store" : "private, no-cache");
      }
      if (isExport(request, remixResponse)) {
        // Exports (Word files, calendars) carry an ETag of their bytes: asked again unchanged, a 304.
        const body = Buffer.from(await remixResponse.arrayBuffer());
        const etag = remixResponse.headers.get("etag") ?? `"${crypto.createHash("sha256").update(body).digest("base64url")}"`;
        response.setHeader("ETag", etag);
        if (fresh(request.get("if-none-match"), etag)) {
          response.removeHeader("Content-Length");
          response.status(304).end();
        } else {
          response.end(request.method === "HEAD" ? undefined : body);
        }
        return;
      }
      if (remixResponse.body && compressible(request, response, remixResponse)) {
        // Compressed in one piece: the app streams nothing in later parts (no defer), so nothing
        // is held back, and one synchronous brotli call costs far less than zlib's thread round
        // trips for each of the hundreds of chunks React writes (ADR 022, npm run bench:pages).
        sendCompressed(request, response, Buffer.from(await remixResponse.arrayBuffer()));
        return;
      }
      if (remixResponse.body) {
        await writeReadableStreamToWritable(remixResponse.body, response);
      } else {
        response.end();
      }
    } catch (error) {
      next(error);
    }
  };
}

function toFetchRequest(request: ExpressRequest, response: ExpressResponse, origins: OriginRule): Request {
  const source = origins.source(request);
  // The edge refused requests without a valid Host, so this is only a fallback for the types.
  const url = `${source.origin ?? origins.publicOrigin}${request.originalUrl}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || droppedHeaders.has(name)) continue;
    try {
      if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      else headers.set(name, value);
    } catch {
      // Node's parser let it through but the Fetch API will not carry it: the app never needs it.
    }
  }
  const controller = new AbortController();
  let finished = false;
  response.on("finish", () => {
    finished = true;
  });
  // Loaders and actions stop when nobody is left to answer, never after the answer went out.
  response.on("close", () => {
    if (!finished) controller.abort();
  });
  const init: RequestInit = { method: request.method, headers, signal: controller.signal };
  const body = response.locals.body as Buffer | undefined;
  if (request.method !== "GET" && request.method !== "HEAD") init.body = new Uint8Array(body ?? Buffer.alloc(0));
  return new Request(url, init);
}

/** A successful download: an attachment (the Word exports) or a calendar (invitations, feeds). */
function isExport(request: ExpressRequest, response: globalThis.Response): boolean {
  if ((request.method !== "GET" && request.method !== "HEAD") || response.status !== 200 || !response.body) return false;
  const type = response.headers.get("content-type") ?? "";
  return /^\s*attachment/i.test(response.headers.get("content-disposition") ?? "") || type.startsWith("text/calendar");
}

/** Whether If-None-Match names `etag` (weak comparison, as RFC 9110 asks for GET). */
function fresh(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => bare(tag) === bare(etag));
}
