/**
 * The edge fuzz's cases: malformed requests at every door of the HTTP server (raw HTTP, page
 * paths, query strings, cookies, Origin/Referer/Host, bodies, Engine.IO polling, and the
 * `/socket.io` and `/collab` upgrades), each with the answers the fixed server may give.
 *
 * Cases are generated up front from a seeded PRNG and name what they need symbolically (the
 * group, the document, a role's session), so a server restarted after a crash (new port, new ids)
 * gets the very same cases.
 */
import { Random } from "./fuzz-random.js";
import { type RawAnswer, requestHead, sendLargeBody, sendRaw, upgradeHead } from "./raw-http.js";

export type Role = "chair" | "member" | "ngo" | "admin";

/** What a case runs against: the live server and what the demo gave it. */
export interface EdgeContext {
  port: number;
  url: string;
  cookies: Record<Role, string>;
  ids: { groupId: string; documentId: string; meetingId: string };
}

/** Which answers a case accepts. `not5xx`: anything but a 5xx, including no answer at all. */
export type Expectation = { statuses: number[] } | "not5xx" | "4xx";

export interface EdgeCase {
  name: string;
  /** The door, for the counts: "raw HTTP", "page path", "cookie" … */
  kind: string;
  /** The answers accepted; a function when they depend on the live server (its port, its ids). */
  expect: Expectation | ((context: EdgeContext) => Expectation);
  run(context: EdgeContext): Promise<RawAnswer>;
  /** A further check on the answer; returns what is wrong, or undefined. */
  check?(answer: RawAnswer): string | undefined;
  /** What a failure message says was expected, when `expect` alone does not say it. */
  expectedText?: string;
}

/** What is wrong with an answer, or undefined when the case accepts it. */
export function judge(testCase: EdgeCase, answer: RawAnswer, context: EdgeContext): string | undefined {
  const { status } = answer;
  if (status !== undefined && status >= 500) return `answered ${status}`;
  if (answer.outcome === "timed out") return "no answer within the deadline";
  const expectation = expectationOf(testCase, context);
  if (expectation === "4xx" && (status === undefined || status < 400 || status > 499)) return `answered ${status ?? `nothing (${answer.outcome})`}`;
  if (typeof expectation === "object" && (status === undefined || !expectation.statuses.includes(status))) {
    return `answered ${status ?? `nothing (${answer.outcome})`}`;
  }
  return testCase.check?.(answer);
}

export function expectationOf(testCase: EdgeCase, context: EdgeContext): Expectation {
  return typeof testCase.expect === "function" ? testCase.expect(context) : testCase.expect;
}

export function describeExpectation(expectation: Expectation): string {
  if (expectation === "not5xx") return "no 5xx";
  if (expectation === "4xx") return "a 4xx";
  return expectation.statuses.join(" or ");
}

// ---- symbolic values, resolved against the live server ---------------------------------------

/** `{g}`, `{d}`, `{m}` and `{port}` in a template, replaced by the live server's ids and port. */
function resolve(template: string, context: EdgeContext): string {
  return template
    .replaceAll("{g}", context.ids.groupId)
    .replaceAll("{d}", context.ids.documentId)
    .replaceAll("{m}", context.ids.meetingId)
    .replaceAll("{port}", String(context.port));
}

function resolveHeaders(headers: Record<string, string>, context: EdgeContext, role?: Role | "garbage", garbageCookie?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = resolve(value, context);
  if (role === "garbage") out.Cookie = resolve(garbageCookie ?? "", context);
  else if (role) out.Cookie = context.cookies[role];
  return out;
}

const ours = "http://127.0.0.1:{port}";

/** The origin of an http(s) URL, or undefined. */
function httpOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** A 413 that came before most of a 50 MB body was sent; what happened instead, otherwise. */
function refusedEarly(answer: RawAnswer): string | undefined {
  const sent = `${(answer.bytesSent / 1024 / 1024).toFixed(1)} MB of the 50 MB body`;
  if (answer.status === undefined) return `no answer the client could read: the connection was ${answer.outcome} after ${sent} had been sent`;
  if (answer.status !== 413) return `answered ${answer.status} after ${sent} had been sent`;
  if (answer.bytesSent >= 25 * 1024 * 1024) return `answered 413 only after ${sent} had been sent`;
  return undefined;
}

/** Path segments that break decoders, routers and parsers. */
function oddSegment(random: Random): string {
  return random.pick([
    "%",
    "%%",
    "%E0%A4%A",
    "%ZZ",
    "%C0%AF",
    "%ED%A0%80",
    "%FF",
    "%00",
    "%2F",
    "%2F..%2F..%2Fetc%2Fpasswd",
    "..%252F..",
    "%u0041",
    random.uuid(),
    random.uuid().toUpperCase(),
    "00000000-0000-0000-0000-000000000000",
    "{d}",
    "{g}",
    "{m}",
    "-1",
    "0",
    "1e309",
    "NaN",
    "9".repeat(30),
    "a".repeat(random.int(300, 4_000)),
    "%C4%81",
    "%F0%9F%92%A9",
    "__proto__",
    "constructor",
    "%2e%2e",
    ".",
    "%3Cscript%3E",
    "'%22",
    random.string(random.int(1, 40), "abc%0123456789ABCDEFZ-_.~!$&'()*+,;=:@"),
  ]);
}

/** Header values a browser would never send, and a few it would. */
function oddHeaderValue(random: Random): string {
  return random.pick([
    "null",
    "not a url",
    "http://",
    "http://[::1",
    "http://localhost:3000",
    "http://evil.example",
    ours,
    `${ours}/`,
    `${ours}.evil.example`,
    "https://127.0.0.1:{port}",
    "HTTP://127.0.0.1:{port}",
    "http://user:pass@127.0.0.1:{port}",
    "javascript:alert(1)",
    "file://",
    "data:,",
    "ā",
    "%E0%A4%A",
    "a".repeat(random.int(1_000, 6_000)),
    "",
    " ",
    random.string(random.int(1, 60), "abc:/.[]@%?#0123456789 "),
  ]);
}

/** Form routes, with the role whose session posts to them (no role: signed out). */
const formRoutes: { path: string; role?: Role }[] = [
  { path: "/login" },
  { path: "/forgot-password" },
  { path: "/reset-password/{x}" },
  { path: "/invitations/{x}" },
  { path: "/account", role: "member" },
  { path: "/account/notifications", role: "member" },
  { path: "/groups/{g}/documents", role: "chair" },
  // An index route's own action is reached with ?index (a form on the page posts there).
  { path: "/groups/{g}/documents/{d}?index", role: "chair" },
  { path: "/groups/{g}/documents/{d}/comments", role: "member" },
  { path: "/groups/{g}/meetings/new", role: "chair" },
  { path: "/groups/{g}/meetings/{m}?index", role: "chair" },
  { path: "/groups/{g}/meetings/{m}/attendance", role: "chair" },
  { path: "/groups/{g}/proposals/new", role: "chair" },
  // A proposal that is not there: the form is read, then the proposal is not found.
  { path: "/groups/{g}/proposals/{x}", role: "member" },
  { path: "/groups/{g}/invite", role: "chair" },
  { path: "/groups/{g}/members", role: "chair" },
  { path: "/notifications", role: "member" },
  { path: "/admin/accounts", role: "admin" },
  { path: "/admin/email", role: "admin" },
];

