/**
 * The inbound mail fuzz: malformed SMTP conversations with the replies-by-email listener of the
 * real server process (INBOUND_SMTP_PORT): raw garbage, commands out of order, addresses it never
 * issued, absurd sizes, endless lines, sign-in and TLS it does not offer, a message cut off
 * mid-way, and seeded random bytes. Each gets an SMTP error (4xx or 5xx) or a closed connection,
 * never a 2xx for what it must refuse; after each the process is alive and the listener still
 * greets a new connection with 220.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Random, fuzzSeed, scaled } from "./fuzz-random.js";
import { FuzzTally } from "./fuzz-report.js";
import { FuzzServer } from "./fuzz-server.js";

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
});
