/**
 * Work that spans processes (issue 20), with real processes on one PostgreSQL and one Redis:
 * a terms of reference submitted on one process while another takes the typing freezes everything
 * acknowledged before it, and the Lead Minister's office hears of it on a third connection's
 * process; the daily digest due while three processes run is sent once; a rolling restart of two
 * processes behind a balancer, under typing, loses nothing and shows people only a reconnection.
 */
import net from "node:net";
import { io as connectSocket } from "socket.io-client";
import { describe, expect, it, vi } from "vitest";
import { lastDigestTime } from "../../../app/models/digests.server.js";
import { appendParagraph } from "../collab/collab-clients.js";
import { startMailServer } from "../../support/mail-server.js";
import { clusterSuite, freePort, signInAt } from "./cluster-support.js";

vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

describe.runIf(process.env.TEST_DATABASE_URL)("work across server processes [postgres]", () => {
  const cluster = clusterSuite("work");
  const { start, open, synced } = cluster;

  it("freezes every acknowledged edit from another process at submission, and tells the Minister's office on a third", async () => {
    const [a, b, c] = [await start(), await start(), await start()];
    const terms = await cluster.db.selectFrom("documents").select(["id", "group_id"]).where("kind", "=", "terms_of_reference").executeTakeFirstOrThrow();
    const typist = open(a.url, terms.id, await signInAt(a.url, "member@example.org"));
    await synced(typist);
    const minister = connectSocket(c.url, { path: "/socket.io/", transports: ["websocket"], extraHeaders: { cookie: await signInAt(c.url, "minister@example.org") } });
    const heard: { title: string }[] = [];
    minister.on("notification", (payload: { title: string }) => heard.push(payload));
    await vi.waitFor(() => expect(minister.connected).toBe(true));
    try {
      // Each line with the typist's own clock once it was typed: acknowledged once "saved" reaches it.
      const lines: { text: string; clock: number }[] = [];
      const typing = setInterval(() => {
        const text = `Amendment ${lines.length + 1}.`;
        appendParagraph(typist.doc, text);
        lines.push({ text, clock: typist.ownClock() });
      }, 10);
      await vi.waitFor(() => expect(lines.length).toBeGreaterThan(40));
      await vi.waitFor(() => expect(typist.savedClock()).toBeGreaterThanOrEqual(lines[20]!.clock));
      // What the typist's process had acknowledged as saved when the secretary submitted on another.
      const acknowledgedClock = typist.savedClock();
      const acknowledgedText = lines.filter((line) => line.clock <= acknowledgedClock).map((line) => line.text);
      const secretary = await signInAt(b.url, "secretary@example.org");
      const response = await fetch(`${b.url}/groups/${terms.group_id}/documents/${terms.id}/approvals`, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: b.url, cookie: secretary },
        body: new URLSearchParams({ intent: "submit", coverNote: "For approval" }),
      });
      clearInterval(typing);
      expect(response.status).toBe(302);
      expect(acknowledgedText.length).toBeGreaterThan(20);
      const submission = await cluster.db
        .selectFrom("document_submissions as s")
        .innerJoin("document_versions as v", "v.id", "s.version_id")
        .select("v.content_text")
        .where("s.document_id", "=", terms.id)
        .executeTakeFirstOrThrow();
      for (const line of acknowledgedText) expect(submission.content_text).toContain(line);
      await vi.waitFor(() => expect(heard.some((event) => event.title.endsWith("submitted for approval"))).toBe(true), { timeout: 15_000 });
    } finally {
      minister.close();
    }
  });

  it("sends a digest due while three processes run once", async () => {
    const mail = await startMailServer();
    try {
      const reader = await cluster.db.selectFrom("users").select("id").where("email", "=", "member@example.org").executeTakeFirstOrThrow();
      const dueAt = lastDigestTime(new Date());
      await cluster.db
        .insertInto("notification_preferences")
        .values({ user_id: reader.id, email_mode: "daily_digest", updated_at: new Date(dueAt.getTime() - 3 * 86_400_000) })
        .onConflict((conflict) => conflict.column("user_id").doUpdateSet({ email_mode: "daily_digest", updated_at: new Date(dueAt.getTime() - 3 * 86_400_000) }))
        .execute();
      await cluster.db
        .insertInto("notifications")
        .values({ user_id: reader.id, kind: "test", title: "Agenda published", body: "The agenda is ready.", link: "/groups", created_at: new Date(dueAt.getTime() - 86_400_000) })
        .execute();
      // The check every minute instead of every hour, so the test need not wait for one.
      const env = { SMTP_URL: mail.url, EMAIL_FROM: "Stewardship Workspace <hui@stewardship.example.govt.nz>", DIGEST_CHECK_CRON: "* * * * *" };
      await Promise.all([start(env), start(env), start(env)]);
      await vi.waitFor(() => expect(mail.state.received.length).toBeGreaterThan(0), { timeout: 150_000, interval: 500 });
      // At least one more check runs in every process's sight; it finds the digest sent.
      const sentAt = Date.now();
      await vi.waitFor(
        async () => {
          const marks = await cluster.db.selectFrom("schedule_marks").select("up_to").where("name", "=", "consultation-closings").executeTakeFirst();
          expect(marks?.up_to.getTime() ?? 0).toBeGreaterThan(sentAt);
        },
        { timeout: 120_000, interval: 1_000 },
      );
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const digests = mail.state.received.filter((message) => message.raw.includes("Your daily summary"));
      expect(digests.map((message) => message.to)).toEqual([["member@example.org"]]);
    } finally {
      await mail.close();
    }
  });

  it("loses nothing in a rolling restart of two processes behind a balancer while people type", async () => {
    const balancer = await RoundRobin.start();
    const env = { PUBLIC_URL: balancer.url, TRUST_PROXY: "off" };
    const first = [await start(env), await start(env)];
    for (const server of first) balancer.add(server.url);
    const group = await cluster.db.selectFrom("groups").select("id").executeTakeFirstOrThrow();
    const paper = await cluster.db.insertInto("documents").values({ group_id: group.id, kind: "paper", title: "Typed through a deploy" }).returning("id").executeTakeFirstOrThrow();
    const typist = open(balancer.url, paper.id, await signInAt(balancer.url, "member@example.org"));
    const reader = open(balancer.url, paper.id, await signInAt(balancer.url, "chair@example.org"));
    await synced(typist, reader);
    let typed = 0;
    const typing = setInterval(() => appendParagraph(typist.doc, `Line ${++typed}.`), 20);
    try {
      // One process at a time: stop it (SIGTERM), start its replacement, move on to the next.
      await vi.waitFor(() => expect(typed).toBeGreaterThan(20));
      for (const old of first) {
        balancer.remove(old.url);
        expect(await old.stop("SIGTERM")).toBe(0);
        const replacement = await start(env);
        balancer.add(replacement.url);
        await synced(typist, reader);
        const before = typed;
        await vi.waitFor(() => expect(typed).toBeGreaterThan(before + 20));
      }
    } finally {
      clearInterval(typing);
    }
    // Told to reconnect (1012, the server is restarting), not dropped.
    expect(typist.closeCodes).toContain(1012);
    await vi.waitFor(() => expect(typist.savedClock()).toBeGreaterThanOrEqual(typist.ownClock()), { timeout: 30_000 });
    await vi.waitFor(() => expect(reader.text()).toContain(`Line ${typed}.`), { timeout: 20_000 });
    const text = reader.text();
    for (let line = 1; line <= typed; line++) expect(text).toContain(`Line ${line}.`);
    await balancer.close();
  });
});