/** Page routes to take odd values in their parameters. */
const pageTemplates = [
  "/groups/{x}",
  "/groups/{x}/documents",
  "/groups/{g}/documents/{x}",
  "/groups/{g}/documents/{d}/versions/{x}",
  "/groups/{g}/documents/{d}/versions/{x}/print",
  "/groups/{g}/documents/{d}/versions/{x}/export.docx",
  "/groups/{g}/documents/{d}/{x}",
  "/groups/{g}/documents/{d}/consultation/summary.docx",
  "/groups/{g}/meetings/{x}",
  "/groups/{g}/meetings/{x}/invite.ics",
  "/groups/{g}/meetings/{x}/minutes.docx",
  "/groups/{g}/meetings/{m}/{x}",
  "/groups/{x}/proposals",
  "/groups/{g}/proposals/{x}",
  "/groups/{g}/proposals/{x}/{x}",
  "/groups/{x}/members",
  "/groups/{x}/decisions",
  "/invitations/{x}",
  "/reset-password/{x}",
  "/unsubscribe/{x}",
  "/calendar/{x}.ics",
  "/calendar/{x}",
  "/approvals/{x}",
  "/notifications/{x}",
  "/build/{x}",
  "/build/_assets/{x}.css",
  "/{x}",
  "/admin/{x}",
  "/{x}/{x}",
];

const queryTemplates = [
  "/login?redirectTo={q}",
  "/groups?{q}",
  "/groups/{g}/decisions?q={q}",
  "/groups/{g}/decisions?q={q}&organisation={q}&from={q}&to={q}",
  "/groups/{g}/meetings?{q}={q}",
  "/groups/{g}/documents/{d}/versions/compare?from={q}&to={q}",
  "/admin/audit?{q}",
  "/healthz?{q}",
  "/?{q}",
  "/groups/{g}/actions?status={q}",
  "/search?q={q}",
  "/search?q={q}&kind={q}&group={q}&from={q}&to={q}&status={q}&page={q}",
];

/** Odd searches for /search (issue 23): each must answer 200 (or 400 for broken encoding), never 5xx. */
const oddSearches: [name: string, query: string, statuses: number[]][] = [
  ["an empty query", "q=", [200]],
  ["no query at all", "", [200]],
  ["10 KB of words", `q=${"whanau%20".repeat(1_100)}`, [200]],
  ["broken percent-encoding", "q=%E0%A4%A", [200, 400]],
  ["an encoded lone surrogate", "q=%ED%A0%80", [200, 400]],
  ["an encoded NUL", "q=whanau%00centred", [200]],
  ["overlong UTF-8", "q=%C0%AF", [200, 400]],
  ["tsquery syntax", `q=${encodeURIComponent("&|!():*<->")}`, [200]],
  ["tsquery operators between words", `q=${encodeURIComponent("whanau & !(centred | contracts):*")}`, [200]],
  ["an unbalanced quote", `q=${encodeURIComponent('"whanau centred')}`, [200]],
  ["quotes only", `q=${encodeURIComponent('"""')}`, [200]],
  ["a backslash and a single quote", `q=${encodeURIComponent("\\' or 1=1 --")}`, [200]],
  ["markup", `q=${encodeURIComponent("<script>alert(1)</script>")}`, [200]],
  ["every filter odd", "q=whanau&kind=__proto__&group=not-a-uuid&from=2026-13-45&to=%ZZ&status=x&page=-1", [200, 400]],
  ["a repeated parameter", "q=a&q=b&kind=decision&kind=comment", [200]],
  ["page far past the end", "q=whanau&page=99999", [200]],
];

function oddQueryValue(random: Random): string {
  return random.pick([
    "%",
    "%E0%A4%A",
    "%ZZ",
    "%C0%AF",
    "%ED%A0%80",
    "%00",
    "a[]=1&a[]=2&a[b]=3",
    "__proto__[x]=1",
    "&".repeat(random.int(100, 3_000)),
    "a=".repeat(random.int(100, 1_000)),
    "x".repeat(random.int(1_000, 6_000)),
    "%2F%2Fevil.example",
    "//evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "-1",
    "1e309",
    "2026-13-45",
    "%C4%81%C4%81",
    random.string(random.int(1, 50), "%&=+;abcXYZ0123456789#?/"),
  ]);
}

function fill(template: string, random: Random): string {
  return template.replace(/\{x\}/g, () => oddSegment(random)).replace(/\{q\}/g, () => oddQueryValue(random));
}

// ---- the known findings: each with the answer the fixed server gives -------------------------

const form = "application/x-www-form-urlencoded";

