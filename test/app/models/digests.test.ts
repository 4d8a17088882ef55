/**
 * Notification email preferences: "immediate" emails at once (the default), "daily_digest" gathers
 * every notification not yet emailed into one email a day grouped by group and document, "off"
 * sends nothing. Every email has an unsubscribe link that works without signing in and does
 * nothing but turn notification email off.
 */
import fs from "node:fs/promises";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastDigestTime, runDailyDigest, sendDailyDigests } from "../../../app/models/digests.server.js";
import { emailModeFor, setEmailMode } from "../../../app/models/notification-preferences.server.js";
import { type NotifyServices, notify } from "../../../app/models/notifications.server.js";
import { describeEachDatabase } from "../../support/database.js";
import { recordingOutbox } from "../../support/recording-outbox.js";
import { linkPath, makeTempDataDir } from "../../support/outbox.js";
import { type TestServer, startTestServer } from "../../support/server.js";

function fakeServices(db: NotifyServices["db"]) {
  const outbox = recordingOutbox();
  const sent = outbox.sent;
  const services: NotifyServices = {
    db,
    logger: pino({ level: "silent" }),
    jobs: outbox,
    realtime: { emitToUser: () => undefined },
    config: { publicUrl: "https://stewardship.example.govt.nz" },
  };
  return { services, sent };
}

