/**
 * The notification centre: `notify` stores one row per recipient, pushes a live `notification`
 * event to their open tabs and emails them, never failing the caller; the unread count, marking
 * read (only one's own); and over HTTP, the /notifications page, opening one, the header badge,
 * the live event on a real socket.io client and the email in the outbox.
 */
import fs from "node:fs/promises";
import pino from "pino";
import { type Socket, io as connectSocket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type NotificationEvent,
  type NotifyServices,
  listNotifications,
  markAllRead,
  markRead,
  notify,
  unreadCount,
} from "../../../app/models/notifications.server.js";
import { describeEachDatabase } from "../../support/database.js";
import { recordingOutbox } from "../../support/recording-outbox.js";
import { makeTempDataDir, waitForMail } from "../../support/outbox.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";

function fakeServices(db: NotifyServices["db"]) {
  const outbox = recordingOutbox();
  const sent = outbox.sent;
  const pushed: { userId: string; event: string; payload: unknown }[] = [];
  const services: NotifyServices = {
    db,
    logger: pino({ level: "silent" }),
    jobs: outbox,
    realtime: { emitToUser: (userId, event, payload) => pushed.push({ userId, event, payload }) },
    config: { publicUrl: "https://stewardship.example.govt.nz" },
  };
  return { services, sent, pushed };
}

describeEachDatabase("notifications", (getDb) => {
  let aroha: string;
  let tama: string;

  beforeAll(async () => {
    const db = getDb();
    const rows = await db
      .insertInto("users")
      .values([
        { email: "aroha@example.org", display_name: "Aroha Ngata", password_hash: null },
        { email: "tama@example.org", display_name: "Tama Rēhia", password_hash: null },
      ])
      .returning(["id", "email"])
      .execute();
    aroha = rows.find((row) => row.email === "aroha@example.org")!.id;
    tama = rows.find((row) => row.email === "tama@example.org")!.id;
  });

  it("stores one notification per recipient (each once), pushes it live and emails it", async () => {
    const { services, sent, pushed } = fakeServices(getDb());
    await notify(services, {
      recipientIds: [aroha, tama, aroha],
      kind: "approval.submitted",
      title: "Terms of reference submitted for approval",
      body: "Sophie Lin submitted version 3 of the terms of reference for the whānau wellbeing group.",
      link: "/groups/g/documents/d/versions/3",
    });
    expect(await listNotifications(getDb(), aroha)).toHaveLength(1);
    expect(await listNotifications(getDb(), tama)).toHaveLength(1);
    expect(pushed.map((push) => push.userId).sort()).toEqual([aroha, tama].sort());
    const toAroha = pushed.find((push) => push.userId === aroha)!;
    expect(toAroha.event).toBe("notification");
    expect(toAroha.payload).toMatchObject({
      title: "Terms of reference submitted for approval",
      link: "/groups/g/documents/d/versions/3",
      unreadCount: 1,
    });
    expect(sent.map((message) => message.to).sort()).toEqual(["aroha@example.org", "tama@example.org"]);
    expect(sent[0]!.subject).toBe("Terms of reference submitted for approval");
    expect(sent[0]!.text).toContain("whānau wellbeing group");
    expect(sent[0]!.text).toContain("https://stewardship.example.govt.nz/groups/g/documents/d/versions/3");
  });

  it("counts unread notifications and lists them newest first", async () => {
    const { services } = fakeServices(getDb());
    await notify(services, { recipientIds: [aroha], kind: "test", title: "Second", body: "Body", link: "/groups" });
    const list = await listNotifications(getDb(), aroha);
    expect(list.map((notification) => notification.title)).toEqual(["Second", "Terms of reference submitted for approval"]);
    expect(await unreadCount(getDb(), aroha)).toBe(2);
  });

  it("lets only the owner mark a notification read", async () => {
    const [latest] = await listNotifications(getDb(), aroha);
    expect(await markRead(getDb(), tama, latest!.id)).toBeUndefined();
    expect(await unreadCount(getDb(), aroha)).toBe(2);
    expect(await markRead(getDb(), aroha, latest!.id)).toBe("/groups");
    expect(await unreadCount(getDb(), aroha)).toBe(1);
    // Opening it again keeps the first time it was read.
    const readAt = (await listNotifications(getDb(), aroha))[0]!.read_at;
    await markRead(getDb(), aroha, latest!.id);
    expect((await listNotifications(getDb(), aroha))[0]!.read_at).toEqual(readAt);
    expect(await markRead(getDb(), aroha, "not-a-uuid")).toBeUndefined();
  });

  it("marks all of a person's notifications read and nobody else's", async () => {
    expect(await markAllRead(getDb(), aroha)).toBe(1);
    expect(await unreadCount(getDb(), aroha)).toBe(0);
    expect(await unreadCount(getDb(), tama)).toBe(1);
  });

  it("never throws to the caller, and leaves nothing half-done when the email cannot be queued", async () => {
    const { services, pushed } = fakeServices(getDb());
    services.jobs = { sendEmail: () => Promise.reject(new Error("queue unavailable")) };
    await expect(
      notify(services, { recipientIds: [tama], kind: "test", title: "Queue fails", body: "Body", link: "/groups" }),
    ).resolves.toBeUndefined();
    // The rows and their emails are one transaction: neither without the other, and no push for it.
    expect(pushed).toHaveLength(0);
    expect((await listNotifications(getDb(), tama)).some((notification) => notification.title === "Queue fails")).toBe(false);
  });

  it("refuses a link to another site without throwing", async () => {
    const { services, sent } = fakeServices(getDb());
    for (const link of ["https://evil.example/", "//evil.example/x", "/\\evil.example"]) {
      await expect(notify(services, { recipientIds: [tama], kind: "test", title: "Bad", body: "B", link })).resolves.toBeUndefined();
    }
    expect(sent).toEqual([]);
    expect((await listNotifications(getDb(), tama)).some((notification) => notification.title === "Bad")).toBe(false);
  });
});