function knownFindings(): EdgeCase[] {
  const upgrade = (name: string, path: string, headers: Record<string, string>, statuses: number[], role?: Role | "garbage", garbageCookie?: string): EdgeCase => ({
    name,
    kind: "known finding",
    expect: { statuses },
    run: (context) => sendRaw(context.port, upgradeHead(context.port, resolve(path, context), resolveHeaders(headers, context, role, garbageCookie))),
  });
  const get = (name: string, target: string, statuses: number[] | "not5xx" | "4xx", role?: Role | "garbage", headers: Record<string, string> = {}, garbageCookie?: string): EdgeCase => ({
    name,
    kind: "known finding",
    expect: Array.isArray(statuses) ? { statuses } : statuses,
    run: (context) => sendRaw(context.port, requestHead(context.port, "GET", resolve(target, context), resolveHeaders(headers, context, role, garbageCookie))),
  });
  const post = (name: string, target: string, contentType: string | undefined, body: string, statuses: number[], role?: Role, headers: Record<string, string> = { Origin: ours }): EdgeCase => ({
    name,
    kind: "known finding",
    expect: { statuses },
    run: (context) =>
      sendRaw(
        context.port,
        requestHead(context.port, "POST", resolve(target, context), resolveHeaders({ ...(contentType ? { "Content-Type": contentType } : {}), ...headers }, context, role), body),
      ),
  });
  const multipartBroken = '--XYZ\r\nContent-Disposition: form-data; name="email"\r\n\r\nchair@example.org\r\n--XYZ\r\nContent-Disposition: form-data; name="pass';

  return [
    upgrade("websocket upgrade to /collab/%E0%A4%A (broken percent-encoding)", "/collab/%E0%A4%A", {}, [400]),
    upgrade("websocket upgrade to /collab/%E0%A4%A signed in", "/collab/%E0%A4%A", {}, [400], "chair"),
    upgrade("websocket upgrade to /collab/%", "/collab/%", {}, [400]),
    upgrade("websocket upgrade to /collab/<no such document> without a session", `/collab/${new Random(1).uuid()}`, {}, [401]),
    upgrade("websocket upgrade to /collab/not-a-uuid without a session", "/collab/not-a-uuid", {}, [401]),
    upgrade("websocket upgrade to /collab/<the terms of reference> without a session", "/collab/{d}", {}, [401]),
    upgrade("websocket upgrade to /collab/<document> from another origin", "/collab/{d}", { Origin: "http://evil.example" }, [403], "chair"),
    upgrade("websocket upgrade to /collab/<document> with Origin: null", "/collab/{d}", { Origin: "null" }, [403], "chair"),
    upgrade("websocket upgrade to /collab/<document> with Origin: not a url", "/collab/{d}", { Origin: "not a url" }, [400, 403], "chair"),
    upgrade("websocket upgrade to /collab/<document> with stewardship_session=%%%", "/collab/{d}", {}, [401], "garbage", "stewardship_session=%%%"),
    {
      name: "GET /socket.io/?EIO=4&transport=polling with Origin: null",
      kind: "known finding",
      expect: { statuses: [400, 403] },
      run: (context) => sendRaw(context.port, requestHead(context.port, "GET", "/socket.io/?EIO=4&transport=polling", { Origin: "null" })),
    },
    {
      name: "GET /socket.io/?EIO=4&transport=polling with Origin: not a url",
      kind: "known finding",
      expect: { statuses: [400, 403] },
      run: (context) => sendRaw(context.port, requestHead(context.port, "GET", "/socket.io/?EIO=4&transport=polling", { Origin: "not a url" })),
    },
    upgrade("websocket upgrade to /socket.io/?EIO=4&transport=websocket with Origin: not a url", "/socket.io/?EIO=4&transport=websocket", { Origin: "not a url" }, [400, 403]),
    upgrade("websocket upgrade to /socket.io/?EIO=4&transport=websocket with Origin: null", "/socket.io/?EIO=4&transport=websocket", { Origin: "null" }, [400, 403]),
    // Compression (server/http/compression.ts): whatever Accept-Encoding says, a page or a 4xx.
    get("GET /login with a malformed Accept-Encoding", "/login", [200], undefined, { "Accept-Encoding": "br;q=abc, gzip;q=-1, *;q=2, ;;;, =, q=" }),
    get("GET /login with Accept-Encoding: *;q=0", "/login", [200], undefined, { "Accept-Encoding": "*;q=0" }),
    get("GET /groups signed in with a 4 KB Accept-Encoding", "/groups", [200], "chair", { "Accept-Encoding": `${"x-unknown, ".repeat(400)}br` }),
    get("GET /build/_shared/no-such-chunk.js with Accept-Encoding: br", "/build/_shared/no-such-chunk.js", [404], undefined, { "Accept-Encoding": "br" }),
    get("GET /build/%2e%2e/package.json with Accept-Encoding: br, gzip", "/build/%2e%2e/package.json", "4xx", undefined, { "Accept-Encoding": "br, gzip" }),
    get("GET /build/..%2f..%2fpackage.json.br with Accept-Encoding: br", "/build/..%2f..%2fpackage.json.br", "4xx", undefined, { "Accept-Encoding": "br" }),
    {
      name: "GET /socket.io/?EIO=4&transport=polling with Origin: http://localhost:3000 (another host)",
      kind: "known finding",
      expect: { statuses: [400, 403] },
      run: (context) => sendRaw(context.port, requestHead(context.port, "GET", "/socket.io/?EIO=4&transport=polling", { Origin: "http://localhost:3000" })),
    },
    get("GET /groups/% signed in", "/groups/%", [400, 404], "chair"),
    get("GET /groups/% signed out", "/groups/%", "not5xx"),
    get("GET /invitations/%E0%A4%A", "/invitations/%E0%A4%A", [400, 404]),
    get("GET /calendar/%ZZ.ics", "/calendar/%ZZ.ics", [400, 404]),
    get("GET /unsubscribe/%C0%AF", "/unsubscribe/%C0%AF", [400, 404]),
    get("GET /approvals/% signed in", "/approvals/%", [400, 404], "chair"),
    get("GET /groups/{g}/decisions?q=%E0%A4%A signed in", "/groups/{g}/decisions?q=%E0%A4%A", [200, 400], "chair"),
    ...oddSearches.flatMap(([what, query, statuses]) =>
      (["chair", "member", "ngo", "admin"] as const).map((role) => get(`GET /search with ${what}, as ${role}`, `/search?${query}`, statuses, role)),
    ),
    get("GET /search signed out", "/search?q=whanau", [302, 303]),
    get("GET /login?redirectTo=%", "/login?redirectTo=%", [200, 400]),
    get("GET /groups?%ZZ signed in", "/groups?%ZZ", [200, 400], "chair"),
    get("GET /groups with stewardship_session=%%%", "/groups", [302, 303, 400, 401], "garbage", {}, "stewardship_session=%%%"),
    get("GET /login with stewardship_session=%%%", "/login", [200, 400], "garbage", {}, "stewardship_session=%%%"),
    post("POST /login with a broken multipart body", "/login", "multipart/form-data; boundary=XYZ", multipartBroken, [400]),
    post("POST /login multipart with no boundary", "/login", "multipart/form-data", "email=chair%40example.org&password=x", [400, 415]),
    post("POST /login with JSON", "/login", "application/json", JSON.stringify({ email: "chair@example.org", password: "kia-ora-demo" }), [400, 415]),
    post("POST /groups/{g}/documents with JSON, signed in", "/groups/{g}/documents", "application/json", '{"title":"x"}', [400, 415], "chair"),
    post("POST /login with Origin: http://localhost:3000 (another host)", "/login", form, "email=a&password=b", [403], undefined, { Origin: "http://localhost:3000" }),
    post("POST /login with Referer: http://localhost:3000/login and no Origin", "/login", form, "email=a&password=b", [403], undefined, { Referer: "http://localhost:3000/login" }),
    post("POST /login with Origin: http://evil.example", "/login", form, "email=a&password=b", [403], undefined, { Origin: "http://evil.example" }),
    post("POST /login with Origin: null", "/login", form, "email=a&password=b", [403], undefined, { Origin: "null" }),
    post("POST /login with neither Origin nor Referer", "/login", form, "email=a&password=b", [403], undefined, {}),
    post("POST /groups/{g}/documents from another origin, signed in", "/groups/{g}/documents", form, "title=x", [403], "chair", { Origin: "http://localhost:3000" }),
    post("POST /login with a bad body from our own origin", "/login", form, "email=%E0%A4%A&password=%", [400]),
    {
      name: "GET / with a malformed Host header",
      kind: "known finding",
      expect: { statuses: [400] },
      run: (context) => sendRaw(context.port, requestHead(context.port, "GET", "/", { Host: "[::1" })),
    },
    {
      name: "GET /login with Host: a b c",
      kind: "known finding",
      expect: { statuses: [400] },
      run: (context) => sendRaw(context.port, requestHead(context.port, "GET", "/login", { Host: "a b c" })),
    },
    {
      name: "POST /login with a malformed Host and our Origin",
      kind: "known finding",
      expect: { statuses: [400, 403] },
      run: (context) =>
        sendRaw(context.port, requestHead(context.port, "POST", "/login", resolveHeaders({ Host: "127.0.0.1:{port}:x", Origin: ours, "Content-Type": form }, context), "email=a&password=b")),
    },
    {
      name: "GET /login over HTTP/1.1 with no Host",
      kind: "known finding",
      expect: { statuses: [400] },
      run: (context) => sendRaw(context.port, requestHead(context.port, "GET", "/login", {}, "", { host: null })),
    },
    {
      name: "GET /login over HTTP/1.0 with no Host",
      kind: "known finding",
      expect: "not5xx",
      run: (context) => sendRaw(context.port, requestHead(context.port, "GET", "/login", {}, "", { host: null, version: "HTTP/1.0" })),
    },
    {
      name: "GET /groups over HTTP/1.0 with no Host, signed in",
      kind: "known finding",
      expect: "not5xx",
      run: (context) => sendRaw(context.port, requestHead(context.port, "GET", "/groups", { Cookie: context.cookies.chair }, "", { host: null, version: "HTTP/1.0" })),
    },
    {
      name: "POST /login over HTTP/1.0 with no Host",
      kind: "known finding",
      expect: "4xx",
      run: (context) =>
        sendRaw(context.port, requestHead(context.port, "POST", "/login", resolveHeaders({ Origin: ours, "Content-Type": form }, context), "email=a&password=b", { host: null, version: "HTTP/1.0" })),
    },
    {
      name: "websocket upgrade to /collab/<document> over HTTP/1.0 with no Host",
      kind: "known finding",
      expect: "not5xx",
      run: (context) => sendRaw(context.port, upgradeHead(context.port, `/collab/${context.ids.documentId}`, {}, { host: null }).replace("HTTP/1.1", "HTTP/1.0")),
    },
    {
      name: "GET /login with X-Forwarded-Host: a b (trusted from loopback)",
      kind: "known finding",
      expect: { statuses: [200, 400] },
      run: (context) => sendRaw(context.port, requestHead(context.port, "GET", "/login", { "X-Forwarded-Host": "a b" })),
    },
    {
      name: "POST /login whose Content-Length is longer than the body (cut short)",
      kind: "known finding",
      expect: "not5xx",
      run: (context) =>
        sendRaw(context.port, requestHead(context.port, "POST", "/login", resolveHeaders({ Origin: ours, "Content-Type": form }, context), "email=a", { contentLength: 500 }), { halfClose: true }),
    },
    {
      name: "POST /login whose Content-Length is shorter than the body",
      kind: "known finding",
      expect: { statuses: [400] },
      run: (context) =>
        sendRaw(context.port, requestHead(context.port, "POST", "/login", resolveHeaders({ Origin: ours, "Content-Type": form }, context), "email=a&password=b&redirectTo=%2F&x=GET / HTTP/1.1\r\n\r\n", { contentLength: 7 })),
    },
    {
      name: "POST /login with a 50 MB urlencoded body",
      kind: "known finding",
      // 413, checked by refusedEarly with how much of the body had gone.
      expect: "not5xx",
      expectedText: "413 before most of the body has been sent",
      run: (context) => {
        const total = 50 * 1024 * 1024;
        const head = requestHead(context.port, "POST", "/login", resolveHeaders({ Origin: ours, "Content-Type": form }, context), "", { contentLength: total }).toString("latin1");
        return sendLargeBody(context.port, head, total, Buffer.from(`email=${"a".repeat(64 * 1024 - 6)}`, "latin1"));
      },
      check: refusedEarly,
    },
    {
      name: "POST /login with a 50 MB chunked urlencoded body",
      kind: "known finding",
      // 413, checked by refusedEarly with how much of the body had gone.
      expect: "not5xx",
      expectedText: "413 before most of the body has been sent",
      run: (context) => {
        const data = Buffer.from(`email=${"a".repeat(64 * 1024 - 6)}`, "latin1");
        const chunk = Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]);
        const head = requestHead(context.port, "POST", "/login", resolveHeaders({ Origin: ours, "Content-Type": form, "Transfer-Encoding": "chunked" }, context), "", { contentLength: null }).toString("latin1");
        return sendLargeBody(context.port, head, Math.ceil((50 * 1024 * 1024) / chunk.length) * chunk.length, chunk, { end: Buffer.from("0\r\n\r\n") });
      },
      check: refusedEarly,
    },
    get("GET /favicon.ico", "/favicon.ico", [200]),
    // The comment route's reanchor intent (the editor posts it after finding a thread's words again).
    ...[
      ["with no fields but the intent", "intent=reanchor", [400]],
      ["with a thread id that is not a uuid", "intent=reanchor&threadId=..%2F..&anchorStart=AA%3D%3D&anchorEnd=AA%3D%3D", [400]],
      ["with anchors that are not base64", `intent=reanchor&threadId=${new Random(2).uuid()}&anchorStart=%E2%9C%93&anchorEnd=%00`, [400]],
      ["with base64 that is no relative position", `intent=reanchor&threadId=${new Random(3).uuid()}&anchorStart=%2F%2F%2F%2F&anchorEnd=AAAA`, [400, 404]],
      ["with an anchor of 5,000 characters", `intent=reanchor&threadId=${new Random(4).uuid()}&anchorStart=${"A".repeat(5_000)}&anchorEnd=AA%3D%3D`, [400]],
      ["for a thread that does not exist", `intent=reanchor&threadId=${new Random(5).uuid()}&anchorStart=AQEBAQ%3D%3D&anchorEnd=AQEBAQ%3D%3D`, [400, 404]],
      ["with the fields twice", "intent=reanchor&intent=reanchor&threadId=x&threadId=y&anchorStart=a&anchorStart=b", [400]],
    ].map(([name, body, statuses]) =>
      post(`POST /groups/{g}/documents/{d}/comments reanchor ${name as string}`, "/groups/{g}/documents/{d}/comments", form, body as string, statuses as number[], "member"),
    ),
    // The meeting page's proposal intents (docs/decisions/021), as the chair, on a meeting that is not in progress.
    ...[
      ["openLive with no fields but the intent", "intent=proposal.openLive", [400]],
      ["openLive with a verb that sends someone off", "intent=proposal.openLive&title=T&verb=directed&resolution=r&process=consent", [400]],
      ["openLive with a process that is not one", "intent=proposal.openLive&title=T&verb=agreed&resolution=r&process=%00", [400]],
      ["openLive with a title of 5,000 characters", `intent=proposal.openLive&title=${"t".repeat(5_000)}&verb=agreed&resolution=r&process=consent`, [400]],
      ["openLive with everything right", "intent=proposal.openLive&title=T&verb=agreed&resolution=r&process=majority&majorityThreshold=two_thirds&majorityBase=eligible", [409]],
      ["putLive with a proposal id that is not a uuid", "intent=proposal.putLive&proposalId=..%2F..", [404, 409]],
      ["putLive with a proposal that does not exist", `intent=proposal.putLive&proposalId=${new Random(6).uuid()}`, [404, 409]],
      ["stance with no proposal", "intent=proposal.stance&choice=consent", [400]],
      ["stance with a choice that is not one", `intent=proposal.stance&proposalId=${new Random(7).uuid()}&choice=maybe`, [400]],
      ["stance for a proposal that does not exist", `intent=proposal.stance&proposalId=${new Random(8).uuid()}&choice=consent`, [404]],
      ["hands with a count that is not a number", `intent=proposal.hands&proposalId=${new Random(9).uuid()}&hands.consent=many`, [400]],
      ["hands with a negative count", `intent=proposal.hands&proposalId=${new Random(10).uuid()}&hands.consent=-1`, [400]],
      ["hands with a huge count", `intent=proposal.hands&proposalId=${new Random(11).uuid()}&hands.yes=${"9".repeat(400)}`, [400]],
      ["hands with a choice that is not one", `intent=proposal.hands&proposalId=${new Random(12).uuid()}&hands.maybe=1`, [400]],
      ["hands with every count empty", `intent=proposal.hands&proposalId=${new Random(16).uuid()}&hands.yes=&hands.no=`, [400, 404]],
      ["hands as a flat field", `intent=proposal.hands&proposalId=${new Random(13).uuid()}&hands=3`, [400]],
      ["hands for a proposal that does not exist", `intent=proposal.hands&proposalId=${new Random(14).uuid()}&hands.consent=1`, [404]],
      ["closeLive for a proposal that does not exist", `intent=proposal.closeLive&proposalId=${new Random(15).uuid()}`, [404]],
      ["closeLive with the fields twice", "intent=proposal.closeLive&intent=proposal.closeLive&proposalId=x&proposalId=y", [400]],
    ].map(([name, body, statuses]) =>
      post(`POST /groups/{g}/meetings/{m}?index proposal ${name as string}`, "/groups/{g}/meetings/{m}?index", form, body as string, statuses as number[], "chair"),
    ),
  ];
}