describeEachDatabase("notification digests", (getDb, getHandle) => {
  const users = new Map<string, string>();
  const groups = new Map<string, string>();
  const documents = new Map<string, string>();
  let server: TestServer;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await makeTempDataDir();
    server = await startTestServer({ database: getHandle(), env: { DATA_DIR: dataDir } });
    const db = getDb();
    const rows = await db
      .insertInto("users")
      .values(
        ["digest", "immediate", "off"].map((name) => ({ email: `${name}.reader@example.org`, display_name: `Reader ${name}`, password_hash: null })),
      )
      .returning(["id", "email"])
      .execute();
    for (const row of rows) users.set(row.email.split(".")[0]!, row.id);
    for (const [code, name] of [["WHN", "Whānau Wellbeing Group"], ["HSG", "Housing Stewardship Group"]] as const) {
      const group = await db.insertInto("groups").values({ code, name }).returning("id").executeTakeFirstOrThrow();
      groups.set(code, group.id);
      const document = await db
        .insertInto("documents")
        .values({ group_id: group.id, kind: "paper", title: `${name} paper` })
        .returning("id")
        .executeTakeFirstOrThrow();
      documents.set(code, document.id);
    }
    const before = new Date(Date.now() - 60_000);
    await setEmailMode(db, users.get("digest")!, "daily_digest", before);
    await setEmailMode(db, users.get("off")!, "off", before);
  });

  afterAll(async () => {
    await server?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const notifyAll = async (services: NotifyServices, code: "WHN" | "HSG", title: string) =>
    notify(services, {
      recipientIds: [users.get("digest")!, users.get("immediate")!, users.get("off")!],
      kind: "consultation.opened",
      title,
      body: `${title}: please read.`,
      link: `/groups/${groups.get(code)!}/documents/${documents.get(code)!}`,
      groupId: groups.get(code)!,
    });

  it("emails immediate readers at once, and neither digest nor off readers", async () => {
    const { services, sent } = fakeServices(getDb());
    await notifyAll(services, "WHN", "Comments invited on the wellbeing paper");
    await notifyAll(services, "HSG", "Comments invited on the housing paper");
    expect(sent.map((message) => message.to)).toEqual(["immediate.reader@example.org", "immediate.reader@example.org"]);
    expect(sent[0]!.text).toContain(`/groups/${groups.get("WHN")!}/documents/${documents.get("WHN")!}`);
    expect(sent[0]!.text).toMatch(/https:\/\/stewardship\.example\.govt\.nz\/unsubscribe\/[A-Za-z0-9_-]{43}/);
  });

  it("sends a digest reader one email with a section per group and document, then nothing more", async () => {
    const { services, sent } = fakeServices(getDb());
    expect(await sendDailyDigests(services, new Date())).toBe(1);
    expect(sent).toHaveLength(1);
    const digest = sent[0]!;
    expect(digest.to).toBe("digest.reader@example.org");
    expect(digest.text).toContain("== Housing Stewardship Group ==");
    expect(digest.text).toContain("== Whānau Wellbeing Group ==");
    expect(digest.text).toContain("-- Whānau Wellbeing Group paper --");
    expect(digest.text).toContain("Comments invited on the housing paper");
    expect(digest.text).toContain(`https://stewardship.example.govt.nz/groups/${groups.get("HSG")!}/documents/${documents.get("HSG")!}`);
    expect(digest.text).toMatch(/\/unsubscribe\/[A-Za-z0-9_-]{43}/);

    // Marked as emailed: the next run sends nothing.
    const again = fakeServices(getDb());
    expect(await sendDailyDigests(again.services, new Date())).toBe(0);
    expect(again.sent).toHaveLength(0);
  });

  it("unsubscribes without a session through the emailed link, and refuses a bad token", async () => {
    const { services, sent } = fakeServices(getDb());
    await notifyAll(services, "WHN", "A decision was recorded");
    const path = linkPath(sent[0]!.text, "/unsubscribe/");

    const page = await fetch(`${server.url}${path}`, { redirect: "manual" });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Stop notification emails");
    expect(await emailModeFor(getDb(), users.get("immediate")!)).toBe("immediate");

    const crossSite = await fetch(`${server.url}${path}`, { method: "POST", redirect: "manual", headers: { Origin: "https://evil.example" } });
    expect(crossSite.status).toBe(403);
    expect(await emailModeFor(getDb(), users.get("immediate")!)).toBe("immediate");

    const confirmed = await fetch(`${server.url}${path}`, { method: "POST", redirect: "manual", headers: { Origin: server.origin } });
    expect(confirmed.status).toBe(200);
    expect(await emailModeFor(getDb(), users.get("immediate")!)).toBe("off");

    const bad = `/unsubscribe/${"A".repeat(43)}`;
    expect((await fetch(`${server.url}${bad}`)).status).toBe(404);
    expect((await fetch(`${server.url}${bad}`, { method: "POST", headers: { Origin: server.origin } })).status).toBe(404);

    // Off: nothing by email, still in the notification centre.
    const after = fakeServices(getDb());
    await notifyAll(after.services, "HSG", "Another decision");
    expect(after.sent).toHaveLength(0);
    const stored = await getDb().selectFrom("notifications").select("id").where("user_id", "=", users.get("immediate")!).execute();
    expect(stored.length).toBe(4);
  });

  it("sends the digests due at the last 7 am once, whenever the hourly check first runs after it", async () => {
    const { services, sent } = fakeServices(getDb());
    await notifyAll(services, "HSG", "Minutes confirmed");
    sent.length = 0;
    // The server was down at 7: the check at 10 am the next day still sends that morning's digest.
    const later = new Date(Date.now() + 24 * 60 * 60 * 1000);
    expect(await runDailyDigest(services, later)).toBe(1);
    expect(sent.map((message) => message.to)).toEqual(["digest.reader@example.org"]);
    // The checks after it that day find it sent, whichever process runs them.
    expect(await runDailyDigest(services, new Date(later.getTime() + 60 * 60 * 1000))).toBeNull();
    expect(sent).toHaveLength(1);
  });
});

describe("the daily digest's time", () => {
  it("is the latest 7 am New Zealand time, in summer and in winter", () => {
    // 6:59 am NZDT on 4 December is before that morning's 7 am: the digest due is the day before's.
    expect(lastDigestTime(new Date("2026-12-03T17:59:00Z")).toISOString()).toBe("2026-12-02T18:00:00.000Z");
    expect(lastDigestTime(new Date("2026-12-03T18:00:00Z")).toISOString()).toBe("2026-12-03T18:00:00.000Z");
    // NZST (UTC+12) in July.
    expect(lastDigestTime(new Date("2026-07-01T21:30:00Z")).toISOString()).toBe("2026-07-01T19:00:00.000Z");
  });
});
