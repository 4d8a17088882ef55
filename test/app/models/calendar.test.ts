/**
 * Meetings in people's calendars (journey 4): the ICS invite for one meeting and the private feed
 * of the group's meetings, read back with a small ICS reader below (unfolding, escapes, UTC
 * instants, DURATION). Pins the New Zealand wall-clock times across both daylight-saving changes,
 * the stable UID and rising SEQUENCE that let calendars replace an event, cancellation, macrons,
 * and who may fetch what: the invite through the meeting policy, the feed by its secret address
 * alone, which stops answering when replaced, revoked or when its owner leaves the group.
 */
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, Meeting } from "../../../db/database.js";
import { loadActor } from "../../../app/models/actor.server.js";
import { createCalendarFeed, meetingInviteIcs, revokeCalendarFeed } from "../../../app/models/calendar.server.js";
import { cancelMeeting, rescheduleMeeting, scheduleMeeting } from "../../../app/models/meeting-scheduling.server.js";
import { addDays, endMembership } from "../../../app/models/memberships.server.js";
import type { Actor } from "../../../app/policy/policy.js";
import { nzCalendarDate } from "../../../app/utils/dates.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";
import { pinDemoMeeting } from "../../support/demo-meeting.js";

// ---- a small ICS reader (RFC 5545), enough for what our calendars contain ------------------------

interface IcsEvent {
  /** Property values by name, text unescaped; parameters dropped. */
  props: Map<string, string>;
  start: Date;
  end: Date;
}

interface IcsCalendar {
  props: Map<string, string>;
  events: IcsEvent[];
}

/** A UTC date-time, "20261207T210000Z"; anything else (floating or zoned local time) is refused. */
function utcInstant(value: string | undefined): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? "");
  if (!match) throw new Error(`not a UTC date-time: ${value}`);
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

/** An exact duration, "PT120M", "PT2H", "P1DT2H30M", in milliseconds. */
function durationMs(value: string): number {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  const [weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  return ((((weeks! * 7 + days!) * 24 + hours!) * 60 + minutes!) * 60 + seconds!) * 1000;
}

const unescapeText = (value: string) => value.replace(/\\([\\;,nN])/g, (_all, c: string) => (c === "n" || c === "N" ? "\n" : c));

function parseIcs(text: string): IcsCalendar {
  expect(text.endsWith("\r\n"), "lines end with CRLF").toBe(true);
  // Unfold: a line break followed by one space or tab continues the line before.
  const lines = text.replace(/\r\n[ \t]/g, "").split("\r\n").filter((line) => line.length > 0);
  for (const line of lines) expect(line, "no bare line feeds").not.toMatch(/[\r\n]/);
  const calendar: IcsCalendar = { props: new Map(), events: [] };
  let current: Map<string, string> | null = null;
  const stack: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).split(";")[0]!.toUpperCase();
    const value = line.slice(colon + 1);
    if (name === "BEGIN") {
      stack.push(value);
      if (value === "VEVENT") current = new Map();
    } else if (name === "END") {
      expect(stack.pop()).toBe(value);
      if (value === "VEVENT" && current) {
        const start = utcInstant(current.get("DTSTART"));
        const end = current.has("DTEND") ? utcInstant(current.get("DTEND")) : new Date(start.getTime() + durationMs(current.get("DURATION")!));
        calendar.events.push({ props: current, start, end });
        current = null;
      }
    } else {
      (current ?? calendar.props).set(name, unescapeText(value));
    }
  }
  expect(stack).toEqual([]);
  return calendar;
}