// ---- random cases, door by door ---------------------------------------------------------------

function rawHttpCase(seeded: Random, index: number): EdgeCase {
  // The case's own stream: its bytes are the same whenever (and on whichever server) it runs.
  const random = new Random(seeded.int(0, 0xffffffff));
  const variants: { label: string; bytes: (port: number) => Buffer; halfClose?: boolean }[] = [
    { label: "random bytes", bytes: () => Buffer.from(random.bytes(random.int(1, 2_048))) },
    { label: "random printable line", bytes: () => Buffer.from(`${random.string(random.int(1, 200), "ABCDEFGHIJKLMNOPQRSTUVWXYZ /:.?&=%-_0123456789\t")}\r\n\r\n`) },
    { label: "HTTP/2 preface", bytes: () => Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") },
    { label: "unknown method", bytes: (port) => requestHead(port, random.pick(["BREW", "get", "G\x00ET", "PROPFIND", "M-SEARCH", "SOURCE"]), "/", {}) },
    { label: "odd HTTP version", bytes: (port) => requestHead(port, "GET", "/login", {}, "", { version: random.pick(["HTTP/9.9", "HTTP/1.2", "HTTP/0.9", "HTTP/1", "HTTP/1.1x", "http/1.1", "HTTP/2.0"]) }) },
    { label: "absolute-form target", bytes: (port) => requestHead(port, "GET", random.pick(["http://evil.example/login", "http://127.0.0.1/groups", "https://x/%", "http://[::1/"]), {}) },
    { label: "asterisk-form OPTIONS", bytes: (port) => requestHead(port, "OPTIONS", "*", {}) },
    { label: "CONNECT", bytes: (port) => requestHead(port, "CONNECT", random.pick(["127.0.0.1:22", "evil.example:443", "%"]), {}) },
    { label: "TRACE", bytes: (port) => requestHead(port, "TRACE", "/login", {}) },
    { label: "header without a colon", bytes: (port) => Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nNoColonHere\r\n\r\n`) },
    { label: "header with NUL", bytes: (port) => Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-A: a\x00b\r\n\r\n`) },
    { label: "obs-fold header", bytes: (port) => Buffer.from(`GET /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n`) },
    { label: "bare LF line endings", bytes: (port) => Buffer.from(`GET /login HTTP/1.1\nHost: 127.0.0.1:${port}\nConnection: close\n\n`) },
    { label: "header of 20 KB", bytes: (port) => requestHead(port, "GET", "/login", { "X-Big": "a".repeat(20_000) }) },
    { label: "300 headers", bytes: (port) => requestHead(port, "GET", "/login", Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`X-H${i}`, String(i)]))) },
    { label: "URL of 20 KB", bytes: (port) => requestHead(port, "GET", `/login?${"a".repeat(20_000)}`, {}) },
    { label: "two different Content-Lengths", bytes: (port) => Buffer.from(`POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 3\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde`) },
    { label: "Content-Length and Transfer-Encoding", bytes: (port) => Buffer.from(`POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`) },
    { label: "bad chunk size", bytes: (port) => Buffer.from(`POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\nTransfer-Encoding: chunked\r\nContent-Type: ${form}\r\nConnection: close\r\n\r\n${random.pick(["zz", "-1", "ffffffffffffffffff", "5;" + "x".repeat(20_000)])}\r\nabcde\r\n0\r\n\r\n`) },
    { label: "Transfer-Encoding: gzip, chunked", bytes: (port) => Buffer.from(`POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`) },
    { label: "negative Content-Length", bytes: (port) => Buffer.from(`POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: -5\r\nConnection: close\r\n\r\n`) },
    { label: "pipelined garbage after a request", bytes: (port) => Buffer.concat([requestHead(port, "GET", "/healthz", { Connection: "keep-alive" }), Buffer.from(random.bytes(random.int(10, 300)))]) },
    { label: "HEAD with a body", bytes: (port) => requestHead(port, "HEAD", "/login", {}, "x".repeat(100)) },
    { label: "request line only, then close", bytes: () => Buffer.from("GET /login HTTP/1.1\r\n"), halfClose: true },
    { label: "Expect: 100-continue to /login", bytes: (port) => requestHead(port, "POST", "/login", { Expect: "100-continue", Origin: `http://127.0.0.1:${port}`, "Content-Type": form }, "email=a&password=b") },
    { label: "Expect: something else", bytes: (port) => requestHead(port, "POST", "/login", { Expect: "200-ok", Origin: `http://127.0.0.1:${port}`, "Content-Type": form }, "email=a") },
    { label: "method on a page", bytes: (port) => requestHead(port, random.pick(["PUT", "DELETE", "PATCH"]), random.pick(["/login", "/groups", "/healthz", "/favicon.ico"]), { Origin: `http://127.0.0.1:${port}`, "Content-Type": form }, "a=b") },
  ];
  const variant = seeded.pick(variants);
  return {
    name: `raw HTTP #${index}: ${variant.label}`,
    kind: "raw HTTP",
    expect: "not5xx",
    run: (context) => sendRaw(context.port, variant.bytes(context.port), { ...(variant.halfClose ? { halfClose: true } : {}) }),
  };
}

