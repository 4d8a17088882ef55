/**
 * The inbound mail fuzz: malformed SMTP conversations with the replies-by-email listener of the
 * real server process (INBOUND_SMTP_PORT): raw garbage, commands out of order, addresses it never
 * issued, absurd sizes, endless lines, sign-in and TLS it does not offer, a message cut off
 * mid-way, and seeded random bytes. Each gets an SMTP error (4xx or 5xx) or a closed connection,
 * never a 2xx for what it must refuse; after each the process is alive and the listener still
 * greets a new connection with 220. Then the same for a real proposal's reply address (issue 22:
 * stances by reply email): messages that are no stance, a stance without its reason or with one far
 * too long, unreadable MIME; none is counted, and the address still takes a real stance after them.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Random, fuzzSeed, scaled } from "./fuzz-random.js";
import { FuzzTally } from "./fuzz-report.js";
import { FuzzServer, demoIds } from "./fuzz-server.js";
import { readOutbox } from "../support/outbox.js";

const DOMAIN = "fuzz.example.nz";
const tally = new FuzzTally("inbound smtp");
let server: FuzzServer;
let smtpPort: number;

/** A port free a moment ago, for the server's listener. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

interface Conversation {
  /** Every reply line the server sent, greeting first. */
  lines: string[];
  /** Whether the server closed the connection. */
  closed: boolean;
}

/**
 * Connects, waits for the greeting, writes each chunk in turn (waiting for an answer between them
 * when `stepwise`), and collects what comes back until the server closes or has said nothing more
 * for `quietMs`.
 */
function converse(chunks: readonly (string | Uint8Array)[], options: { stepwise?: boolean; endAfter?: boolean; quietMs?: number } = {}): Promise<Conversation> {
  const quietMs = options.quietMs ?? 1_500;
  return new Promise((resolve) => {
    const socket = net.connect(smtpPort, "127.0.0.1");
    const lines: string[] = [];
    let buffer = "";
    let sent = 0;
    let quiet: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(quiet);
      socket.destroy();
      resolve({ lines, closed });
    };
    const sendNext = () => {
      if (sent >= chunks.length) {
        if (options.endAfter) socket.end();
        return;
      }
      socket.write(chunks[sent++]!);
      if (!options.stepwise) sendNext();
    };
    const waitQuiet = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(false), quietMs);
    };
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      let end: number;
      let answered = false;
      while ((end = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        lines.push(line);
        // The last line of a reply is "NNN text" (a continued one is "NNN-text").
        if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) answered = true;
      }
      if (answered && (lines.length === 1 || options.stepwise)) sendNext();
      waitQuiet();
    });
    socket.on("error", () => finish(true));
    socket.on("close", () => finish(true));
    waitQuiet();
  });
}

const codes = (conversation: Conversation) => conversation.lines.filter((line) => /^\d{3}[ -]/.test(line)).map((line) => Number(line.slice(0, 3)));

/** The listener greets a new connection: it is still serving. */
async function stillServing(): Promise<boolean> {
  const greeting = await converse(["QUIT\r\n"], { stepwise: true });
  return codes(greeting)[0] === 220;
}

interface SmtpCase {
  name: string;
  chunks: (string | Uint8Array)[];
  stepwise?: boolean;
  endAfter?: boolean;
  /** The codes that may answer what it must refuse, one of which must appear (after the greeting). */
  refusedWith?: number[];
}

