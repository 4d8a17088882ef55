/**
 * The edge fuzz: malformed requests at every door of the real server process (raw HTTP, page
 * paths, query strings, cookies, Origin/Referer/Host, bodies, Engine.IO polling, the /socket.io
 * and /collab upgrades), checking after each one that the process is alive and did not answer a
 * 5xx; then a run of malformed /collab connections with the server's RSS read around it.
 *
 * A case that kills the process is recorded and the server started again (fresh database), so one
 * run lists every failing case (at most FUZZ_MAX_RESTARTS restarts, default 30). `FUZZ_SCALE`
 * multiplies the random cases; `FUZZ_SEED` replays.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_MESSAGE_BYTES } from "../../server/collab/endpoint.js";
import { type EdgeCase, type EdgeContext, type Role, describeExpectation, edgeCases, expectationOf, judge } from "./edge-cases.js";
import { Random, fuzzScale, fuzzSeed, scaled } from "./fuzz-random.js";
import { FuzzTally } from "./fuzz-report.js";
import { FuzzServer, demoIds } from "./fuzz-server.js";
import { describeAnswer, upgradeHead } from "./raw-http.js";
import { frame, malformedFrame } from "./websocket-frames.js";
import { websocketExchange } from "./websocket-exchange.js";

const scale = fuzzScale();
/** After this many crashes the rest of a run is not sent: the list says enough. */
const maxRestarts = Number(process.env.FUZZ_MAX_RESTARTS ?? "30");
const tally = new FuzzTally("edge");
const servers: FuzzServer[] = [];
let server: FuzzServer;
let context: EdgeContext;

const accounts: Record<Role, string> = {
  chair: "chair@example.org",
  member: "member@example.org",
  ngo: "ngo@example.org",
  admin: "admin@example.org",
};

async function startServer(): Promise<void> {
  server = await FuzzServer.start("edge");
  servers.push(server);
  const cookies = {} as Record<Role, string>;
  for (const [role, email] of Object.entries(accounts) as [Role, string][]) cookies[role] = await server.signIn(email);
  context = { port: server.port, url: server.url, cookies, ids: await demoIds(server, cookies.chair) };
}

/** Starts a fresh server after a crash; false once the run has crashed too often to go on. */
async function restartAfterCrash(): Promise<boolean> {
  if (servers.length > maxRestarts) return false;
  await server.dispose();
  try {
    await startServer();
  } catch (error) {
    // One more try: a start that fails is not what this suite is about, but it must not end the run.
    tally.fail("restarting the server after a crash", (error as Error).message.split("\n")[0]!);
    await startServer();
  }
  return true;
}

beforeAll(async () => {
  await startServer();
  tally.rssBefore = await server.rssAfterGc();
}, 180_000);

afterAll(async () => {
  tally.serverErrorsLogged = servers.reduce((sum, each) => sum + each.loggedServerErrors.length, 0);
  if (server && !server.dead) tally.rssAfter = await server.rssAfterGc().catch(() => undefined);
  tally.write();
  for (const each of servers) await each.dispose();
}, 60_000);

/** The server log's 5xx lines, counted: "POST /login 500 ×3". */
function loggedServerErrors(): string[] {
  const counts = new Map<string, number>();
  for (const each of servers) for (const line of each.loggedServerErrors) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].map(([line, n]) => (n > 1 ? `${line} ×${n}` : line));
}

async function runCase(testCase: EdgeCase): Promise<void> {
  tally.count(testCase.kind);
  server.markCase();
  let answer;
  try {
    answer = await testCase.run(context);
  } catch (error) {
    tally.fail(testCase.name, `could not be sent (${(error as Error).message})`);
    return;
  }
  const liveness = await server.liveness();
  if (!liveness.alive) {
    tally.crash(testCase.name, `${liveness.reason}; the client got ${describeAnswer(answer)}`);
    return;
  }
  if (answer.status !== undefined && answer.status >= 500) tally.serverErrorAnswers++;
  const wrong = judge(testCase, answer, context);
  if (wrong) tally.fail(testCase.name, wrong, testCase.expectedText ?? describeExpectation(expectationOf(testCase, context)));
}

// ---- malformed /collab connections ----------------------------------------------------------------

interface CollabConnectionCase {
  kind: string;
  /** What is wrong with how the server handled it, or undefined. */
  run(context: EdgeContext): Promise<string | undefined>;
}

