/**
 * Several server processes on one PostgreSQL and one Redis (issue 20): co-editing, presence and
 * events cross processes; access changes reach every process; nothing acknowledged is lost when a
 * process is killed, when Redis restarts with nothing kept, or when a process is cut off from it.
 * Real processes (build/server.mjs), a real PostgreSQL and a Redis of the test's own.
 */
import net from "node:net";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { io as connectSocket } from "socket.io-client";
import { beforeAll, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import type { Database } from "../../../db/database.js";
import { readStoredState, applyStoredState } from "../../../server/collab/document-store.js";
import { renderText } from "../../../app/documents/content.js";
import { appendParagraph } from "../collab/collab-clients.js";
import { clusterSuite, createClusterDatabase, freePort, signInAt, startProcess } from "./cluster-support.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

describe.runIf(process.env.TEST_DATABASE_URL)("several server processes on one database and Redis [postgres]", () => {
  const cluster = clusterSuite("cluster");
  const { start, open, synced } = cluster;
  let termsId: string;

  const storedText = async (documentId: string) => {
    const doc = applyStoredState(await readStoredState(cluster.db, documentId));
    try {
      return renderText(doc);
    } finally {
      doc.destroy();
    }
  };

  beforeAll(async () => {
    termsId = (await cluster.db.selectFrom("documents").select("id").where("kind", "=", "terms_of_reference").executeTakeFirstOrThrow()).id;
  });

  it("refuses a second process without Redis, with one clear line", async () => {
    await start();
    const alone = startProcess({ DATABASE_URL: cluster.database.url }, "alone");
    await expect(alone).rejects.toThrow(/Cannot start: a server process|Cannot start: another server process/);
  });

  it("converges typing and presence across three processes, live, and stores it once acknowledged", async () => {
    const [a, b, c] = [await start(), await start(), await start()];
    const member = open(a.url, termsId, await signInAt(a.url, "member@example.org"));
    const chair = open(b.url, termsId, await signInAt(b.url, "chair@example.org"));
    const secretary = open(c.url, termsId, await signInAt(c.url, "secretary@example.org"));
    await synced(member, chair, secretary);
    member.provider.awareness.setLocalStateField("user", { name: "Tama Ngata" });
    appendParagraph(member.doc, "From the first process.");
    appendParagraph(chair.doc, "From the second process.");
    appendParagraph(secretary.doc, "From the third process.");
    await vi.waitFor(() => {
      for (const client of [member, chair, secretary]) {
        expect(client.text()).toContain("From the first process.");
        expect(client.text()).toContain("From the second process.");
        expect(client.text()).toContain("From the third process.");
      }
    });
    // Presence crossed too.
    await vi.waitFor(() => expect((chair.provider.awareness.getStates().get(member.doc.clientID) as { user?: { name: string } })?.user?.name).toBe("Tama Ngata"));
    // Each one's typing is acknowledged as saved, and then it is in the database.
    await vi.waitFor(() => {
      for (const client of [member, chair, secretary]) expect(client.savedClock()).toBeGreaterThanOrEqual(client.ownClock());
    });
    const text = await storedText(termsId);
    for (const line of ["From the first process.", "From the second process.", "From the third process."]) expect(text).toContain(line);
  });

  it("takes Socket.io events (presence) across processes", async () => {
    const [a, b] = [await start(), await start()];
    const chairCookie = await signInAt(a.url, "chair@example.org");
    const memberCookie = await signInAt(b.url, "member@example.org");
    const chairSocket = connectSocket(a.url, { path: "/socket.io/", transports: ["websocket"], extraHeaders: { cookie: chairCookie } });
    const memberSocket = connectSocket(b.url, { path: "/socket.io/", transports: ["websocket"], extraHeaders: { cookie: memberCookie } });
    try {
      const names: string[][] = [];
      chairSocket.on("document:presence", (payload: { viewers: { name: string }[] }) => names.push(payload.viewers.map((viewer) => viewer.name)));
      await new Promise<void>((resolve) => chairSocket.emit("document:join", { documentId: termsId }, () => resolve()));
      await new Promise<void>((resolve) => memberSocket.emit("document:join", { documentId: termsId }, () => resolve()));
      await vi.waitFor(() => expect(names.at(-1)?.sort()).toEqual(["Rāwiri Te Awa", "Tama Ngata"]));
    } finally {
      chairSocket.close();
      memberSocket.close();
    }
  });

  it("closes a person's connections on every process when their access ends", async () => {
    const [a, b] = [await start(), await start()];
    const memberOnB = open(b.url, termsId, await signInAt(b.url, "member@example.org"));
    await synced(memberOnB);
    // The secretary, on the other process, ends the member's membership.
    const member = await cluster.db.selectFrom("users").select("id").where("email", "=", "member@example.org").executeTakeFirstOrThrow();
    const membership = await cluster.db.selectFrom("memberships").select(["id", "group_id"]).where("user_id", "=", member.id).executeTakeFirstOrThrow();
    const secretaryCookie = await signInAt(a.url, "secretary@example.org");
    const yesterday = new Date(Date.now() - 86_400_000).toLocaleDateString("en-CA", { timeZone: "Pacific/Auckland" });
    try {
      const response = await fetch(`${a.url}/groups/${membership.group_id}/members`, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: a.url, cookie: secretaryCookie },
        body: new URLSearchParams({ intent: "end", membershipId: membership.id, endsOn: yesterday, reason: "left the organisation" }),
      });
      expect(response.status).toBeLessThan(400);
      await vi.waitFor(() => expect(memberOnB.closeCodes).toContain(1008), { timeout: 15_000 });
    } finally {
      await cluster.db.updateTable("memberships").set({ ends_on: null }).where("id", "=", membership.id).execute();
    }
  });

  it("loses nothing acknowledged when a process is killed while its clients type; they carry on at another", async () => {
    const [a, b] = [await start(), await start()];
    const paperId = await newPaper(cluster.db, "Typed through a crash");
    const cookie = await signInAt(a.url, "member@example.org");
    const typist = open(a.url, paperId, cookie);
    const watcher = open(b.url, paperId, await signInAt(b.url, "chair@example.org"));
    await synced(typist, watcher);
    appendParagraph(typist.doc, "");
    let typed = 0;
    const typing = setInterval(() => {
      appendParagraph(typist.doc, `Keystroke ${++typed}.`);
    }, 5);
    await vi.waitFor(() => expect(typed).toBeGreaterThan(60));
    const acknowledgedClock = typist.savedClock();
    await a.stop("SIGKILL");
    clearInterval(typing);
    // Everything acknowledged is in the database.
    const stored = applyStoredState(await readStoredState(cluster.db, paperId));
    expect(Y.getState(stored.store, typist.doc.clientID)).toBeGreaterThanOrEqual(acknowledgedClock);
    stored.destroy();
    // The client reconnects to the other process (as a load balancer would send it) and sends the rest.
    const again = open(b.url, paperId, await signInAt(b.url, "member@example.org"), { doc: typist.doc });
    await synced(again);
    // What only the killed process had confirmed to nobody is stored by the other within seconds.
    await vi.waitFor(() => expect(again.savedClock()).toBeGreaterThanOrEqual(again.ownClock()), { timeout: 20_000 });
    await vi.waitFor(() => expect(watcher.text()).toContain(`Keystroke ${typed}.`));
    expect(await storedText(paperId)).toContain(`Keystroke ${typed}.`);
  });

  it("keeps going when Redis restarts with nothing kept: no process exits, fan-out resumes, nothing lost", async () => {
    const [a, b] = [await start(), await start()];
    const paperId = await newPaper(cluster.db, "Typed while Redis restarts");
    const left = open(a.url, paperId, await signInAt(a.url, "member@example.org"));
    const right = open(b.url, paperId, await signInAt(b.url, "chair@example.org"));
    await synced(left, right);
    appendParagraph(left.doc, "Before the restart.");
    await vi.waitFor(() => expect(right.text()).toContain("Before the restart."));
    await cluster.redis.restart();
    appendParagraph(left.doc, "During the restart.");
    appendParagraph(right.doc, "From the other side, during the restart.");
    // Both processes are still there, and each side gets the other's typing.
    await vi.waitFor(() => {
      expect(right.text()).toContain("During the restart.");
      expect(left.text()).toContain("From the other side, during the restart.");
    }, { timeout: 30_000 });
    appendParagraph(left.doc, "After the restart.");
    await vi.waitFor(() => expect(right.text()).toContain("After the restart."), { timeout: 15_000 });
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
    await vi.waitFor(() => expect(left.savedClock()).toBeGreaterThanOrEqual(left.ownClock()));
    await vi.waitFor(() => expect(right.savedClock()).toBeGreaterThanOrEqual(right.ownClock()));
    const text = await storedText(paperId);
    for (const line of ["Before the restart.", "During the restart.", "From the other side, during the restart.", "After the restart."]) {
      expect(text).toContain(line);
    }
    const health = (await (await fetch(`${a.url}/healthz`)).json()) as { redis: string };
    expect(health.redis).toBe("ok");
  });

  it("catches up a process cut off from Redis for 10 seconds", async () => {
    // The cut-off process reaches Redis through a proxy the test can cut.
    const proxy = await CuttableProxy.start(cluster.redis.port);
    try {
      const [a, b] = [await start(), await start({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` })];
      const paperId = await newPaper(cluster.db, "Typed while one process is cut off");
      const typist = open(a.url, paperId, await signInAt(a.url, "member@example.org"));
      const reader = open(b.url, paperId, await signInAt(b.url, "chair@example.org"));
      await synced(typist, reader);
      proxy.cut();
      appendParagraph(typist.doc, "Typed while the other process could not hear.");
      await vi.waitFor(() => expect(typist.savedClock()).toBeGreaterThanOrEqual(typist.ownClock()));
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      expect(reader.text()).not.toContain("Typed while the other process could not hear.");
      proxy.restore();
      await vi.waitFor(() => expect(reader.text()).toContain("Typed while the other process could not hear."), { timeout: 30_000 });
    } finally {
      proxy.close();
    }
  });
});

async function newPaper(db: Kysely<Database>, title: string): Promise<string> {
  const group = await db.selectFrom("groups").select("id").executeTakeFirstOrThrow();
  return (await db.insertInto("documents").values({ group_id: group.id, kind: "paper", title }).returning("id").executeTakeFirstOrThrow()).id;
}

/** A TCP proxy to a port, whose connections the test can cut (and refuse) and then allow again. */
class CuttableProxy {
  private readonly sockets = new Set<net.Socket>();
  private open = true;
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<CuttableProxy> {
    const port = await freePort();
    const holder: { proxy?: CuttableProxy } = {};
    const server = net.createServer((client) => {
      const proxy = holder.proxy;
      if (!proxy?.open) {
        client.destroy();
        return;
      }
      const upstream = net.connect(targetPort, "127.0.0.1");
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on("close", () => proxy.sockets.delete(socket));
        socket.on("error", () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    holder.proxy = new CuttableProxy(server, port);
    return holder.proxy;
  }

  cut(): void {
    this.open = false;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.open = true;
  }

  close(): void {
    this.cut();
    this.server.close();
  }
}

describe.runIf(process.env.TEST_DATABASE_URL)("two writers on one document's log [postgres]", () => {
  it("lets two processes compact one document at once: each folds only rows it read, nothing is lost", async () => {
    const database = await createClusterDatabase();
    const pools = [new pg.Pool({ connectionString: database.url, max: 2 }), new pg.Pool({ connectionString: database.url, max: 2 })];
    // Dropping the database at the end ends these connections: not an error of the test.
    for (const pool of pools) pool.on("error", () => undefined);
    const [first, second] = pools.map((pool) => new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }));
    try {
      const paperId = await newPaper(first!, "Compacted by two processes");
      const source = new Y.Doc();
      const updates: Uint8Array[] = [];
      source.on("update", (update: Uint8Array) => updates.push(update));
      for (let i = 0; i < 400; i++) appendParagraph(source, `Line ${i}`);
      const { appendUpdate, compactDocument } = await import("../../../server/collab/document-store.js");
      for (const update of updates.slice(0, 300)) await appendUpdate(first!, paperId, update, null);
      // Both compact while rows keep arriving from both sides.
      const appending = (async () => {
        for (const [index, update] of updates.slice(300).entries()) await appendUpdate(index % 2 ? first! : second!, paperId, update, null);
      })();
      const results = await Promise.all([compactDocument(first!, paperId), compactDocument(second!, paperId), appending]);
      expect((results[0]?.folded ?? 0) + (results[1]?.folded ?? 0)).toBeGreaterThanOrEqual(300);
      const stored = applyStoredState(await readStoredState(first!, paperId));
      expect(renderText(stored)).toBe(renderText(source));
      stored.destroy();
    } finally {
      await first!.destroy();
      await second!.destroy();
      await database.drop();
    }
  });
});