const forged = `reply+${"a".repeat(52)}@${DOMAIN}`;
const cases: SmtpCase[] = [
  { name: "raw garbage", chunks: [new Uint8Array([0, 255, 254, 13, 10, 1, 2, 3, 13, 10])], refusedWith: [500, 502, 421] },
  { name: "HELO without a name", chunks: ["HELO\r\n"], refusedWith: [501] },
  { name: "RCPT before MAIL", chunks: ["EHLO fuzz\r\n", `RCPT TO:<${forged}>\r\n`], stepwise: true, refusedWith: [503] },
  { name: "DATA with no recipient", chunks: ["EHLO fuzz\r\n", "MAIL FROM:<a@example.org>\r\n", "DATA\r\n"], stepwise: true, refusedWith: [503, 554] },
  { name: "a reply address it never issued", chunks: ["EHLO fuzz\r\n", "MAIL FROM:<a@example.org>\r\n", `RCPT TO:<${forged}>\r\n`], stepwise: true, refusedWith: [550] },
  { name: "another domain", chunks: ["EHLO fuzz\r\n", "MAIL FROM:<a@example.org>\r\n", "RCPT TO:<postmaster@elsewhere.example>\r\n"], stepwise: true, refusedWith: [550] },
  { name: "an address that is not one", chunks: ["EHLO fuzz\r\n", "MAIL FROM:<a@example.org>\r\n", "RCPT TO:<<<>>>\r\n"], stepwise: true, refusedWith: [501, 550, 553] },
  { name: "a size beyond the limit", chunks: ["EHLO fuzz\r\n", "MAIL FROM:<a@example.org> SIZE=99999999999\r\n"], stepwise: true, refusedWith: [552] },
  { name: "a size that is not a number", chunks: ["EHLO fuzz\r\n", "MAIL FROM:<a@example.org> SIZE=lots\r\n"], stepwise: true, refusedWith: [501, 555] },
  { name: "sign-in it does not offer", chunks: ["EHLO fuzz\r\n", "AUTH PLAIN AGFkbWluAHBhc3N3b3Jk\r\n"], stepwise: true, refusedWith: [500, 502, 503, 504] },
  { name: "TLS it does not offer", chunks: ["EHLO fuzz\r\n", "STARTTLS\r\n"], stepwise: true, refusedWith: [500, 502] },
  { name: "an endless line", chunks: [`EHLO ${"x".repeat(200_000)}\r\n`], refusedWith: [500, 501, 421] },
  { name: "an unknown command", chunks: ["EHLO fuzz\r\n", "WIBBLE now\r\n"], stepwise: true, refusedWith: [500, 502] },
  { name: "cut off mid-command", chunks: ["EHLO fuzz\r\n", "MAIL FROM:<a@exa"], stepwise: true, endAfter: true },
  { name: "a flood of commands at once", chunks: [Array.from({ length: 500 }, () => "NOOP\r\n").join("")] },
];

function randomCases(count: number): SmtpCase[] {
  const random = new Random(fuzzSeed() + 25);
  return Array.from({ length: count }, (_, i) => {
    const kind = random.pick(["bytes", "command", "rcpt"] as const);
    if (kind === "bytes") return { name: `random bytes ${i}`, chunks: [random.bytes(random.int(1, 4_000))] };
    if (kind === "command") return { name: `random command ${i}`, chunks: [`${random.string(random.int(1, 12), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")} ${random.string(random.int(0, 300), "abc:<>@.+ \t\u00ff")}\r\n`] };
    return {
      name: `random reply address ${i}`,
      chunks: ["EHLO fuzz\r\n", "MAIL FROM:<a@example.org>\r\n", `RCPT TO:<reply+${random.string(random.int(0, 80), "abcdefghijklmnopqrstuvwxyz234567ABC+-_")}@${DOMAIN}>\r\n`],
      stepwise: true,
      refusedWith: [550, 501, 553],
    };
  });
}

/** A whole conversation delivering `message` (CRLF lines, dot-stuffed) to `to`. */
function delivery(to: string, message: string): string[] {
  const body = message.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..");
  return ["EHLO fuzz\r\n", "MAIL FROM:<member@example.org>\r\n", `RCPT TO:<${to}>\r\n`, "DATA\r\n", `${body}\r\n.\r\n`];
}

let messages = 0;
const mail = (text: string, extra = "") => `From: member@example.org\r\nSubject: Re: a proposal\r\nMessage-ID: <fuzz-${Date.now()}-${++messages}@fuzz.example.org>\r\n${extra}\r\n${text}`;

/** Messages to a proposal's real reply address that must never count as a stance. */
function proposalCases(to: string): SmtpCase[] {
  const random = new Random(fuzzSeed() + 22);
  const notStances: [string, string][] = [
    ["a stance with words after it", "consent\r\n\r\nThanks, and see you at the hui"],
    ["an objection with no reason", "object:"],
    ["a block, which consent has not", "block: no"],
    ["a reason far too long", `object: ${"kupu ".repeat(600)}`],
    ["two stances", "consent object: both"],
    ["a stance in another script", "ｃｏｎｓｅｎｔ"],
    ["control characters", "con\u0000sent"],
    ["only punctuation", ":::---..."],
    ["only quoted text", "On Mon, 7 Dec 2026, Hui wrote:\r\n> consent"],
  ];
  return [
    ...notStances.map(([name, text]): SmtpCase => ({ name: `proposal reply: ${name}`, chunks: delivery(to, mail(text)), stepwise: true, refusedWith: [550] })),
    { name: "proposal reply: multipart without a boundary", chunks: delivery(to, mail("consent", "MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n")), stepwise: true, refusedWith: [554] },
    { name: "proposal reply: no From", chunks: delivery(to, "Subject: Re\r\n\r\nconsent"), stepwise: true, refusedWith: [554] },
    ...Array.from({ length: scaled(10) }, (_, i): SmtpCase => ({
      name: `proposal reply: random words ${i}`,
      chunks: delivery(to, mail(random.string(random.int(1, 400), "abcdefghijklmnopqrstuvwxyz :-.\u00e9\u0101"))),
      stepwise: true,
      refusedWith: [550, 554],
    })),
  ];
}