function malformedCollabConnection(seeded: Random): CollabConnectionCase {
  const random = new Random(seeded.int(0, 0xffffffff));
  const kind = seeded.pick([
    "no session",
    "undecodable session cookie, no such document",
    "undecodable path",
    "malformed frame, signed in",
    "malformed frame before the answer, signed in",
    "dropped mid-upgrade",
    "frames without a session",
    "bad handshake key, signed in",
    "another origin, signed in",
  ] as const);
  const malformed = malformedFrame(random, MAX_MESSAGE_BYTES);
  const unknownId = random.uuid();
  const path = random.pick(["%", "%E0%A4%A", "%C0%AF", "%ZZ", "%ED%A0%80"]);
  const dropAt = random.int(1, 120);
  const refusedWith = (statuses: number[]) => (outcome: { status: number | undefined; outcome: string }) =>
    outcome.status !== undefined && statuses.includes(outcome.status) ? undefined : `answered ${outcome.status ?? `nothing (${outcome.outcome})`} (expected ${statuses.join(" or ")})`;
  return {
    kind,
    run: async ({ port, ids, cookies }) => {
      const documentPath = `/collab/${ids.documentId}`;
      switch (kind) {
        case "no session":
          return refusedWith([401])(await websocketExchange(port, upgradeHead(port, documentPath)));
        case "undecodable session cookie, no such document":
          return refusedWith([401])(await websocketExchange(port, upgradeHead(port, `/collab/${unknownId}`, { Cookie: "stewardship_session=%%%" })));
        case "undecodable path":
          return refusedWith([400])(await websocketExchange(port, upgradeHead(port, `/collab/${path}`, { Cookie: cookies.member })));
        case "frames without a session":
          return refusedWith([401])(await websocketExchange(port, upgradeHead(port, documentPath), { withUpgrade: [malformed.bytes, frame(random.bytes(2_000))] }));
        case "bad handshake key, signed in":
          return refusedWith([400])(await websocketExchange(port, upgradeHead(port, documentPath, { Cookie: cookies.member }).replace(/Sec-WebSocket-Key: [^\r]*/, "Sec-WebSocket-Key: short")));
        case "another origin, signed in":
          return refusedWith([403])(await websocketExchange(port, upgradeHead(port, documentPath, { Cookie: cookies.member, Origin: "http://evil.example" })));
        case "dropped mid-upgrade":
          await websocketExchange(port, upgradeHead(port, documentPath, { Cookie: cookies.member }), { dropAfterBytes: dropAt });
          return undefined;
        case "malformed frame, signed in":
        case "malformed frame before the answer, signed in": {
          const before = kind === "malformed frame before the answer, signed in";
          const outcome = await websocketExchange(port, upgradeHead(port, documentPath, { Cookie: cookies.member }), before ? { withUpgrade: [malformed.bytes] } : { afterUpgrade: [malformed.bytes] });
          if (outcome.status !== 101) return `${malformed.kind}: the upgrade was answered ${outcome.status ?? `nothing (${outcome.outcome})`}`;
          if (outcome.closeCode === undefined || !malformed.closeCodes.includes(outcome.closeCode)) {
            return `${malformed.kind}: closed ${outcome.closeCode !== undefined ? `with ${outcome.closeCode}` : `without a close code (${outcome.outcome})`} (expected ${malformed.closeCodes.join(" or ")})`;
          }
          return undefined;
        }
      }
    },
  };
}

describe("the edge fuzz", () => {
  it(
    "answers malformed requests at every door without a 5xx, and is alive after each",
    async () => {
      const cases = edgeCases(fuzzSeed(), scaled);
      expect(cases.length).toBeGreaterThanOrEqual(300);
      for (const testCase of cases) {
        if (server.dead && !(await restartAfterCrash())) {
          tally.fail(testCase.name, "not sent: the server crashed too often in this run");
          continue;
        }
        await runCase(testCase);
      }
      expect({ failures: tally.failures, loggedServerErrors: loggedServerErrors() }).toEqual({ failures: [], loggedServerErrors: [] });
    },
    900_000 * scale,
  );

  it(
    "refuses malformed /collab connections or closes them with a close code, and stays up",
    async () => {
      if (server.dead) await restartAfterCrash();
      const count = scaled(1_000);
      const concurrency = 25;
      const random = new Random(fuzzSeed() + 1);
      const connections = Array.from({ length: count }, () => malformedCollabConnection(random));
      const problems: string[] = [];
      const crashes: string[] = [];
      /** Kinds that have crashed the server once: not sent again, so the others still get tested. */
      const crashingKinds = new Set<string>();
      // A warm-up of the same kinds first, so the reading compares growth, not first-use allocations.
      const warmUp = Array.from({ length: Math.max(50, Math.round(count / 50)) }, () => malformedCollabConnection(random));
      for (let at = 0; at < warmUp.length; at += concurrency) await Promise.all(warmUp.slice(at, at + concurrency).map((connection) => connection.run(context)));
      if (server.dead) await restartAfterCrash();
      const rssBefore = await server.rssAfterGc();
      const recordProblem = (connection: CollabConnectionCase, problem: string | undefined) => {
        tally.count("malformed /collab connection");
        if (problem) problems.push(`${connection.kind} → ${problem}`);
      };
      for (let at = 0; at < connections.length; at += concurrency) {
        const batch = connections.slice(at, at + concurrency).filter((connection) => {
          if (!crashingKinds.has(connection.kind)) return true;
          tally.count("not sent again after it crashed the server");
          return false;
        });
        server.markCase();
        const results = await Promise.all(batch.map((connection) => connection.run(context)));
        const liveness = await server.liveness();
        if (liveness.alive) {
          for (const [index, problem] of results.entries()) recordProblem(batch[index]!, problem);
          continue;
        }
        // Which of them was it? Replay the batch one at a time on a fresh server.
        if (!(await restartAfterCrash())) break;
        for (const connection of batch) {
          if (crashingKinds.has(connection.kind)) continue;
          server.markCase();
          const problem = await connection.run(context);
          const after = await server.liveness();
          if (after.alive) {
            recordProblem(connection, problem);
            continue;
          }
          tally.count("malformed /collab connection");
          crashingKinds.add(connection.kind);
          tally.crash(`malformed /collab connection (${connection.kind})`, after.reason);
          crashes.push(`${connection.kind} → process ${after.reason} (the rest of this kind not sent)`);
          if (!(await restartAfterCrash())) break;
        }
        if (server.dead) break;
      }
      if (!server.dead) tally.phases.push({ name: `${count} malformed /collab connections`, rssBefore, rssAfter: await server.rssAfterGc() });
      // The same problem on many connections is one finding: each distinct one once, with its count.
      const distinct = new Map<string, number>();
      for (const problem of problems) distinct.set(problem, (distinct.get(problem) ?? 0) + 1);
      const summary = [...distinct].map(([problem, n]) => `malformed /collab connection: ${problem} ×${n}`);
      tally.failures.push(...summary);
      expect({ crashes, problems: summary }).toEqual({ crashes: [], problems: [] });
    },
    600_000 * scale,
  );
});
