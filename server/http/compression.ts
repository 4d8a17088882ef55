/**
 * Compression and caching for HTTP responses (docs/decisions/022-compression-and-caching.md).
 *
 * - Hashed build assets: the `.br` and `.gz` copies `npm run build` wrote beside each file
 *   (server/cli/precompress.ts) are sent as they are, brotli where the browser accepts it, else
 *   gzip, else the file itself; always with `Vary: Accept-Encoding`.
 * - Pages, data and JSON from the web app: compressed in one piece (server/http/remix-handler.ts),
 *   brotli at a quick quality or gzip, when they are at least 1 KB. Not compressed: answers to form
 *   posts and answers that set a cookie (BREACH, see the ADR), and anything marked `no-transform`.
 * - Websocket traffic never passes through here: upgrades go to the upgrade router, not Express.
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import type { NextFunction, Request, Response } from "express";

export type Encoding = "br" | "gzip";

/**
 * The encoding to send for an Accept-Encoding header: brotli when accepted, else gzip, else none.
 * Honours `q=0` (refused) and `*`; between two accepted encodings brotli wins, being smaller.
 */
export function acceptedEncoding(header: string | undefined): Encoding | null {
  if (!header) return null;
  const weights = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name, ...parameters] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    let weight = 1;
    for (const parameter of parameters) {
      const match = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(parameter);
      if (match) weight = Number(match[1]);
    }
    weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (encoding: Encoding) => weights.get(encoding) ?? weights.get("*") ?? 0;
  const brotli = weightOf("br");
  const gzip = weightOf("gzip");
  if (brotli > 0 && brotli >= gzip) return "br";
  if (gzip > 0) return "gzip";
  return null;
}

const precompressedTypes = /\.(js|css|json|svg|txt|map)$/;

/**
 * Serves the precompressed copy of a build asset, by pointing the request at `<file>.br` or
 * `<file>.gz` for the static file server that follows (which adds the ETag and Cache-Control).
 * Mount it on the same path as that static server.
 */
export function precompressedAssets(directory: string) {
  const exists = new Map<string, boolean>();
  const hasCopy = (file: string): boolean => {
    const known = exists.get(file);
    if (known !== undefined) return known;
    const found = fs.existsSync(file);
    // Only copies that exist are remembered: a stream of made-up names must not grow the map.
    if (found) exists.set(file, true);
    return found;
  };
  return (request: Request, response: Response, next: NextFunction): void => {
    if ((request.method !== "GET" && request.method !== "HEAD") || !precompressedTypes.test(request.path)) return next();
    response.vary("Accept-Encoding");
    const encoding = acceptedEncoding(request.get("accept-encoding"));
    const relative = path.posix.normalize(request.path);
    if (!encoding || relative.includes("..") || relative.includes("\0")) return next();
    const suffix = encoding === "br" ? ".br" : ".gz";
    if (!hasCopy(path.join(directory, `${relative}${suffix}`))) return next();
    response.type(path.extname(relative));
    response.setHeader("Content-Encoding", encoding);
    const queryAt = request.url.indexOf("?");
    request.url = queryAt === -1 ? `${request.url}${suffix}` : `${request.url.slice(0, queryAt)}${suffix}${request.url.slice(queryAt)}`;
    next();
  };
}

/** The smallest response worth compressing: below this the headers cost more than is saved. */
export const compressionThresholdBytes = 1024;

const compressibleType = /^\s*(text\/|application\/(json|javascript|xml|[\w.+-]+\+(json|xml))|image\/svg\+xml)/i;

/**
 * Whether a web app answer may be compressed: a GET or HEAD (a form post's answer may show a secret
 * once, such as a new calendar feed address), no cookie set (a login or a session change), not
 * already encoded, not marked `no-transform`, and text (ADR 022, BREACH).
 */
export function compressible(request: Request, response: Response, answer: globalThis.Response): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  if (response.getHeader("Set-Cookie") !== undefined || answer.headers.has("set-cookie")) return false;
  if (answer.headers.has("content-encoding")) return false;
  if (/\bno-transform\b/i.test(answer.headers.get("cache-control") ?? "")) return false;
  return compressibleType.test(answer.headers.get("content-type") ?? "");
}

/** Sends `body` brotli- or gzip-compressed when the browser accepts it and it is at least 1 KB. */
export function sendCompressed(request: Request, response: Response, body: Buffer): void {
  response.vary("Accept-Encoding");
  const encoding = body.length >= compressionThresholdBytes ? acceptedEncoding(request.get("accept-encoding")) : null;
  const sent =
    encoding === "br"
      ? zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
      : encoding === "gzip"
        ? zlib.gzipSync(body, { level: 6 })
        : body;
  if (encoding) response.setHeader("Content-Encoding", encoding);
  response.setHeader("Content-Length", String(sent.length));
  response.end(request.method === "HEAD" ? undefined : sent);
}