function pagePathCase(random: Random, index: number): EdgeCase {
  const path = fill(random.pick(pageTemplates), random);
  const role = random.pick<Role | undefined>(["chair", "member", "ngo", "admin", undefined]);
  const method = random.chance(0.1) ? "HEAD" : "GET";
  return {
    name: `page path #${index}: ${method} ${path.slice(0, 120)} (${role ?? "signed out"})`,
    kind: "page path",
    expect: "not5xx",
    run: (context) => sendRaw(context.port, requestHead(context.port, method, resolve(path, context), resolveHeaders({}, context, role))),
  };
}

function queryStringCase(random: Random, index: number): EdgeCase {
  const target = fill(random.pick(queryTemplates), random);
  const role = random.pick<Role | undefined>(["chair", "member", undefined]);
  return {
    name: `query string #${index}: GET ${target.slice(0, 120)} (${role ?? "signed out"})`,
    kind: "query string",
    expect: "not5xx",
    run: (context) => sendRaw(context.port, requestHead(context.port, "GET", resolve(target, context), resolveHeaders({}, context, role))),
  };
}

function cookieCase(seeded: Random, index: number): EdgeCase {
  const random = new Random(seeded.int(0, 0xffffffff));
  const kind = random.pick(["garbage", "mangled session", "duplicate", "many"] as const);
  const garbage = random.pick([
    "stewardship_session=%%%",
    "stewardship_session=",
    "stewardship_session",
    "stewardship_session=%E0%A4%A",
    `stewardship_session=${"a".repeat(random.int(100, 6_000))}`,
    'stewardship_session="quoted"',
    "stewardship_session=ā",
    "=;;;=x; ; =",
    "stewardship_session=a; stewardship_session=b",
    `stewardship_session=${random.string(40, "abcdefghijklmnopqrstuvwxyz0123456789%;=, ")}`,
    "__proto__=x; constructor=y; stewardship_session=z",
  ]);
  const page = random.pick(["/groups", "/login", "/account", "/groups/{g}", "/healthz", "/approvals"]);
  const door = random.pick(["page", "collab", "socket.io"] as const);
  const role = random.pick<Role>(["chair", "member"]);
  const cookieFor = (context: EdgeContext): string => {
    const real = context.cookies[role];
    if (kind === "mangled session") {
      const value = real.split("=")[1]!;
      const at = value.length > 0 ? index % value.length : 0;
      return `stewardship_session=${value.slice(0, at)}${value[at] === "x" ? "y" : "x"}${value.slice(at + 1)}`;
    }
    if (kind === "duplicate") return `${garbage}; ${real}`;
    if (kind === "many") return Array.from({ length: 300 }, (_, i) => `c${i}=${i}`).join("; ");
    return garbage;
  };
  const label = kind === "garbage" ? garbage.slice(0, 60) : kind;
  if (door === "collab") {
    return {
      name: `cookie #${index}: /collab upgrade with ${label}`,
      kind: "cookie",
      // A duplicate carries a real session too: the upgrade may then be accepted.
      expect: kind === "duplicate" ? "not5xx" : { statuses: [401] },
      run: (context) => sendRaw(context.port, upgradeHead(context.port, `/collab/${context.ids.documentId}`, { Cookie: cookieFor(context) })),
    };
  }
  if (door === "socket.io") {
    return {
      name: `cookie #${index}: Engine.IO handshake with ${label}`,
      kind: "cookie",
      expect: "not5xx",
      run: (context) => sendRaw(context.port, requestHead(context.port, "GET", "/socket.io/?EIO=4&transport=polling", { Cookie: cookieFor(context) })),
    };
  }
  return {
    name: `cookie #${index}: GET ${page} with ${label}`,
    kind: "cookie",
    expect: "not5xx",
    run: (context) => sendRaw(context.port, requestHead(context.port, "GET", resolve(page, context), { Cookie: cookieFor(context) })),
  };
}

