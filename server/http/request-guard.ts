/**
 * The edge of the HTTP door: what every request must be before any route, the web app included,
 * looks at it. A request that fails a check is answered here with a 4xx and a plain message, and
 * goes no further:
 *
 * - 400 for a Host that is missing or not a host name, and for a path or query whose
 *   percent-encoding does not decode (`/groups/%`, `?q=%E0%A4%A`);
 * - 413 for a body over the limit (1 MiB unless the route says otherwise), from its Content-Length
 *   before a byte of it is read, or as soon as a body without one passes the limit;
 * - 415 for a body the web app cannot read as a form (JSON, text/plain, a multipart type with no
 *   boundary), 400 for a form that does not parse (broken multipart);
 * - 408 for a body that stops arriving (a Content-Length that promises more than is sent).
 *
 * A body that passes is read here, into `response.locals.body`, so the web app never reads a
 * socket itself (server/http/remix-handler.ts).
 */
import type { IncomingMessage } from "node:http";
import type { NextFunction, Request, Response } from "express";
import { isValidHost } from "./origin.js";

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
/** How long a request body may take to arrive, start to finish. */
const bodyTimeoutMs = 30_000;

const bodyMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface EdgeRefusal {
  status: 400 | 403 | 408 | 413 | 415;
  code: string;
  message: string;
}

/** Answers a refused request: a short page for browsers, plain text otherwise; never a stack. */
export function sendRefusal(request: Request, response: Response, refusal: EdgeRefusal): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.status(refusal.status);
  response.setHeader("Cache-Control", "no-store");
  response.setHeader("X-Error-Code", refusal.code);
  if (refusal.status === 408) response.setHeader("Connection", "close");
  if (request.accepts(["text/plain", "text/html"]) === "text/html") {
    response.type("text/html").send(refusalPage(refusal));
  } else {
    response.type("text/plain").send(`${refusal.message}\n`);
  }
}