/** The wall-clock time and UTC offset in New Zealand at an instant: "04:30 GMT+13". */
function nzWallClock(at: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-NZ", { timeZone: "Pacific/Auckland", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "shortOffset" })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

// ---- the tests -----------------------------------------------------------------------------------

describe("meeting calendars", () => {
  let server: TestServer;
  let db: Kysely<Database>;
  let groupId: string;
  let group: { id: string; name: string };
  let demoMeetingId: string;
  const actors = new Map<string, Actor>();
  const cookies = new Map<string, string>();
  const as = (who: string) => actors.get(who)!;

  const get = async (path: string, who: string | null) => {
    if (who && !cookies.has(who)) cookies.set(who, await signIn(server, `${who}@example.org`));
    return fetch(`${server.url}${path}`, { redirect: "manual", headers: who ? { cookie: cookies.get(who)! } : {} });
  };
  const invitePath = (meetingId: string) => `/groups/${groupId}/meetings/${meetingId}/invite.ics`;
  /** The invite as the member downloads it, parsed; its one event. */
  const inviteEvent = async (meetingId: string) => {
    const response = await get(invitePath(meetingId), "member");
    expect(response.status).toBe(200);
    const calendar = parseIcs(await response.text());
    expect(calendar.events).toHaveLength(1);
    return calendar.events[0]!;
  };
  const meetingRow = (id: string): Promise<Meeting> => db.selectFrom("meetings").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const schedule = (title: string, date: string, time: string, durationMinutes: number) =>
    scheduleMeeting(db, null, as("secretary"), { groupId, title, date, time, durationMinutes, location: "Level 6, 56 The Terrace, Wellington", onlineUrl: null, openers: [] });
  const feedPath = (token: string) => `/calendar/${token}.ics`;

  beforeAll(async () => {
    server = await startTestServer();
    db = server.services.db;
    for (const user of await db.selectFrom("users").select(["id", "email", "display_name", "is_platform_admin"]).execute()) {
      actors.set(user.email.split("@")[0]!, await loadActor(db, { id: user.id, email: user.email, displayName: user.display_name, isPlatformAdmin: user.is_platform_admin }));
    }
    group = await db.selectFrom("groups").select(["id", "name"]).executeTakeFirstOrThrow();
    groupId = group.id;
    // Checked against a fixed day: 10:00 on Tuesday 8 December 2026, in daylight saving time.
    demoMeetingId = await pinDemoMeeting(db);
  });

  afterAll(async () => {
    await server?.close();
  });

  describe("the invite for one meeting", () => {
    it("writes a 10:00 meeting on Tuesday 8 December 2026 (NZDT) as 2026-12-07T21:00Z to 23:00Z, downloaded by a member", async () => {
      const response = await get(invitePath(demoMeetingId), "member");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
      expect(response.headers.get("content-disposition")).toBe('attachment; filename="stewardship-group-hui-december-2026.ics"');
      expect(response.headers.get("cache-control")).toBe("private, no-cache");
      const calendar = parseIcs(await response.text());
      expect(calendar.events).toHaveLength(1);
      const event = calendar.events[0]!;
      expect(event.props.get("DTSTART")).toBe("20261207T210000Z");
      expect(event.start.toISOString()).toBe("2026-12-07T21:00:00.000Z");
      expect(event.end.toISOString()).toBe("2026-12-07T23:00:00.000Z");
      expect(nzWallClock(event.start)).toBe("10:00 GMT+13");
      expect(nzWallClock(event.end)).toBe("12:00 GMT+13");
      expect(event.props.get("SUMMARY")).toBe("Stewardship Group hui, December 2026");
      expect(event.props.get("STATUS")).toBe("CONFIRMED");
      expect(event.props.get("UID")).toBe(`meeting-${demoMeetingId}@stewardship-workspace`);
      // Written with an end time (DTEND) rather than a duration, which every calendar reads.
      expect(event.props.has("DTEND")).toBe(true);
      expect(event.props.get("DESCRIPTION")).toContain("Agenda:\n1. Karakia and whakawhanaungatanga");
    });

    it("lets the Lead Minister's office, the chair and the secretary download it too", async () => {
      for (const who of ["minister", "chair", "secretary"]) expect((await get(invitePath(demoMeetingId), who)).status, who).toBe(200);
    });

    it("refuses a consultee and a platform administrator who is not a member (not found), and sends a signed-out visitor to sign in", async () => {
      expect((await get(invitePath(demoMeetingId), "ngo")).status).toBe(404);
      expect((await get(invitePath(demoMeetingId), "admin")).status).toBe(404);
      const visitor = await get(invitePath(demoMeetingId), null);
      expect(visitor.status).toBe(302);
      expect(visitor.headers.get("location")).toBe(`/login?redirectTo=${encodeURIComponent(invitePath(demoMeetingId))}`);
      expect(visitor.headers.get("content-type") ?? "").not.toContain("text/calendar");
    });

    it("answers not found for a meeting under another group's address or one that does not exist", async () => {
      const nobody = "00000000-0000-4000-8000-000000000000";
      expect((await get(`/groups/${nobody}/meetings/${demoMeetingId}/invite.ics`, "member")).status).toBe(404);
      expect((await get(invitePath(nobody), "member")).status).toBe(404);
      expect((await get(invitePath("not-a-meeting"), "member")).status).toBe(404);
    });

    it("keeps the real end of a meeting across the start of daylight time: 01:30 NZST for 120 minutes ends 04:30 NZDT", async () => {
      const id = await schedule("Early hui as daylight time starts", "2026-09-27", "01:30", 120);
      const event = parseIcs(await meetingInviteIcs(db, await meetingRow(id), group, server.services.config.publicUrl)).events[0]!;
      expect(event.start.toISOString()).toBe("2026-09-26T13:30:00.000Z");
      expect(event.end.toISOString()).toBe("2026-09-26T15:30:00.000Z");
      expect(nzWallClock(event.start)).toBe("01:30 GMT+12");
      expect(nzWallClock(event.end)).toBe("04:30 GMT+13");
    });

    it.each([
      ["2026-04-05", "2026-04-04T12:30:00.000Z", "2026-04-04T14:30:00.000Z"],
      ["2027-04-04", "2027-04-03T12:30:00.000Z", "2027-04-03T14:30:00.000Z"],
    ])("keeps the real end of a meeting across the end of daylight time on %s: 01:30 NZDT for 120 minutes ends 02:30 NZST", async (date, start, end) => {
      const id = await schedule(`Late hui as daylight time ends ${date}`, date, "01:30", 120);
      const event = parseIcs(await meetingInviteIcs(db, await meetingRow(id), group, server.services.config.publicUrl)).events[0]!;
      expect(event.start.toISOString()).toBe(start);
      expect(event.end.toISOString()).toBe(end);
      expect(nzWallClock(event.start)).toBe("01:30 GMT+13");
      expect(nzWallClock(event.end)).toBe("02:30 GMT+12");
    });

    it("keeps the UID and raises SEQUENCE each time the meeting is moved, so calendars replace the event", async () => {
      const id = await schedule("Moving hui", "2027-03-02", "10:00", 60);
      const first = await inviteEvent(id);
      expect(first.props.get("SEQUENCE")).toBe("0");
      await rescheduleMeeting(db, null, as("chair"), { meetingId: id, title: "Moving hui", date: "2027-03-09", time: "11:00", durationMinutes: 90, location: "Wellington", onlineUrl: null });
      const second = await inviteEvent(id);
      expect(second.props.get("UID")).toBe(first.props.get("UID"));
      expect(second.props.get("SEQUENCE")).toBe("1");
      expect(second.start.toISOString()).toBe("2027-03-08T22:00:00.000Z");
      expect(nzWallClock(second.end)).toBe("12:30 GMT+13");
      await rescheduleMeeting(db, null, as("secretary"), { meetingId: id, title: "Moving hui, again", date: "2027-03-09", time: "11:00", durationMinutes: 90, location: "Wellington", onlineUrl: null });
      const third = await inviteEvent(id);
      expect(third.props.get("UID")).toBe(first.props.get("UID"));
      expect(third.props.get("SEQUENCE")).toBe("2");
      expect(third.props.get("SUMMARY")).toBe("Moving hui, again");
    });

    it("marks a cancelled meeting STATUS:CANCELLED, with the same UID and a higher SEQUENCE", async () => {
      const id = await schedule("Hui to be cancelled", "2027-05-04", "10:00", 60);
      const before = await inviteEvent(id);
      await cancelMeeting(db, null, as("secretary"), { meetingId: id, reason: "Clashes with the Budget" });
      const after = await inviteEvent(id);
      expect(after.props.get("STATUS")).toBe("CANCELLED");
      expect(after.props.get("UID")).toBe(before.props.get("UID"));
      expect(Number(after.props.get("SEQUENCE"))).toBeGreaterThan(Number(before.props.get("SEQUENCE")));
      expect(after.props.get("DESCRIPTION")).toContain("Cancelled: Clashes with the Budget");
    });

    it("keeps macrons in a long title intact through UTF-8 and folded lines, and folds them out of the file name", async () => {
      const title = "Hui ā-whānau mō ngā kaiwhakarato Māori: Te Tūāpapa Kura Kāinga me Te Puni Kōkiri";
      const id = await schedule(title, "2027-06-08", "09:30", 60);
      const response = await get(invitePath(id), "member");
      expect(response.headers.get("content-disposition")).toBe('attachment; filename="hui-a-whanau-mo-nga-kaiwhakarato-maori-te-tuapapa-kura-kainga-me-te-puni-kokiri.ics"');
      // Decoding fails loudly if a fold split a letter's bytes.
      const text = new TextDecoder("utf-8", { fatal: true }).decode(await response.arrayBuffer());
      expect(text).toMatch(/^SUMMARY:.*\r\n[ \t]/m);
      expect(parseIcs(text).events[0]!.props.get("SUMMARY")).toBe(title);
      expect(parseIcs(text).props.get("X-WR-CALNAME")).toBe(`${group.name}: ${title}`);
    });
  });

  describe("the private feed", () => {
    it("answers a calendar app without a session: the group's meetings, cacheable only privately for five minutes", async () => {
      const token = await createCalendarFeed(db, as("member"), groupId);
      const response = await fetch(`${server.url}${feedPath(token)}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("private, max-age=300");
      const calendar = parseIcs(await response.text());
      expect(calendar.props.get("X-WR-CALNAME")).toBe(group.name);
      const since = new Date(Date.now() - 366 * 24 * 3600 * 1000);
      const meetings = await db.selectFrom("meetings").select(["id", "title", "status"]).where("group_id", "=", groupId).where("starts_at", ">=", since).execute();
      const host = "stewardship-workspace";
      expect(calendar.events.map((event) => event.props.get("UID")).sort()).toEqual(meetings.map((meeting) => `meeting-${meeting.id}@${host}`).sort());
      const demo = calendar.events.find((event) => event.props.get("UID") === `meeting-${demoMeetingId}@${host}`)!;
      expect(demo.start.toISOString()).toBe("2026-12-07T21:00:00.000Z");
      const cancelled = meetings.find((meeting) => meeting.status === "cancelled")!;
      expect(calendar.events.find((event) => event.props.get("UID") === `meeting-${cancelled.id}@${host}`)!.props.get("STATUS")).toBe("CANCELLED");
      expect(calendar.events.map((event) => event.props.get("SUMMARY"))).toContain("Hui ā-whānau mō ngā kaiwhakarato Māori: Te Tūāpapa Kura Kāinga me Te Puni Kōkiri");
      // The address works with or without its ".ics".
      const bare = await fetch(`${server.url}/calendar/${token}`);
      expect(bare.status).toBe(200);
      expect(parseIcs(await bare.text()).events).toHaveLength(calendar.events.length);
    });

    it("stops answering the old address once the feed is replaced, and the new one once it is revoked", async () => {
      const old = await createCalendarFeed(db, as("chair"), groupId);
      expect((await fetch(`${server.url}${feedPath(old)}`)).status).toBe(200);
      const replacement = await createCalendarFeed(db, as("chair"), groupId);
      const refused = await fetch(`${server.url}${feedPath(old)}`);
      expect(refused.status).toBe(404);
      expect(refused.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      const message = await refused.text();
      expect(message).toContain("This calendar address is not in use");
      expect(message).not.toContain(old);
      expect((await fetch(`${server.url}${feedPath(replacement)}`)).status).toBe(200);
      expect(await revokeCalendarFeed(db, as("chair"), groupId)).toBe(true);
      expect((await fetch(`${server.url}${feedPath(replacement)}`)).status).toBe(404);
    });

    it("answers a malformed or unknown address with not found", async () => {
      const unknown = "A".repeat(43);
      for (const path of [`/calendar/${unknown}.ics`, "/calendar/not-a-token.ics", "/calendar/.ics", `/calendar/${unknown}.ics.ics`, `/calendar/${unknown.slice(1)}%00.ics`]) {
        const response = await fetch(`${server.url}${path}`);
        expect(response.status, path).toBe(404);
        expect(response.headers.get("content-type"), path).not.toContain("text/calendar");
      }
    });

    // Last: it ends the Lead Minister's office's membership.
    it("stops answering once its owner's membership of the group has ended", async () => {
      const token = await createCalendarFeed(db, as("minister"), groupId);
      expect((await fetch(`${server.url}${feedPath(token)}`)).status).toBe(200);
      const membership = await db.selectFrom("memberships").select("id").where("user_id", "=", as("minister").id).where("group_id", "=", groupId).executeTakeFirstOrThrow();
      await endMembership(db, as("secretary"), membership.id, { endsOn: addDays(nzCalendarDate(), -1), reason: "Moved to another portfolio", ip: null });
      expect((await fetch(`${server.url}${feedPath(token)}`)).status).toBe(404);
      // The feed row itself is still there, not revoked: it is the membership that stops it.
      const feed = await db.selectFrom("calendar_feeds").select("revoked_at").where("user_id", "=", as("minister").id).executeTakeFirstOrThrow();
      expect(feed.revoked_at).toBeNull();
    });
  });
});