/** Opens a consent proposal through the real form as the secretary; the Reply-To of the member's email about it. */
async function proposalReplyAddress(): Promise<string> {
  const secretary = await server.signIn("secretary@example.org");
  const { groupId } = await demoIds(server, await server.signIn("chair@example.org"));
  const title = `Fuzz proposal ${Date.now()}`;
  const closes = new Date(Date.now() + 7 * 86_400_000);
  const response = await fetch(`${server.url}/groups/${groupId}/proposals/new`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url, cookie: secretary },
    body: new URLSearchParams({
      title,
      verb: "agreed",
      resolution: "that the fuzz suite tries the reply address",
      process: "consent",
      closesOn: closes.toISOString().slice(0, 10),
      closesTime: "17:00",
      results: "visible",
      ballot: "named",
    }),
  });
  await response.arrayBuffer();
  if (response.status !== 302) throw new Error(`opening the proposal answered ${response.status}`);
  const email = await vi.waitFor(
    async () => {
      const found = (await readOutbox(server.dataDir)).find((message) => message.to === "member@example.org" && message.subject.includes(title));
      if (!found) throw new Error("the member's email has not arrived");
      return found;
    },
    { timeout: 30_000, interval: 200 },
  );
  return email.headers.get("reply-to")!;
}

describe("the replies-by-email listener under malformed SMTP", () => {
  beforeAll(async () => {
    smtpPort = await freePort();
    server = await FuzzServer.start("inbound-smtp", undefined, { INBOUND_SMTP_PORT: String(smtpPort), EMAIL_FROM: `Fuzz <hui@${DOMAIN}>` });
  }, 180_000);
  afterAll(async () => {
    tally.write();
    await server?.dispose();
  }, 60_000);

  it("answers each with an SMTP error or a closed connection, and keeps serving", async () => {
    expect(await stillServing()).toBe(true);
    for (const testCase of [...cases, ...randomCases(scaled(20))]) {
      tally.count(testCase.name.replace(/ \d+$/, ""));
      server.markCase();
      const conversation = await converse(testCase.chunks, { stepwise: testCase.stepwise ?? false, endAfter: testCase.endAfter ?? false });
      const liveness = await server.liveness();
      if (!liveness.alive) {
        tally.crash(testCase.name, liveness.reason);
        break;
      }
      const answered = codes(conversation).slice(1);
      if (testCase.refusedWith && !answered.some((code) => testCase.refusedWith!.includes(code))) {
        tally.fail(testCase.name, `answered ${answered.join(", ") || "nothing"}${conversation.closed ? " and closed" : ""}`, testCase.refusedWith.join(" or "));
      }
      if (!(await stillServing())) tally.fail(testCase.name, "the listener stopped greeting new connections");
    }
    expect(tally.failures).toEqual([]);
  }, 600_000);

  it("counts nothing malformed sent to a proposal's reply address, and keeps serving", async () => {
    const to = await proposalReplyAddress();
    expect(to).toMatch(new RegExp(`^reply\\+[a-z2-7]{52}@${DOMAIN.replace(/\./g, "\\.")}$`));
    for (const testCase of proposalCases(to)) {
      tally.count(testCase.name.replace(/ \d+$/, ""));
      server.markCase();
      const conversation = await converse(testCase.chunks, { stepwise: true });
      const liveness = await server.liveness();
      if (!liveness.alive) {
        tally.crash(testCase.name, liveness.reason);
        break;
      }
      const answered = codes(conversation).slice(1);
      // The last answer is the one to the message itself (EHLO, MAIL and RCPT answer 250 before it).
      const last = answered.at(-1);
      if (last === undefined || !testCase.refusedWith!.includes(last)) {
        tally.fail(testCase.name, `answered ${answered.join(", ") || "nothing"}`, testCase.refusedWith!.join(" or "));
      }
      if (!(await stillServing())) tally.fail(testCase.name, "the listener stopped greeting new connections");
    }
    expect(tally.failures).toEqual([]);
    // None of them spent the address: a real stance is still taken, once.
    expect(codes(await converse(delivery(to, mail("Consent")), { stepwise: true })).at(-1)).toBe(250);
    expect(codes(await converse(delivery(to, mail("Object: changed my mind")), { stepwise: true })).at(-1)).toBe(550);
  }, 600_000);
});