describe("notifications over HTTP and Socket.io", () => {
  let server: TestServer;
  let dataDir: string;
  let memberId: string;
  let secretaryId: string;
  let memberCookie: string;
  const open: Socket[] = [];

  const get = (path: string, cookie: string) => fetch(`${server.url}${path}`, { headers: { cookie }, redirect: "manual" });

  beforeAll(async () => {
    dataDir = await makeTempDataDir();
    server = await startTestServer({ env: { DATA_DIR: dataDir } });
    const users = await server.services.db.selectFrom("users").select(["id", "email"]).execute();
    memberId = users.find((user) => user.email === "member@example.org")!.id;
    secretaryId = users.find((user) => user.email === "secretary@example.org")!.id;
    memberCookie = await signIn(server, "member@example.org");
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(async () => {
    await server?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("pushes a live notification event to the recipient's socket and emails them", async () => {
    const socket = connectSocket(server.url, {
      path: "/socket.io/",
      transports: ["websocket"],
      extraHeaders: { cookie: memberCookie },
      reconnection: false,
    });
    open.push(socket);
    const heard: NotificationEvent[] = [];
    socket.on("notification", (payload: NotificationEvent) => heard.push(payload));
    await vi.waitFor(() => expect(socket.connected).toBe(true));

    await notify(server.services, {
      recipientIds: [memberId],
      kind: "approval.approved",
      title: "Terms of reference approved",
      body: "The Lead Minister's office approved Te Tūāpapa Kura Kāinga terms of reference.",
      link: "/groups",
    });

    await vi.waitFor(() => expect(heard).toHaveLength(1));
    expect(heard[0]).toMatchObject({ title: "Terms of reference approved", link: "/groups", unreadCount: 1 });
    expect(new Date(heard[0]!.createdAt).getTime()).not.toBeNaN();

    const mail = await waitForMail(dataDir, (message) => message.subject === "Terms of reference approved");
    expect(mail).toHaveLength(1);
    expect(mail[0]!.to).toBe("member@example.org");
    expect(mail[0]!.text).toContain("Te Tūāpapa Kura Kāinga");
    expect(mail[0]!.text).toContain(`${server.services.config.publicUrl}/groups`);
  });

  it("lists the notifications on /notifications with an unread badge in the header", async () => {
    const response = await get("/notifications", memberCookie);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Terms of reference approved");
    expect(html).toContain('aria-label="Notifications (1 unread)"');
    expect(html).toContain("Unread");
    expect(html).toContain("Mark all as read");
  });

  it("opens a notification by marking it read and going to its link, for its owner only", async () => {
    const [notification] = await listNotifications(server.services.db, memberId);
    const secretaryCookie = await signIn(server, "secretary@example.org");
    expect((await get(`/notifications/${notification!.id}`, secretaryCookie)).status).toBe(404);
    expect(await unreadCount(server.services.db, memberId)).toBe(1);

    const opened = await get(`/notifications/${notification!.id}`, memberCookie);
    expect(opened.status).toBe(302);
    expect(opened.headers.get("location")).toBe("/groups");
    expect(await unreadCount(server.services.db, memberId)).toBe(0);
    expect(await (await get("/notifications", memberCookie)).text()).toContain('aria-label="Notifications"');
    expect(await unreadCount(server.services.db, secretaryId)).toBe(0);
  });

  it("marks all as read from the form", async () => {
    await notify(server.services, { recipientIds: [memberId], kind: "test", title: "One more", body: "B", link: "/groups" });
    expect(await unreadCount(server.services.db, memberId)).toBe(1);
    const response = await fetch(`${server.url}/notifications`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: memberCookie, "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
      body: new URLSearchParams({ intent: "mark-all-read" }),
    });
    expect(response.status).toBe(302);
    expect(await unreadCount(server.services.db, memberId)).toBe(0);
  });

  it("sends someone who is not signed in to the sign-in page", async () => {
    const response = await fetch(`${server.url}/notifications`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toContain("/login");
  });
});