function refusalPage(refusal: EdgeRefusal): string {
  const escaped = refusal.message.replace(/[&<>"]/g, (character) => `&#${character.charCodeAt(0)};`);
  return `<!doctype html><html lang="en-NZ"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${refusal.status}: Stewardship Workspace</title></head><body><main><h1>${escaped}</h1><p><a href="/">Go to the Stewardship Workspace home page</a></p></main></body></html>`;
}

/** Does every percent-escape in `value` decode to UTF-8? (`+` in a query is a space, always fine.) */
export function decodesCleanly(value: string): boolean {
  if (!value.includes("%")) return true;
  try {
    decodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}

/** The checks on a request's line and headers; null when it may go on. */
export function checkRequestHead(request: IncomingMessage, bodyLimit = DEFAULT_BODY_LIMIT_BYTES): EdgeRefusal | null {
  const url = request.url ?? "";
  if (!url.startsWith("/")) return { status: 400, code: "BAD_REQUEST", message: "The address of this request is not valid." };
  if (!isValidHost(request.headers.host)) {
    return { status: 400, code: "BAD_HOST", message: "This request has no valid Host header." };
  }
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? "" : url.slice(queryAt + 1);
  if (!decodesCleanly(path) || !query.split(/[&=]/).every(decodesCleanly)) {
    return {
      status: 400,
      code: "BAD_ENCODING",
      message: "This address has a broken percent-encoding (a % not followed by a valid character code).",
    };
  }
  const method = request.method ?? "GET";
  if (!bodyMethods.has(method)) return null;
  const declared = request.headers["content-length"];
  if (declared !== undefined && (!/^\d+$/.test(declared) || Number(declared) > bodyLimit)) {
    return /^\d+$/.test(declared) ? tooLarge(bodyLimit) : { status: 400, code: "BAD_REQUEST", message: "This request's Content-Length is not a number." };
  }
  const hasBody = request.headers["transfer-encoding"] !== undefined || (declared !== undefined && declared !== "0");
  const type = contentType(request.headers["content-type"]);
  if (type === "application/x-www-form-urlencoded") return null;
  if (type === "multipart/form-data") {
    return /;\s*boundary=("?)[^";]+\1/i.test(request.headers["content-type"] ?? "")
      ? null
      : { status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "This form says it is multipart but names no boundary." };
  }
  if (type === "" && !hasBody) return null;
  return {
    status: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
    message: "Forms here are sent as a web page sends them (application/x-www-form-urlencoded or multipart/form-data).",
  };
}

function contentType(header: string | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

function tooLarge(limit: number): EdgeRefusal {
  return {
    status: 413,
    code: "PAYLOAD_TOO_LARGE",
    message: `This form is too large: at most ${Math.round(limit / 1024)} KB may be sent.`,
  };
}

/** Express middleware: the checks above, for every request. */
export function requestGuard() {
  return (request: Request, response: Response, next: NextFunction): void => {
    const refusal = checkRequestHead(request);
    if (!refusal) return next();
    response.locals.refusal = refusal.code;
    if (refusal.status === 413) stopReading(request, response);
    sendRefusal(request, response, refusal);
  };
}

/**
 * Reads a request body (at most `limit` bytes) into `response.locals.body`, then checks that a
 * multipart form parses. Used only in front of the web app: nothing else takes bodies.
 */
export function readBody(limit = DEFAULT_BODY_LIMIT_BYTES) {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (!bodyMethods.has(request.method)) return next();
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (refusal: EdgeRefusal | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onError);
      request.off("aborted", onAborted);
      if (refusal) {
        response.locals.refusal = refusal.code;
        if (refusal.status === 413 || refusal.status === 408) stopReading(request, response);
        sendRefusal(request, response, refusal);
        return;
      }
      const body = Buffer.concat(chunks, received);
      response.locals.body = body;
      void validateForm(request, body).then((problem) => (problem ? finishRefused(problem) : next()));
    };
    const finishRefused = (refusal: EdgeRefusal) => {
      response.locals.refusal = refusal.code;
      sendRefusal(request, response, refusal);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.byteLength;
      if (received > limit) return finish(tooLarge(limit));
      chunks.push(chunk);
    };
    const onEnd = () => finish(null);
    const onError = () => {
      settled = true;
      clearTimeout(timer);
      request.destroy();
    };
    // The client went away mid-body: nobody is left to answer.
    const onAborted = onError;
    const timer = setTimeout(
      () => finish({ status: 408, code: "REQUEST_TIMEOUT", message: "The form took too long to arrive. Please try again." }),
      bodyTimeoutMs,
    );
    timer.unref();
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onError);
    request.on("aborted", onAborted);
  };
}

/** A multipart body must parse as a form; a urlencoded one always does. */
async function validateForm(request: Request, body: Buffer): Promise<EdgeRefusal | null> {
  if (contentType(request.headers["content-type"]) !== "multipart/form-data") return null;
  try {
    await new Response(new Uint8Array(body), { headers: { "Content-Type": request.headers["content-type"]! } }).formData();
    return null;
  } catch {
    return { status: 400, code: "BAD_FORM", message: "This form could not be read: its multipart body is broken." };
  }
}

/**
 * After refusing a body, keep none of it: the answer goes out at once and the connection closes
 * behind it, the way nginx's lingering close does it. Node would end a "Connection: close"
 * response with `socket.destroySoon()`, and the rest of the body, arriving at a closed socket,
 * would be met with a reset that can reach the client before it has read the 413. Instead this
 * socket is only half-closed (the answer, then FIN) and whatever the client is still sending is
 * read and thrown away, until it stops for `lingerIdleMs` or `lingerMaxMs` have passed. So a
 * 50 MB upload costs no memory, and a slow sender holds a socket for seconds, not minutes.
 */
const lingerIdleMs = 2_000;
const lingerMaxMs = 15_000;
function stopReading(request: Request, response: Response): void {
  request.pause();
  response.setHeader("Connection", "close");
  const socket = request.socket as typeof request.socket & { destroySoon?: () => void };
  socket.destroySoon = () => socket.end();
  response.once("finish", () => {
    const cut = () => socket.destroy();
    const deadline = setTimeout(cut, lingerMaxMs);
    let idle = setTimeout(cut, lingerIdleMs);
    deadline.unref();
    idle.unref();
    const done = () => {
      clearTimeout(deadline);
      clearTimeout(idle);
    };
    // The whole body has been read: nothing is left that could draw a reset.
    request.once("end", () => {
      done();
      socket.destroy();
    });
    request.once("close", done);
    // Flowing, with a listener that keeps nothing: each chunk only pushes the idle cut-off back.
    request.removeAllListeners("data");
    request.on("data", () => {
      clearTimeout(idle);
      idle = setTimeout(cut, lingerIdleMs);
      idle.unref();
    });
    request.resume();
  });
}