/** A TCP balancer in front of the processes: each new connection goes to the next live one. */
class RoundRobin {
  private readonly backends: number[] = [];
  private readonly sockets = new Set<net.Socket>();
  private next = 0;
  private readonly server = net.createServer((socket) => this.route(socket));
  private constructor(readonly port: number) {}

  static async start(): Promise<RoundRobin> {
    const balancer = new RoundRobin(await freePort());
    await new Promise<void>((resolve) => balancer.server.listen(balancer.port, "127.0.0.1", () => resolve()));
    return balancer;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  add(url: string): void {
    this.backends.push(Number(new URL(url).port));
  }

  remove(url: string): void {
    const port = Number(new URL(url).port);
    const index = this.backends.indexOf(port);
    if (index >= 0) this.backends.splice(index, 1);
  }

  private route(socket: net.Socket): void {
    socket.on("error", () => undefined);
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    if (this.backends.length === 0) return void socket.destroy();
    const port = this.backends[this.next++ % this.backends.length]!;
    const upstream = net.connect(port, "127.0.0.1");
    upstream.on("error", () => socket.destroy());
    socket.on("close", () => upstream.destroy());
    upstream.on("close", () => socket.destroy());
    socket.pipe(upstream);
    upstream.pipe(socket);
  }

  /** Stops taking connections and cuts those still open. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