function originRefererHostCase(random: Random, index: number): EdgeCase {
  const header = random.pick(["Origin", "Referer", "Host", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-For"] as const);
  const value = oddHeaderValue(random);
  const method = random.pick(["GET", "POST"] as const);
  const label = `${header}: ${value.slice(0, 60)}`;
  if (method === "GET") {
    const page = random.pick(["/login", "/groups", "/groups/{g}", "/healthz", "/", "/favicon.ico"]);
    const role = random.pick<Role | undefined>(["chair", undefined]);
    return {
      name: `header #${index}: GET ${page} with ${label}`,
      kind: "origin/referer/host",
      expect: "not5xx",
      run: (context) => sendRaw(context.port, requestHead(context.port, "GET", resolve(page, context), resolveHeaders({ [header]: value }, context, role))),
    };
  }
  // A form post with a bad body, so an accepted one is answered 400 and a refused one 403.
  const route = random.pick(formRoutes.filter((candidate) => !candidate.path.includes("{x}")));
  const expect = (context: EdgeContext): Expectation => {
    const own = `http://127.0.0.1:${context.port}`;
    const resolved = resolve(value, context);
    // An Origin that is ours once parsed (a trailing slash, capitals) is lenient, not foreign.
    if (header === "Origin") return { statuses: httpOrigin(resolved) === own ? [400, 403] : [403] };
    if (header === "Referer") return { statuses: httpOrigin(resolved) === own ? [400] : [403] };
    // Host and the forwarded headers go with our own Origin: anything but a 5xx will do.
    return "not5xx";
  };
  return {
    name: `header #${index}: POST ${route.path} with ${label}`,
    kind: "origin/referer/host",
    expect,
    run: (context) => {
      const headers: Record<string, string> = { "Content-Type": form, [header]: value };
      if (header !== "Origin" && header !== "Referer") headers.Origin = ours;
      return sendRaw(context.port, requestHead(context.port, "POST", resolve(route.path, context), resolveHeaders(headers, context, route.role), "fuzz=%E0%A4%A&intent=%00"));
    },
  };
}

function bodyCase(random: Random, index: number): EdgeCase {
  const route = random.pick(formRoutes);
  const path = fill(route.path, random);
  const shape = random.pick([
    "json",
    "multipart without boundary",
    "broken multipart",
    "multipart with the wrong boundary",
    "urlencoded with broken escapes",
    "urlencoded with 5,000 fields",
    "urlencoded field of 2 MB",
    "binary garbage",
    "text/plain",
    "odd content type",
    "gzip that is not gzip",
    "empty body",
  ] as const);
  const boundary = random.string(16);
  let contentType: string | undefined = form;
  let body: Buffer;
  let extra: Record<string, string> = {};
  let expect: Expectation = "4xx";
  switch (shape) {
    case "json":
      contentType = random.pick(["application/json", "application/json; charset=utf-8", "application/vnd.api+json"]);
      body = Buffer.from(random.pick(['{"email":"a","password":"b"}', "[1,2,3]", "{", '{"__proto__":{"x":1}}', "null", JSON.stringify({ deep: JSON.parse("[".repeat(500) + "]".repeat(500)) as unknown })]));
      expect = { statuses: [400, 415] };
      break;
    case "multipart without boundary":
      contentType = random.pick(["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; charset=utf-8", "multipart/mixed"]);
      body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\na\r\n--${boundary}--\r\n`);
      expect = { statuses: [400, 415] };
      break;
    case "broken multipart":
      contentType = `multipart/form-data; boundary=${boundary}`;
      body = Buffer.from(
        random.pick([
          `--${boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\na`,
          `--${boundary}\r\nContent-Disposition: form-data\r\n\r\na\r\n--${boundary}--\r\n`,
          `--${boundary}\r\n\r\n\r\n--${boundary}`,
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="../../etc/passwd"\r\nContent-Type: application/octet-stream\r\n\r\n${"x".repeat(100)}`,
          `garbage before the first boundary without any boundary at all`,
          `--${boundary}\r\nContent-Disposition: form-data; name="${"n".repeat(10_000)}"\r\n\r\nv\r\n--${boundary}--\r\n`,
        ]),
      );
      expect = { statuses: [400] };
      break;
    case "multipart with the wrong boundary":
      contentType = `multipart/form-data; boundary=${boundary}`;
      body = Buffer.from(`--other\r\nContent-Disposition: form-data; name="email"\r\n\r\na\r\n--other--\r\n`);
      expect = { statuses: [400] };
      break;
    case "urlencoded with broken escapes":
      body = Buffer.from(random.pick(["email=%E0%A4%A&password=%", "%=%", "intent=%C0%AF", "a=%ZZ&b=%", "%%%%%%"]));
      break;
    case "urlencoded with 5,000 fields":
      body = Buffer.from(Array.from({ length: 5_000 }, (_, i) => `f${i}=${i}`).join("&"));
      expect = { statuses: [400, 413] };
      break;
    case "urlencoded field of 2 MB":
      body = Buffer.from(`email=${"a".repeat(2 * 1024 * 1024)}`);
      expect = { statuses: [400, 413] };
      break;
    case "binary garbage":
      contentType = random.pick([form, "application/octet-stream", undefined]);
      body = Buffer.from(random.bytes(random.int(1, 4_096)));
      break;
    case "text/plain":
      contentType = "text/plain";
      body = Buffer.from("email=a&password=b");
      expect = { statuses: [400, 415] };
      break;
    case "odd content type":
      contentType = random.pick(["a/b/c", "*/*", "; ;", "application/x-www-form-urlencoded; charset=nonsense", "application/x-www-form-urlencoded; charset=utf-16", 'text/html; charset="', "ā"]);
      body = Buffer.from("email=a&password=b");
      break;
    case "gzip that is not gzip":
      extra = { "Content-Encoding": random.pick(["gzip", "deflate", "br", "nonsense"]) };
      body = Buffer.from(random.bytes(random.int(10, 500)));
      break;
    case "empty body":
      body = Buffer.alloc(0);
      break;
  }
  // An odd token can make the path another route's or none ("/reset-password/." is "/reset-password/",
  // "/reset-password/%2e%2e" is "/"): 404 then, or 405 from a route that takes no form.
  if (typeof expect === "object" && route.path.includes("{x}")) expect = { statuses: [...expect.statuses, 404, 405] };
  return {
    name: `body #${index}: POST ${path.slice(0, 80)} with ${shape}${contentType ? ` (${contentType.slice(0, 40)})` : ""} (${route.role ?? "signed out"})`,
    kind: "body",
    expect,
    run: (context) =>
      sendRaw(
        context.port,
        requestHead(context.port, "POST", resolve(path, context), resolveHeaders({ Origin: ours, ...(contentType !== undefined ? { "Content-Type": contentType } : {}), ...extra }, context, route.role), body),
        { timeoutMs: 20_000 },
      ),
  };
}

