/**
 * The meeting pages over HTTP and the meeting room over Socket.io, against the real server:
 * who may see and do what (denials as carefully as grants), forms answering 400 with the field
 * at fault, live mode pushing `meeting:changed` to everyone in the room, and the audit log.
 */
import { io as connectSocket, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { formatMinuteReference, referenceYear } from "../../../app/meetings/decision-reference.js";
import { formatNzDate, formatNzDateTime, nzCalendarDate } from "../../../app/utils/dates.js";
import { demoMeeting } from "../../support/demo-meeting.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";

/** The demo meeting is held today, so its minute is the group's first of this year. */
const firstReference = formatMinuteReference("SSCSG", referenceYear(nzCalendarDate()), 1);

describe("the meeting pages", () => {
  let server: TestServer;
  let groupId: string;
  let meetingId: string;
  const cookies = new Map<string, string>();

  const get = (path: string, who: string | null) =>
    fetch(`${server.url}${path}`, { redirect: "manual", headers: who ? { Cookie: cookies.get(who)! } : {} });
  const post = (path: string, who: string, fields: Record<string, string>) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { Cookie: cookies.get(who)!, Origin: server.origin, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });
  const meetingPath = () => `/groups/${groupId}/meetings/${meetingId}`;

  beforeAll(async () => {
    server = await startTestServer();
    const db = server.services.db;
    groupId = (await db.selectFrom("groups").select("id").executeTakeFirstOrThrow()).id;
    meetingId = (await db.selectFrom("meetings").select("id").executeTakeFirstOrThrow()).id;
    for (const who of ["chair", "secretary", "member", "minister", "ngo", "admin"]) cookies.set(who, await signIn(server, `${who}@example.org`));
  });
  afterAll(async () => {
    await server?.close();
  });

  it("shows meetings, the register and actions to group readers, and not to consultees or outsiders", async () => {
    for (const who of ["chair", "secretary", "member", "minister"]) {
      for (const path of [`/groups/${groupId}/meetings`, meetingPath(), `${meetingPath()}/attendance`, `/groups/${groupId}/decisions`, `/groups/${groupId}/actions`]) {
        expect((await get(path, who)).status, `${who} ${path}`).toBe(200);
      }
    }
    expect((await get(`/groups/${groupId}/meetings`, "ngo")).status).toBe(403);
    expect((await get(meetingPath(), "ngo")).status).toBe(404);
    expect((await get(`/groups/${groupId}/decisions`, "ngo")).status).toBe(403);
    expect((await get(`/groups/${groupId}/actions`, "ngo")).status).toBe(403);
    // The Hub's administrator manages the group but does not read its meetings.
    expect((await get(meetingPath(), "admin")).status).toBe(404);
    const anonymous = await get(meetingPath(), null);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    // Scheduling and changing meetings are for the chair and the secretary.
    expect((await get(`/groups/${groupId}/meetings/new`, "member")).status).toBe(403);
    expect((await get(`${meetingPath()}/edit`, "minister")).status).toBe(403);
    expect((await get(`/groups/${groupId}/meetings/new`, "secretary")).status).toBe(200);
    // A meeting that has not started has no minutes yet.
    expect((await get(`${meetingPath()}/minutes`, "member")).status).toBe(404);
  });

  it("answers a scheduling form with missing or bad details with 400 and a message for each field", async () => {
    const response = await post(`/groups/${groupId}/meetings/new`, "secretary", { title: "", date: "2027-02-30", time: "25:00", durationMinutes: "60", location: "", onlineUrl: "", items: "" });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Give the meeting a title");
    expect(html).toContain("Enter the start time, like 10:00");
    const noPlace = await post(`/groups/${groupId}/meetings/new`, "secretary", { title: "Hui", date: "2027-03-02", time: "10:00", durationMinutes: "60", location: "", onlineUrl: "", items: "" });
    expect(noPlace.status).toBe(400);
    expect(await noPlace.text()).toContain("Say where the meeting is: a place, an online link, or both");
    const scheduled = await post(`/groups/${groupId}/meetings/new`, "secretary", {
      title: "Hui ā-tau", date: "2027-03-02", time: "10:00", durationMinutes: "90", location: "Whanganui", onlineUrl: "", items: "Annual report\nWork programme", opener: "karakia",
    });
    expect(scheduled.status).toBe(302);
    expect(scheduled.headers.get("location")).toMatch(/\/meetings\/[0-9a-f-]{36}\?scheduled=1$/);
    const page = await (await get(scheduled.headers.get("location")!, "member")).text();
    expect(page).toContain("Hui ā-tau");
    expect(page).toContain("Tuesday 2 March 2027, 10:00 am to 11:30 am");
    expect(page).toContain("Annual report");
    // The running order is the only agenda (docs/decisions/019): no second, co-edited copy to fall out of step.
    expect(page).not.toContain("Agenda document");
    expect((await get(meetingPath(), "chair")).status).toBe(200);
    expect(await (await get(meetingPath(), "chair")).text()).not.toContain("Agenda document (co-edit)");
  });

  it("lets only the chair run the meeting, follows it in the room, and refuses consultees the room", async () => {
    const member = connectSocket(server.url, { transports: ["websocket"], extraHeaders: { cookie: cookies.get("member")! }, reconnection: false });
    const ngo = connectSocket(server.url, { transports: ["websocket"], extraHeaders: { cookie: cookies.get("ngo")! }, reconnection: false });
    const join = (socket: Socket, payload: unknown) =>
      new Promise<{ ok: boolean; error?: string }>((resolve) => socket.emit("meeting:join", payload, resolve));
    const changes: unknown[] = [];
    member.on("meeting:changed", (payload: unknown) => changes.push(payload));
    try {
      expect(await join(member, { meetingId })).toEqual({ ok: true });
      expect(await join(ngo, { meetingId })).toEqual({ ok: false, error: "FORBIDDEN" });
      expect(await join(member, { meetingId: "not-a-uuid" })).toEqual({ ok: false, error: "BAD_REQUEST" });
      expect(await join(member, { meetingId: "00000000-0000-4000-8000-000000000000" })).toEqual({ ok: false, error: "NOT_FOUND" });

      const refused = await post(`${meetingPath()}?index`, "secretary", { intent: "live.start" });
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain("Only the chair (or the acting chair named for this meeting) can start the meeting");
      expect((await post(`${meetingPath()}?index`, "member", { intent: "live.start" })).status).toBe(403);
      // The demo meeting is a week or more ahead: starting it today asks first, with both times.
      const scheduled = `This meeting is scheduled for ${formatNzDateTime((await demoMeeting(server.services.db)).startsAt)}; it is now `;
      const asked = await (await get(meetingPath(), "chair")).text();
      expect(asked).toContain("Start the meeting now, not at its scheduled time?");
      expect(asked.replace(/<!-- -->/g, "")).toContain(scheduled);
      const unconfirmed = await post(`${meetingPath()}?index`, "chair", { intent: "live.start" });
      expect(unconfirmed.status).toBe(409);
      expect((await unconfirmed.text()).replace(/<!-- -->/g, "")).toContain(scheduled);
      expect((await post(`${meetingPath()}?index`, "chair", { intent: "live.start", offSchedule: "nonsense" })).status).toBe(400);
      expect((await post(`${meetingPath()}?index`, "chair", { intent: "live.start", offSchedule: "confirmed" })).status).toBe(302);
      await vi.waitFor(() => expect(changes).toContainEqual({ meetingId, what: "started" }));

      const items = await server.services.db.selectFrom("agenda_items").select(["id", "position"]).where("meeting_id", "=", meetingId).orderBy("position").execute();
      expect((await post(`${meetingPath()}?index`, "chair", { intent: "live.move", itemId: items[2]!.id })).status).toBe(302);
      await vi.waitFor(() => expect(changes).toContainEqual({ meetingId, what: "item" }));
      const page = await (await get(meetingPath(), "member")).text();
      expect(page).toContain(`aria-current="step"`);
      expect(page).toMatch(/Item <!-- -->3<!-- -->: /);
      expect((await post(`${meetingPath()}?index`, "chair", { intent: "live.move", itemId: "nonsense" })).status).toBe(404);
    } finally {
      member.close();
      ngo.close();
    }
  });

  it("records decisions from the chair or secretary only, with 400 and the field for a bad one", async () => {
    const db = server.services.db;
    const before = await db.selectFrom("decisions").select("id").execute();
    expect((await post(`${meetingPath()}?index`, "member", { intent: "decision.record", verb: "noted", body: "x" })).status).toBe(403);
    const empty = await post(`${meetingPath()}?index`, "secretary", { intent: "decision.record", verb: "noted", body: "  " });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Write the decision");
    const badVerb = await post(`${meetingPath()}?index`, "secretary", { intent: "decision.record", verb: "decreed", body: "x" });
    expect(badVerb.status).toBe(400);
    const noAction = await post(`${meetingPath()}?index`, "secretary", { intent: "decision.record", verb: "directed", body: "the Hub to report" });
    expect(noAction.status).toBe(400);
    expect(await noAction.text()).toContain("A decision that directed someone needs at least one action");
    expect(await db.selectFrom("decisions").select("id").execute()).toHaveLength(before.length);

    const org = await db.selectFrom("organisations").select("id").where("name", "=", "Te Puni Kōkiri").executeTakeFirstOrThrow();
    const recorded = await post(`${meetingPath()}?index`, "secretary", {
      intent: "decision.record",
      js: "1",
      verb: "directed",
      heading: "Engagement",
      body: "Te Puni Kōkiri to advise on engagement with iwi and hapū <script>alert(1)</script>",
      actionDescription: "Advise on engagement",
      actionOwner: `org:${org.id}`,
      actionDue: "2027-04-30",
    });
    // Sent by the page's script: data back, the page stays.
    expect(recorded.status).toBe(200);
    // Sent without JavaScript: back to the page, so reloading it cannot send the decision twice.
    const plain = await post(`${meetingPath()}?index`, "secretary", { intent: "decision.record", verb: "noted", body: "the update from Te Puni Kōkiri" });
    expect(plain.status).toBe(302);
    expect(plain.headers.get("location")).toBe(meetingPath());
    const page = await (await get(meetingPath(), "member")).text();
    expect(page).toMatch(/<strong>directed ?(<!-- -->)? ?<\/strong>/);
    expect(page).not.toContain("<script>alert(1)</script>");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    const actions = await (await get(`/groups/${groupId}/actions`, "member")).text();
    expect(actions).toContain("Advise on engagement");
    const audit = await db.selectFrom("audit_log").select("action").where("group_id", "=", groupId).execute();
    expect(audit.map((entry) => entry.action)).toEqual(expect.arrayContaining(["meeting.scheduled", "meeting.started", "meeting.moved_to_item", "decision.recorded"]));
  });

  it("prints a declared conflict of interest with one full stop on the live panel and the minute page", async () => {
    const db = server.services.db;
    const priya = await db
      .selectFrom("memberships")
      .innerJoin("users", "users.id", "memberships.user_id")
      .select("memberships.id")
      .where("memberships.group_id", "=", groupId)
      .where("users.display_name", "=", "Priya Naidu")
      .executeTakeFirstOrThrow();
    const declared = await post(`${meetingPath()}/attendance`, "secretary", {
      intent: "conflict.declare",
      membershipId: priya.id,
      interest: "Advises a provider on the commissioning approach.",
      management: "Took part in the discussion but not the decision.",
    });
    expect(declared.status).toBe(302);
    const line = "Advises a provider on the commissioning approach. Managed: Took part in the discussion but not the decision.";
    const text = (html: string) => html.replace(/<!-- -->/g, "").replace(/<[^>]+>/g, "");
    const minutes = text(await (await get(`${meetingPath()}/minutes`, "member")).text());
    // Started on another day than scheduled: the minute says when it was held, and notes the change.
    const scheduledDay = formatNzDate((await demoMeeting(server.services.db)).startsAt);
    expect(minutes).toContain(`Held on ${formatNzDate(new Date())}; it had been scheduled for ${scheduledDay}.`);
    expect(minutes).not.toContain(`On ${scheduledDay}, the`);
    // No attendance is recorded, so no quorum: the decisions are marked as made without one (docs/decisions/019).
    expect(minutes).toContain("No quorum was present: 0 of 6 members (4 needed). The decisions below were made without one.");
    expect(minutes).toContain("Decided without a quorum.");
    expect(minutes).toContain(`Priya Naidu, Hapori Hauora Community Trust (demo): ${line}`);
    expect(minutes).not.toContain("approach..");
    const live = text(await (await get(meetingPath(), "member")).text());
    expect(live).toContain(line);
    expect(live).not.toContain("approach..");
  });

  it("confirms the minutes after the meeting ends, then refuses any change to them", async () => {
    const ended = await post(`${meetingPath()}?index`, "chair", { intent: "live.end" });
    expect(ended.status, await ended.clone().text().then((body) => body.slice(0, 300))).toBe(302);
    // The draft's classification can be set, but never above what the platform may hold.
    expect((await post(`${meetingPath()}/minutes`, "member", { intent: "classify", classification: "SENSITIVE" })).status).toBe(403);
    const secret = await post(`${meetingPath()}/minutes`, "secretary", { intent: "classify", classification: "SECRET" });
    expect(secret.status).toBe(400);
    expect(await secret.text()).toContain("this platform holds nothing higher");
    expect((await post(`${meetingPath()}/minutes`, "secretary", { intent: "classify", classification: "SENSITIVE" })).status).toBe(302);
    expect((await post(`${meetingPath()}/minutes`, "member", { intent: "confirm" })).status).toBe(403);
    const confirmed = await post(`${meetingPath()}/minutes`, "secretary", { intent: "confirm" });
    expect(confirmed.status).toBe(302);
    const minutes = await (await get(`${meetingPath()}/minutes`, "minister")).text();
    expect(minutes).toContain(firstReference);
    expect(minutes).toContain("Minute of Decision");
    expect(minutes.match(/<p class="classification classification--(top|bottom)" data-classification="SENSITIVE">/g)).toHaveLength(2);
    expect((await post(`${meetingPath()}/minutes`, "secretary", { intent: "classify", classification: "IN-CONFIDENCE" })).status).toBe(409);
    const late = await post(`${meetingPath()}?index`, "secretary", { intent: "decision.record", verb: "noted", body: "late" });
    expect(late.status).toBe(409);
    const attendance = await post(`${meetingPath()}/attendance`, "secretary", { intent: "official.add", name: "Late Official", agency: "Nowhere" });
    expect(attendance.status).toBe(409);
    expect(await attendance.text()).toContain("minutes of this meeting are confirmed");
    const register = await (await get(`/groups/${groupId}/decisions?words=hapu`, "member")).text();
    expect(register).toContain(firstReference);
    // The decision form's search of the register (a single-fetch data request): confirmed decisions only.
    const picker = await get(`/groups/${groupId}/decisions.data?picker=1&words=kokiri`, "secretary");
    expect(picker.status).toBe(200);
    const body = await picker.text();
    expect(body).toContain(firstReference);
    expect(body).toContain("picker");
    expect((await get(`/groups/${groupId}/decisions.data?picker=1&words=kokiri`, "ngo")).status).toBe(403);
  });
});