function engineIoPollingCase(random: Random, index: number): EdgeCase {
  const contentType = random.pick(["text/plain;charset=UTF-8", "application/octet-stream", "application/json"]);
  const query = random.pick([
    "EIO=4&transport=polling",
    "EIO=3&transport=polling",
    "EIO=5&transport=polling",
    "EIO=x&transport=polling",
    "transport=polling",
    "EIO=4",
    "EIO=4&transport=websocket",
    "EIO=4&transport=flashsocket",
    `EIO=4&transport=polling&sid=${random.string(20)}`,
    "EIO=4&transport=polling&sid=%",
    "EIO=4&transport=polling&j=%",
    "EIO=4&transport=polling&b64=1",
    "EIO=4&transport=polling&t=%E0%A4%A",
    "%E0%A4%A",
    "EIO=4&EIO=3&transport=polling&transport=websocket",
  ]);
  const method = random.pick(["GET", "GET", "POST", "OPTIONS", "PUT"]);
  const origin = random.pick<string | undefined>([undefined, "null", "not a url", "http://evil.example", ours, "http://[::1", ""]);
  const withSid = method === "POST" && random.chance(0.6);
  const body = random.pick([
    "",
    "4",
    "40",
    "42[\"document:join\",{}]",
    "1",
    "6",
    random.string(random.int(1, 200), "0123456789[]{}\":,abc\x1e"),
    `42${"[".repeat(2000)}`,
    "4".repeat(70_000),
    "b" + Buffer.from(random.bytes(50)).toString("base64"),
  ]);
  const label = `${method} ?${query.slice(0, 60)}${origin !== undefined ? ` Origin: ${origin}` : ""}${withSid ? " on a real session id" : ""}`;
  return {
    name: `Engine.IO polling #${index}: ${label}`,
    kind: "engine.io polling",
    expect: origin !== undefined && origin !== ours && method === "GET" && query === "EIO=4&transport=polling" ? { statuses: [400, 403] } : "not5xx",
    run: async (context) => {
      let target = `/socket.io/?${query}`;
      if (withSid) {
        // A real Engine.IO session to post garbage into (a signed-out handshake is allowed; connecting is not).
        const handshake = await fetch(`${context.url}/socket.io/?EIO=4&transport=polling`);
        const text = await handshake.text();
        const sid = /"sid":"([^"]+)"/.exec(text)?.[1];
        if (sid) target = `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
      }
      const headers: Record<string, string> = { "Content-Type": contentType, Cookie: context.cookies.member };
      if (origin !== undefined) headers.Origin = origin;
      return sendRaw(context.port, requestHead(context.port, method, target, resolveHeaders(headers, context), method === "POST" || method === "PUT" ? body : ""));
    },
  };
}

function socketIoUpgradeCase(random: Random, index: number): EdgeCase {
  const query = random.pick(["EIO=4&transport=websocket", "EIO=3&transport=websocket", "EIO=4&transport=polling", "EIO=4", "", `EIO=4&transport=websocket&sid=${random.string(20)}`, "EIO=%&transport=websocket", "%E0%A4%A"]);
  const origin = random.pick<string | undefined>([undefined, "null", "not a url", "http://evil.example", ours, "http://[::1", "", "ā"]);
  const mangle = random.pick(["none", "no key", "version 99", "no Upgrade header", "Upgrade: h2c", "path suffix"] as const);
  const role = random.pick<Role | undefined>(["member", undefined]);
  const suffix = random.pick(["x", "%", "../collab/x"]);
  return {
    name: `Socket.io upgrade #${index}: ?${query.slice(0, 60)}${origin !== undefined ? ` Origin: ${origin}` : ""} ${mangle} (${role ?? "signed out"})`,
    kind: "socket.io upgrade",
    expect: origin !== undefined && origin !== ours && mangle === "none" && query === "EIO=4&transport=websocket" ? { statuses: [400, 403] } : "not5xx",
    run: (context) => {
      const headers: Record<string, string> = {};
      if (origin !== undefined) headers.Origin = origin;
      let head = upgradeHead(context.port, `/socket.io/${mangle === "path suffix" ? suffix : ""}?${query}`, resolveHeaders(headers, context, role));
      if (mangle === "no key") head = head.replace(/Sec-WebSocket-Key: [^\r]*\r\n/, "");
      if (mangle === "version 99") head = head.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 99");
      if (mangle === "no Upgrade header") head = head.replace("Upgrade: websocket\r\n", "");
      if (mangle === "Upgrade: h2c") head = head.replace("Upgrade: websocket", "Upgrade: h2c");
      return sendRaw(context.port, head);
    },
  };
}

function collabUpgradeCase(random: Random, index: number): EdgeCase {
  const idKind = random.pick(["document", "no such document", "odd", "empty", "two segments"] as const);
  const odd = oddSegment(random);
  const who = random.pick(["none", "garbage", "chair", "ngo", "admin"] as const);
  const origin = random.pick<string | undefined>([undefined, undefined, ours, "http://evil.example", "null", "not a url", "http://localhost:3000"]);
  const mangle = random.pick(["none", "none", "none", "no key", "version 99", "frames before the answer"] as const);
  const unknownId = random.uuid();
  const trailing = random.bytes(random.int(1, 3_000));
  const pathFor = (context: EdgeContext): string => {
    if (idKind === "document") return `/collab/${context.ids.documentId}`;
    if (idKind === "no such document") return `/collab/${unknownId}`;
    if (idKind === "empty") return "/collab/";
    if (idKind === "two segments") return `/collab/${context.ids.documentId}/${resolve(odd, context)}`;
    return `/collab/${resolve(odd, context)}`;
  };
  const signedIn = who === "chair" || who === "ngo" || who === "admin";
  /**
   * What the fixed server answers, deciding in this order: the path (unknown 404, undecodable 400),
   * the origin (403), the session (401), the websocket handshake (400), then the document (404 none,
   * 403 may not read).
   */
  const expect = (context: EdgeContext): Expectation => {
    const segment = /^\/collab\/([^/]+)$/.exec(new URL(pathFor(context), "http://x").pathname)?.[1];
    if (segment === undefined) return { statuses: [404] };
    let id: string | undefined;
    try {
      id = decodeURIComponent(segment);
    } catch {
      id = undefined;
    }
    const foreign = origin !== undefined && resolve(origin, context) !== `http://127.0.0.1:${context.port}`;
    if (id === undefined) return { statuses: foreign ? [400, 403] : [400] };
    if (foreign) return { statuses: signedIn ? [400, 403] : [400, 401, 403] };
    if (!signedIn) return { statuses: [401] };
    const isDocument = id === context.ids.documentId;
    if (mangle === "no key" || mangle === "version 99") return { statuses: [400, 426, 403, 404] };
    // One who may not read it is refused like one asking for a document that does not exist, or with 403.
    if (isDocument) return { statuses: who === "chair" ? [101] : [403, 404] };
    return { statuses: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? [404] : [400, 404] };
  };
  return {
    name: `/collab upgrade #${index}: ${idKind}${idKind === "odd" || idKind === "two segments" ? ` ${odd.slice(0, 40)}` : ""} as ${who}${origin !== undefined ? ` Origin: ${origin}` : ""}${mangle === "none" ? "" : `, ${mangle}`}`,
    kind: "collab upgrade",
    expect,
    run: (context) => {
      const headers: Record<string, string> = {};
      if (origin !== undefined) headers.Origin = origin;
      if (who === "garbage") headers.Cookie = "stewardship_session=%%%";
      else if (who !== "none") headers.Cookie = context.cookies[who];
      let head = upgradeHead(context.port, pathFor(context), resolveHeaders(headers, context));
      if (mangle === "no key") head = head.replace(/Sec-WebSocket-Key: [^\r]*\r\n/, "");
      if (mangle === "version 99") head = head.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 99");
      const bytes = mangle === "frames before the answer" ? Buffer.concat([Buffer.from(head), Buffer.from(trailing)]) : Buffer.from(head);
      return sendRaw(context.port, bytes);
    },
  };
}

/** Every edge case for one run: the known findings, then `perDoor` random cases of each door (scaled). */
export function edgeCases(seed: number, perDoor: (count: number) => number): EdgeCase[] {
  const random = new Random(seed);
  const cases: EdgeCase[] = [...knownFindings()];
  const doors: [number, (random: Random, index: number) => EdgeCase][] = [
    [30, rawHttpCase],
    [50, pagePathCase],
    [25, queryStringCase],
    [25, cookieCase],
    [40, originRefererHostCase],
    [45, bodyCase],
    [25, engineIoPollingCase],
    [20, socketIoUpgradeCase],
    [40, collabUpgradeCase],
  ];
  const generated: EdgeCase[] = [];
  for (const [count, make] of doors) {
    const n = perDoor(count);
    for (let i = 1; i <= n; i++) generated.push(make(random, i));
  }
  // Doors interleaved (a seeded shuffle), so a run cut short by crashes has still tried every door.
  for (let i = generated.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [generated[i], generated[j]] = [generated[j]!, generated[i]!];
  }
  return [...cases, ...generated];
}
