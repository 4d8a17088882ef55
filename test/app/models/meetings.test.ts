/**
 * Meetings and the permanent record (journeys 4 and 5) at the model level, on PGlite and on
 * PostgreSQL: scheduling in New Zealand time, the agenda, live mode, attendance and quorum,
 * decisions in the minute's form, gapless references under concurrent confirmation, confirmed
 * minutes refused by the database, the macron-insensitive register, actions and who was a member
 * when each decision was made.
 */
import { type Kysely, sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../../db/database.js";
import { seedDemo } from "../../../server/seed-demo.js";
import { loadActor } from "../../../app/models/actor.server.js";
import { listActions, updateActionProgress } from "../../../app/models/actions.server.js";
import { declareConflict, meetingAttendees, meetingQuorum, recordAttendance } from "../../../app/models/attendance.server.js";
import { searchDecisions } from "../../../app/models/decision-register.server.js";
import { addAgendaItem, moveAgendaItem, removeAgendaItem } from "../../../app/models/agenda.server.js";
import { deleteDecision, recordDecision, updateDecision } from "../../../app/models/decisions.server.js";
import { endMeeting, moveToAgendaItem, setActingChair, startMeeting } from "../../../app/models/live-meeting.server.js";
import { cancelMeeting, rescheduleMeeting, scheduleMeeting } from "../../../app/models/meeting-scheduling.server.js";
import { meetingAgenda } from "../../../app/models/meetings.server.js";
import { membersOnDate } from "../../../app/models/memberships.server.js";
import { confirmMinutes } from "../../../app/models/minute-confirmation.server.js";
import { minuteView } from "../../../app/models/minutes.server.js";
import type { Actor } from "../../../app/policy/policy.js";
import { minutesToDocx } from "../../../app/exports/minutes-docx.server.js";
import { describeEachDatabase } from "../../support/database.js";
import { demoAttendance } from "../../support/demo-records.js";
import { docxParts, wordParagraphs } from "../../support/docx-reader.js";

describeEachDatabase("meetings and decisions", (getDb, getHandle) => {
  const actors = new Map<string, Actor>();
  const users = new Map<string, string>();
  let groupId: string;
  const as = (who: string) => actors.get(who)!;

  beforeAll(async () => {
    const db = getDb();
    await seedDemo(db);
    for (const user of await db.selectFrom("users").select(["id", "email", "display_name", "is_platform_admin"]).execute()) {
      users.set(user.email.split("@")[0]!, user.id);
      actors.set(
        user.email.split("@")[0]!,
        await loadActor(db, { id: user.id, email: user.email, displayName: user.display_name, isPlatformAdmin: user.is_platform_admin }),
      );
    }
    groupId = (await db.selectFrom("groups").select("id").executeTakeFirstOrThrow()).id;
  });

  /** A meeting on an NZ date, started by the chair. */
  async function startedMeeting(db: Kysely<Database>, title: string, date: string): Promise<string> {
    const id = await scheduleMeeting(db, null, as("secretary"), {
      groupId,
      title,
      date,
      time: "10:00",
      durationMinutes: 90,
      location: "Wellington",
      onlineUrl: null,
      openers: [],
    });
    await startMeeting(db, null, as("chair"), { meetingId: id, now: await scheduledStart(db, id) });
    return id;
  }

  /** When a meeting is scheduled to start: starting it then needs no confirmation. */
  async function scheduledStart(db: Kysely<Database>, id: string): Promise<Date> {
    return (await db.selectFrom("meetings").select("starts_at").where("id", "=", id).executeTakeFirstOrThrow()).starts_at;
  }

  async function closedMeetingWithDecision(db: Kysely<Database>, title: string, date: string, body: string): Promise<string> {
    const id = await startedMeeting(db, title, date);
    await recordDecision(db, null, as("secretary"), { meetingId: id, parentId: null, agendaItemId: null, heading: "Background", verb: "noted", body });
    await endMeeting(db, null, as("chair"), { meetingId: id });
    return id;
  }

  describe("scheduling", () => {
    it("stores the start as the NZ wall-clock time on that date, in daylight and standard time", async () => {
      const db = getDb();
      const summer = await scheduleMeeting(db, null, as("secretary"), {
        groupId, title: "Summer hui", date: "2027-02-09", time: "10:00", durationMinutes: 120, location: "Te Papa", onlineUrl: null, openers: ["karakia"],
      });
      const winter = await scheduleMeeting(db, null, as("chair"), {
        groupId, title: "Winter hui", date: "2027-07-06", time: "13:30", durationMinutes: 60, location: null, onlineUrl: "https://meet.example.org/winter", openers: [],
      });
      const rows = await db.selectFrom("meetings").select(["id", "starts_at", "agenda_document_id"]).where("id", "in", [summer, winter]).execute();
      expect(rows.find((row) => row.id === summer)!.starts_at.toISOString()).toBe("2027-02-08T21:00:00.000Z");
      expect(rows.find((row) => row.id === winter)!.starts_at.toISOString()).toBe("2027-07-06T01:30:00.000Z");
      // The agenda comes from the template, with only the chosen optional openers. The running order is
      // the only agenda (docs/decisions/019): no separate agenda document to fall out of step with it.
      expect((await meetingAgenda(db, summer)).map((item) => item.kind)).toEqual(["karakia", "apologies", "conflicts", "previous_minutes", "general_business"]);
      expect((await meetingAgenda(db, winter))[0]!.kind).toBe("apologies");
      expect(rows.map((row) => row.agenda_document_id)).toEqual([null, null]);
      expect(await db.selectFrom("documents").select("id").where("title", "in", ["Agenda: Summer hui", "Agenda: Winter hui"]).execute()).toEqual([]);
      const audit = await db.selectFrom("audit_log").select("action").where("action", "=", "meeting.scheduled").execute();
      expect(audit.length).toBeGreaterThanOrEqual(2);
    });

    it("refuses a member, and answers a time or date that does not exist with the field at fault", async () => {
      const db = getDb();
      const details = { groupId, title: "Hui", date: "2027-03-02", time: "10:00", durationMinutes: 60, location: "Wellington", onlineUrl: null, openers: [] };
      await expect(scheduleMeeting(db, null, as("member"), details)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(scheduleMeeting(db, null, as("ngo"), details)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(scheduleMeeting(db, null, as("secretary"), { ...details, time: "25:00" })).rejects.toMatchObject({ code: "INVALID_INPUT", field: "time" });
      await expect(scheduleMeeting(db, null, as("secretary"), { ...details, date: "2027-02-30" })).rejects.toMatchObject({ code: "INVALID_INPUT", field: "date" });
      // A place or a link, and a link that is a web address: the form's rules (test/app/meetings/schemas.test.ts).
    });

    it("reschedules with a higher ICS sequence, and cancels with a reason; a cancelled meeting cannot start", async () => {
      const db = getDb();
      const id = await scheduleMeeting(db, null, as("secretary"), {
        groupId, title: "Moving hui", date: "2027-03-02", time: "10:00", durationMinutes: 60, location: "Wellington", onlineUrl: null, openers: [],
      });
      await rescheduleMeeting(db, null, as("chair"), { meetingId: id, title: "Moving hui", date: "2027-03-09", time: "11:00", durationMinutes: 90, location: "Wellington", onlineUrl: null });
      let row = await db.selectFrom("meetings").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      expect(row.sequence).toBe(1);
      expect(row.starts_at.toISOString()).toBe("2027-03-08T22:00:00.000Z");
      await cancelMeeting(db, null, as("secretary"), { meetingId: id, reason: "Clashes with the Budget" });
      row = await db.selectFrom("meetings").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: "cancelled", sequence: 2, cancel_reason: "Clashes with the Budget" });
      await expect(startMeeting(db, null, as("chair"), { meetingId: id })).rejects.toMatchObject({ code: "MEETING_CANCELLED" });
    });
  });

  describe("starting far from the scheduled time", () => {
    it("asks for confirmation, with the scheduled and actual times, and the minute states the day it was held", async () => {
      const db = getDb();
      // Scheduled for 10:00 on Tuesday 11 May 2027 (NZST, UTC+12); started at 1:00 pm on Saturday 8 May.
      const id = await scheduleMeeting(db, null, as("secretary"), {
        groupId, title: "Early hui", date: "2027-05-11", time: "10:00", durationMinutes: 60, location: "Wellington", onlineUrl: null, openers: [],
      });
      const saturday = new Date("2027-05-08T01:00:00Z");
      const refusal = await startMeeting(db, null, as("chair"), { meetingId: id, now: saturday }).then(() => null, (error: unknown) => error);
      expect(refusal).toMatchObject({ code: "MEETING_OFF_SCHEDULE" });
      expect((refusal as Error).message).toContain("scheduled for Tuesday 11 May 2027, 10:00 am");
      expect((refusal as Error).message).toContain("it is now Saturday 8 May 2027, 1:00 pm");
      expect((await db.selectFrom("meetings").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status).toBe("scheduled");

      await startMeeting(db, null, as("chair"), { meetingId: id, now: saturday, offScheduleConfirmed: true });
      await recordDecision(db, null, as("secretary"), { meetingId: id, parentId: null, agendaItemId: null, heading: null, verb: "noted", body: "the early start" });
      const view = await minuteView(db, await db.selectFrom("meetings").selectAll().where("id", "=", id).executeTakeFirstOrThrow());
      expect(view.meeting.dateLabel).toBe("Saturday 8 May 2027");
      expect(view.meeting.heldNote).toBe("Held on Saturday 8 May 2027; it had been scheduled for Tuesday 11 May 2027.");
      const lines = wordParagraphs(docxParts(await minutesToDocx(view)).get("word/document.xml")!).map((paragraph) => paragraph.text);
      expect(lines).toContain("On Saturday 8 May 2027, the Social Sector Commissioning Stewardship Group:");
      expect(lines).toContain("Held on Saturday 8 May 2027; it had been scheduled for Tuesday 11 May 2027.");
      expect(lines.join("\n")).not.toContain("11 May 2027, the");
    });

    it("starts without asking within three hours of the scheduled time, and the minute keeps that date", async () => {
      const db = getDb();
      const id = await scheduleMeeting(db, null, as("secretary"), {
        groupId, title: "Nearly on time", date: "2027-05-18", time: "10:00", durationMinutes: 60, location: "Wellington", onlineUrl: null, openers: [],
      });
      const start = await scheduledStart(db, id);
      await startMeeting(db, null, as("chair"), { meetingId: id, now: new Date(start.getTime() - 2.5 * 3_600_000) });
      const view = await minuteView(db, await db.selectFrom("meetings").selectAll().where("id", "=", id).executeTakeFirstOrThrow());
      expect(view.meeting.dateLabel).toBe("Tuesday 18 May 2027");
      expect(view.meeting.heldNote).toBeNull();
    });
  });

  describe("the agenda and live mode", () => {
    it("adds items before general business, reorders them, and keeps items with decisions", async () => {
      const db = getDb();
      const id = await scheduleMeeting(db, null, as("secretary"), {
        groupId, title: "Agenda hui", date: "2027-04-06", time: "10:00", durationMinutes: 60, location: "Wellington", onlineUrl: null, openers: ["karakia", "whakawhanaungatanga"],
      });
      const paper = await db.selectFrom("documents").select("id").where("kind", "=", "paper").executeTakeFirstOrThrow();
      const itemId = await addAgendaItem(db, null, as("secretary"), { meetingId: id, title: "Relational commissioning paper", presenter: "Sophie Lin", minutesAllotted: 30, paperIds: [paper.id] });
      let agenda = await meetingAgenda(db, id);
      expect(agenda.map((item) => item.title)).toEqual([
        "Karakia", "Whakawhanaungatanga", "Apologies", "Conflicts of interest", "Confirmation of the previous minutes", "Relational commissioning paper", "General business",
      ]);
      expect(agenda[5]!.papers.map((p) => p.id)).toEqual([paper.id]);
      await moveAgendaItem(db, null, as("chair"), { meetingId: id, itemId, toPosition: 3 });
      agenda = await meetingAgenda(db, id);
      expect(agenda.map((item) => item.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(agenda[2]!.id).toBe(itemId);
      await expect(moveAgendaItem(db, null, as("member"), { meetingId: id, itemId, toPosition: 1 })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(moveAgendaItem(db, null, as("chair"), { meetingId: id, itemId, toPosition: 99 })).rejects.toMatchObject({ code: "INVALID_INPUT" });

      await expect(startMeeting(db, null, as("secretary"), { meetingId: id })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await startMeeting(db, null, as("chair"), { meetingId: id, now: await scheduledStart(db, id) });
      await moveToAgendaItem(db, null, as("chair"), { meetingId: id, itemId });
      expect((await db.selectFrom("meetings").select("current_agenda_item_id").where("id", "=", id).executeTakeFirstOrThrow()).current_agenda_item_id).toBe(itemId);
      await recordDecision(db, null, as("secretary"), { meetingId: id, parentId: null, agendaItemId: itemId, heading: null, verb: "noted", body: "the paper" });
      await expect(removeAgendaItem(db, null, as("secretary"), { meetingId: id, itemId })).rejects.toMatchObject({ code: "AGENDA_ITEM_IN_USE" });
      await endMeeting(db, null, as("chair"), { meetingId: id });
      await expect(addAgendaItem(db, null, as("secretary"), { meetingId: id, title: "Late", presenter: null, minutesAllotted: null, paperIds: [] })).rejects.toMatchObject({ code: "MEETING_NOT_SCHEDULED" });
    });
  });

  describe("an acting chair", () => {
    it("lets a member named by the secretary run the meeting when the chair cannot, and nobody else", async () => {
      const db = getDb();
      const id = await scheduleMeeting(db, null, as("secretary"), {
        groupId, title: "Acting hui", date: "2027-05-04", time: "10:00", durationMinutes: 60, location: "Wellington", onlineUrl: null, openers: [],
      });
      await expect(startMeeting(db, null, as("member"), { meetingId: id })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(setActingChair(db, null, as("member"), { meetingId: id, userId: users.get("member")! })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(setActingChair(db, null, as("secretary"), { meetingId: id, userId: users.get("ngo")! })).rejects.toMatchObject({ code: "INVALID_INPUT" });
      await setActingChair(db, null, as("secretary"), { meetingId: id, userId: users.get("member")! });
      await startMeeting(db, null, as("member"), { meetingId: id, now: await scheduledStart(db, id) });
      await endMeeting(db, null, as("member"), { meetingId: id });
      // Named for this meeting only.
      const other = await scheduleMeeting(db, null, as("secretary"), {
        groupId, title: "Other hui", date: "2027-05-11", time: "10:00", durationMinutes: 60, location: "Wellington", onlineUrl: null, openers: [],
      });
      await expect(startMeeting(db, null, as("member"), { meetingId: other })).rejects.toMatchObject({ code: "FORBIDDEN" });
      const audit = await db.selectFrom("audit_log").select("action").where("action", "=", "meeting.acting_chair_set").execute();
      expect(audit).toHaveLength(1);
    });
  });

  describe("attendance and quorum", () => {
    it("counts seats filled by members or their alternates against the group's quorum", async () => {
      const db = getDb();
      const id = await startedMeeting(db, "Quorum hui", "2026-12-15");
      const attendees = await meetingAttendees(db, (await db.selectFrom("meetings").selectAll().where("id", "=", id).executeTakeFirstOrThrow()));
      const byName = new Map(attendees.map((attendee) => [attendee.name, attendee.membershipId]));
      // On 15 December 2026: chair, member Tama Ngata, Priya Naidu (joined 1 September), Ana Tupou
      // as Tama's alternate, the secretary, the Minister's office. Hemi Walker left on 31 August.
      expect([...byName.keys()]).not.toContain("Hemi Walker");
      expect([...byName.keys()]).toEqual(expect.arrayContaining(["Rāwiri Te Awa", "Tama Ngata", "Priya Naidu", "Ana Tupou", "Sophie Lin"]));
      const meeting = (await db.selectFrom("meetings").selectAll().where("id", "=", id).executeTakeFirstOrThrow());
      let quorum = await meetingQuorum(db, meeting);
      expect(quorum).toMatchObject({ seats: 6, filled: 0, required: 4, met: false });

      await recordAttendance(db, null, as("secretary"), { meetingId: id, entries: demoAttendance(byName) });
      quorum = await meetingQuorum(db, meeting);
      // Tama's seat is filled by his alternate; the secretary does not count.
      expect(quorum).toMatchObject({ seats: 6, filled: 3, met: false });
      await db.updateTable("groups").set({ quorum: 3 }).where("id", "=", groupId).execute();
      expect((await meetingQuorum(db, meeting)).met).toBe(true);
      await db.updateTable("groups").set({ quorum: 4 }).where("id", "=", groupId).execute();

      const outsider = await db.selectFrom("memberships").select("id").where("end_reason", "is not", null).executeTakeFirstOrThrow();
      await expect(recordAttendance(db, null, as("secretary"), { meetingId: id, entries: [{ membershipId: outsider.id, status: "present" }] })).rejects.toMatchObject({ code: "INVALID_INPUT" });
      await expect(recordAttendance(db, null, as("member"), { meetingId: id, entries: [] })).rejects.toMatchObject({ code: "FORBIDDEN" });

      await declareConflict(db, null, as("secretary"), {
        meetingId: id, membershipId: byName.get("Priya Naidu")!, agendaItemId: null, interest: "Trustee of a provider named in the paper", management: "Left the room for the item",
      });
      const view = await minuteView(db, meeting);
      expect(view.conflicts).toHaveLength(1);
      expect(view.present.map((attendee) => attendee.name)).toContain("Ana Tupou");
      expect(view.apologies.map((attendee) => attendee.name)).toEqual(["Tama Ngata"]);
    });
  });

  describe("decisions without a quorum", () => {
    it("records them, marked as decided without a quorum in the minute, the Word minute and the audit log", async () => {
      const db = getDb();
      const id = await startedMeeting(db, "Thin hui", "2027-06-08");
      const row = () => db.selectFrom("meetings").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      // Nobody's attendance is recorded yet: no quorum (0 of 6, 4 needed).
      const first = await recordDecision(db, null, as("secretary"), { meetingId: id, parentId: null, agendaItemId: null, heading: null, verb: "agreed", body: "to meet again in July" });
      await recordDecision(db, null, as("secretary"), { meetingId: id, parentId: first, agendaItemId: null, heading: null, verb: null, body: "in Whanganui" });
      let view = await minuteView(db, await row());
      expect(view.quorum.met).toBe(false);
      expect(view.paragraphs.map((paragraph) => [paragraph.number, paragraph.withoutQuorum])).toEqual([["1", true], ["1.1", false]]);
      expect(view.withoutQuorum).toBe("No quorum was present: 0 of 6 members (4 needed). The decisions below were made without one.");
      const lines = wordParagraphs(docxParts(await minutesToDocx(view)).get("word/document.xml")!).map((paragraph) => paragraph.text);
      expect(lines).toContain("No quorum was present: 0 of 6 members (4 needed). The decisions below were made without one.");
      expect(lines[lines.indexOf("1\tagreed to meet again in July") + 1]).toBe("Decided without a quorum.");
      const audit = await db.selectFrom("audit_log").select("details").where("action", "=", "decision.recorded").where("subject_id", "=", id).execute();
      expect(audit.map((entry) => (entry.details as { withoutQuorum?: boolean }).withoutQuorum)).toEqual([true, true]);

      // With a quorum recorded, nothing is marked.
      const byName = new Map((await meetingAttendees(db, await row())).map((attendee) => [attendee.name, attendee.membershipId]));
      await recordAttendance(db, null, as("secretary"), {
        meetingId: id,
        entries: ["Rāwiri Te Awa", "Tama Ngata", "Priya Naidu", "David Chen"].map((name) => ({ membershipId: byName.get(name)!, status: "present" as const })),
      });
      view = await minuteView(db, await row());
      expect(view.quorum.met).toBe(true);
      expect(view.withoutQuorum).toBeNull();
      expect(view.paragraphs.some((paragraph) => paragraph.withoutQuorum)).toBe(false);
    });
  });

  describe("decisions and minutes", () => {
    it("numbers paragraphs 1, 2 and sub-paragraphs 1.1, 1.2, and needs actions for a decision that directs", async () => {
      const db = getDb();
      const id = await startedMeeting(db, "Decisions hui", "2026-12-16");
      const first = await recordDecision(db, null, as("secretary"), { meetingId: id, parentId: null, agendaItemId: null, heading: "Background", verb: "noted", body: "that in November 2021 the committee:" });
      await recordDecision(db, null, as("secretary"), { meetingId: id, parentId: first, agendaItemId: null, heading: null, verb: "agreed", body: "to adopt a relational approach;" });
      await recordDecision(db, null, as("secretary"), { meetingId: id, parentId: first, agendaItemId: null, heading: null, verb: null, body: "invited the Minister to report back [SWC-21-MIN-0173]" });
      await expect(
        recordDecision(db, null, as("chair"), { meetingId: id, parentId: null, agendaItemId: null, heading: null, verb: "directed", body: "the Hub to report", actions: [] }),
      ).rejects.toMatchObject({ code: "INVALID_INPUT", field: "actions" });
      await recordDecision(db, null, as("chair"), {
        meetingId: id, parentId: null, agendaItemId: null, heading: "Next steps", verb: "directed", body: "the Hub to report on whānau-centred commissioning",
        actions: [{ description: "Report on whānau-centred commissioning", ownerUserId: null, ownerOrganisationId: (await db.selectFrom("organisations").select("id").where("name", "=", "Ministry of Social Development").executeTakeFirstOrThrow()).id, dueOn: "2027-03-31" }],
      });
      await expect(recordDecision(db, null, as("member"), { meetingId: id, parentId: null, agendaItemId: null, heading: null, verb: "noted", body: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(recordDecision(db, null, as("chair"), { meetingId: id, parentId: null, agendaItemId: null, heading: null, verb: null, body: "no verb" })).rejects.toMatchObject({ field: "verb" });

      const view = await minuteView(db, (await db.selectFrom("meetings").selectAll().where("id", "=", id).executeTakeFirstOrThrow()));
      expect(view.paragraphs.map((p) => [p.number, p.verb, p.heading])).toEqual([
        ["1", "noted", "Background"],
        ["1.1", "agreed", null],
        ["1.2", null, null],
        ["2", "directed", "Next steps"],
      ]);
      expect(view.paragraphs[2]!.cites).toEqual(["SWC-21-MIN-0173"]);
      expect(view.paragraphs[3]!.actions).toEqual([expect.objectContaining({ owner: "Ministry of Social Development", dueOn: "2027-03-31", status: "open" })]);
    });

    it("confirms minutes with gapless, unique references even when confirmed at the same moment", async () => {
      const db = getDb();
      const meetingIds: string[] = [];
      for (let i = 0; i < 6; i++) meetingIds.push(await closedMeetingWithDecision(db, `Concurrent hui ${i}`, "2028-05-02", `point ${i}`));
      // On PostgreSQL these run on separate connections at once; the counter row makes them take turns.
      const references = await Promise.all(meetingIds.map((meetingId, i) => confirmMinutes(db, null, as(i % 2 === 0 ? "secretary" : "chair"), { meetingId })));
      expect(new Set(references).size).toBe(6);
      expect([...references].sort()).toEqual(["SSCSG-28-MIN-0001", "SSCSG-28-MIN-0002", "SSCSG-28-MIN-0003", "SSCSG-28-MIN-0004", "SSCSG-28-MIN-0005", "SSCSG-28-MIN-0006"]);
      // A second confirmation of the same minute is refused, and the next one carries on from 6.
      await expect(confirmMinutes(db, null, as("secretary"), { meetingId: meetingIds[0]! })).rejects.toMatchObject({ code: "MINUTES_CONFIRMED" });
      const next = await closedMeetingWithDecision(db, "Later hui", "2028-06-06", "later point");
      expect(await confirmMinutes(db, null, as("secretary"), { meetingId: next })).toBe("SSCSG-28-MIN-0007");
      // A confirmation that fails gives its number back: no gap.
      const empty = await startedMeeting(db, "Empty hui", "2028-07-04");
      await endMeeting(db, null, as("chair"), { meetingId: empty });
      await expect(confirmMinutes(db, null, as("secretary"), { meetingId: empty })).rejects.toMatchObject({ code: "INVALID_INPUT" });
      const after = await closedMeetingWithDecision(db, "After hui", "2028-08-01", "after point");
      expect(await confirmMinutes(db, null, as("secretary"), { meetingId: after })).toBe("SSCSG-28-MIN-0008");
    });

    it("has the database refuse any change to confirmed minutes, their decisions and the meeting's record", async () => {
      const db = getDb();
      const id = await closedMeetingWithDecision(db, "Permanent hui", "2029-02-06", "the permanent record");
      const meeting = await db.selectFrom("meetings").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      const membership = (await meetingAttendees(db, meeting))[0]!;
      await recordAttendance(db, null, as("secretary"), { meetingId: id, entries: [{ membershipId: membership.membershipId, status: "present" }] });
      await confirmMinutes(db, null, as("secretary"), { meetingId: id });
      const minute = await db.selectFrom("minutes").selectAll().where("meeting_id", "=", id).executeTakeFirstOrThrow();
      const decision = await db.selectFrom("decisions").selectAll().where("minute_id", "=", minute.id).executeTakeFirstOrThrow();
      const refused = /immutable|never deleted/;
      await expect(sql`update minutes set secretary_name = 'Someone else' where id = ${minute.id}`.execute(db)).rejects.toThrow(refused);
      await expect(sql`update minutes set status = 'draft', reference = null where id = ${minute.id}`.execute(db)).rejects.toThrow(refused);
      await expect(sql`delete from minutes where id = ${minute.id}`.execute(db)).rejects.toThrow(refused);
      await expect(sql`update decisions set body = 'rewritten' where id = ${decision.id}`.execute(db)).rejects.toThrow(refused);
      await expect(sql`delete from decisions where id = ${decision.id}`.execute(db)).rejects.toThrow(refused);
      await expect(sql`insert into decisions (minute_id, position, verb, body, search_text) values (${minute.id}, 9, 'noted', 'slipped in', 'slipped in')`.execute(db)).rejects.toThrow(refused);
      await expect(sql`update meeting_attendance set status = 'absent' where meeting_id = ${id}`.execute(db)).rejects.toThrow(refused);
      await expect(sql`delete from meeting_attendance where meeting_id = ${id}`.execute(db)).rejects.toThrow(refused);
      await expect(sql`update meetings set title = 'Renamed' where id = ${id}`.execute(db)).rejects.toThrow(refused);
      await expect(sql`update agenda_items set title = 'Renamed' where meeting_id = ${id}`.execute(db)).rejects.toThrow(refused);
      // The commands say so before the database has to.
      await expect(recordDecision(db, null, as("secretary"), { meetingId: id, parentId: null, agendaItemId: null, heading: null, verb: "noted", body: "late" })).rejects.toMatchObject({ code: "MINUTES_CONFIRMED" });
      await expect(recordAttendance(db, null, as("secretary"), { meetingId: id, entries: [] })).rejects.toMatchObject({ code: "MINUTES_CONFIRMED" });
      expect((await db.selectFrom("decisions").select("body").where("id", "=", decision.id).executeTakeFirstOrThrow()).body).toBe("the permanent record");

      // A correction is a new decision at a later meeting that refers to the old one.
      const later = await startedMeeting(db, "Correcting hui", "2029-03-06");
      await recordDecision(db, null, as("secretary"), {
        meetingId: later, parentId: null, agendaItemId: null, heading: "Correction", verb: "agreed",
        body: `to correct paragraph 1 of [${minute.reference}]`, correctsDecisionId: decision.id,
      });
      const laterView = await minuteView(db, (await db.selectFrom("meetings").selectAll().where("id", "=", later).executeTakeFirstOrThrow()));
      expect(laterView.paragraphs[0]!.corrects).toMatchObject({ reference: minute.reference, number: "1" });
      const oldView = await minuteView(db, meeting);
      expect(oldView.paragraphs[0]!.correctedBy).toHaveLength(1);
      // Confirming at the later meeting records it in that meeting's minute.
    });

    it("keeps a confirmed minute's people as they were, whatever happens to memberships and names later", async () => {
      const db = getDb();
      const id = await startedMeeting(db, "Snapshot hui", "2029-08-07");
      const meeting = await db.selectFrom("meetings").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      const attendees = await meetingAttendees(db, meeting);
      const priya = attendees.find((attendee) => attendee.name === "Priya Naidu")!;
      await recordAttendance(db, null, as("secretary"), { meetingId: id, entries: attendees.map((attendee) => ({ membershipId: attendee.membershipId, status: "present" as const })) });
      await declareConflict(db, null, as("secretary"), { meetingId: id, membershipId: priya.membershipId, agendaItemId: null, interest: "Trustee", management: "Left the room" });
      const org = await db.selectFrom("organisations").select("id").where("name", "=", "Te Puni Kōkiri").executeTakeFirstOrThrow();
      await recordDecision(db, null, as("chair"), {
        meetingId: id, parentId: null, agendaItemId: null, heading: null, verb: "invited", body: "Te Puni Kōkiri to advise",
        actions: [{ description: "Advise", ownerUserId: null, ownerOrganisationId: org.id, dueOn: "2029-09-30" }],
      });
      await endMeeting(db, null, as("chair"), { meetingId: id });
      await confirmMinutes(db, null, as("secretary"), { meetingId: id });
      const before = await minuteView(db, meeting);
      expect(before.quorum).toMatchObject({ filled: 6, seats: 6, required: 4, met: true });

      // Later: Priya's membership is backdated to end before the meeting, she changes her name, the
      // organisation is renamed, and the group's quorum setting changes.
      await db.updateTable("memberships").set({ ends_on: "2029-01-01" }).where("id", "=", priya.membershipId).execute();
      await db.updateTable("users").set({ display_name: "Priya Naidu-Smith" }).where("id", "=", priya.userId).execute();
      await db.updateTable("organisations").set({ name: "Te Puni Kōkiri (renamed)" }).where("id", "=", org.id).execute();
      await db.updateTable("groups").set({ quorum: 9 }).where("id", "=", groupId).execute();
      try {
        const after = await minuteView(db, meeting);
        expect(after.present.map((attendee) => attendee.name)).toEqual(before.present.map((attendee) => attendee.name));
        expect(after.present.map((attendee) => attendee.name)).toContain("Priya Naidu");
        expect(after.conflicts[0]!.name).toBe("Priya Naidu");
        expect(after.paragraphs[0]!.actions[0]!.owner).toBe("Te Puni Kōkiri");
        expect(after.quorum).toEqual(before.quorum);
      } finally {
        await db.updateTable("memberships").set({ ends_on: null }).where("id", "=", priya.membershipId).execute();
        await db.updateTable("users").set({ display_name: "Priya Naidu" }).where("id", "=", priya.userId).execute();
        await db.updateTable("organisations").set({ name: "Te Puni Kōkiri" }).where("id", "=", org.id).execute();
        await db.updateTable("groups").set({ quorum: 4 }).where("id", "=", groupId).execute();
      }
    });

    it("freezes a confirmed minute's agenda papers and actions, leaving only the actions' progress to change", async () => {
      const db = getDb();
      const id = await startedMeeting(db, "Frozen hui", "2029-09-04");
      const paper = await db.selectFrom("documents").select("id").where("kind", "=", "paper").executeTakeFirstOrThrow();
      const itemId = await addAgendaItem(db, null, as("secretary"), { meetingId: id, title: "The paper", presenter: null, minutesAllotted: null, paperIds: [paper.id] });
      const decisionId = await recordDecision(db, null, as("chair"), {
        meetingId: id, parentId: null, agendaItemId: itemId, heading: null, verb: "directed", body: "the Hub to act",
        actions: [{ description: "Act", ownerUserId: users.get("member")!, ownerOrganisationId: null, dueOn: "2029-10-01" }],
      });
      await endMeeting(db, null, as("chair"), { meetingId: id });
      await confirmMinutes(db, null, as("secretary"), { meetingId: id });
      const refused = /immutable|part of the record|only the progress/;
      await expect(sql`delete from agenda_item_papers where agenda_item_id = ${itemId}`.execute(db)).rejects.toThrow(refused);
      await expect(sql`insert into agenda_item_papers (agenda_item_id, document_id, position) values (${itemId}, ${paper.id}, 2)`.execute(db)).rejects.toThrow();
      await expect(sql`update actions set description = 'Rewritten' where decision_id = ${decisionId}`.execute(db)).rejects.toThrow(refused);
      await expect(sql`update actions set due_on = '2030-01-01' where decision_id = ${decisionId}`.execute(db)).rejects.toThrow(refused);
      await expect(sql`delete from actions where decision_id = ${decisionId}`.execute(db)).rejects.toThrow(refused);
      await expect(
        sql`insert into actions (group_id, decision_id, description, owner_user_id, owner_label, due_on) values (${groupId}, ${decisionId}, 'Slipped in', ${users.get("member")!}, 'Tama Ngata', '2030-01-01')`.execute(db),
      ).rejects.toThrow(refused);
      // Progress is still recorded.
      const action = await db.selectFrom("actions").select("id").where("decision_id", "=", decisionId).executeTakeFirstOrThrow();
      await updateActionProgress(db, as("member"), { groupId, actionId: action.id, status: "done", note: "Done" });
      const doneAt = (await db.selectFrom("actions").select("completed_at").where("id", "=", action.id).executeTakeFirstOrThrow()).completed_at;
      await updateActionProgress(db, as("member"), { groupId, actionId: action.id, status: "done", note: "A note afterwards" });
      // A later note does not move the day it was done.
      expect((await db.selectFrom("actions").select("completed_at").where("id", "=", action.id).executeTakeFirstOrThrow()).completed_at).toEqual(doneAt);
    });

    it("keeps a draft decision whose actions have progress, and the paragraph that records a confirmation", async () => {
      const db = getDb();
      const previous = await closedMeetingWithDecision(db, "Before hui", "2029-10-02", "an earlier point");
      const id = await startedMeeting(db, "Keeping hui", "2029-11-06");
      const decisionId = await recordDecision(db, null, as("chair"), {
        meetingId: id, parentId: null, agendaItemId: null, heading: null, verb: "requested", body: "a report",
        actions: [{ description: "Report", ownerUserId: users.get("member")!, ownerOrganisationId: null, dueOn: "2029-12-01" }],
      });
      const action = await db.selectFrom("actions").select("id").where("decision_id", "=", decisionId).executeTakeFirstOrThrow();
      await updateActionProgress(db, as("member"), { groupId, actionId: action.id, status: "in_progress", note: "Started" });
      await expect(deleteDecision(db, null, as("secretary"), { meetingId: id, decisionId })).rejects.toMatchObject({ code: "INVALID_INPUT" });
      // Its verb keeps sending someone off, since it has actions; a verb that does not need them cannot gain them.
      await expect(updateDecision(db, null, as("secretary"), { meetingId: id, decisionId, verb: "noted", body: "a report", heading: null })).rejects.toMatchObject({ field: "verb" });
      const noted = await recordDecision(db, null, as("chair"), { meetingId: id, parentId: null, agendaItemId: null, heading: null, verb: "noted", body: "a point" });
      await expect(updateDecision(db, null, as("secretary"), { meetingId: id, decisionId: noted, verb: "directed", body: "a point", heading: null })).rejects.toMatchObject({ field: "verb" });

      await confirmMinutes(db, null, as("chair"), { meetingId: previous, atMeetingId: id });
      const confirmation = await db.selectFrom("decisions").select("id").where("confirms_minute_id", "is not", null).where("minute_id", "=", (await db.selectFrom("minutes").select("id").where("meeting_id", "=", id).executeTakeFirstOrThrow()).id).executeTakeFirstOrThrow();
      await expect(deleteDecision(db, null, as("secretary"), { meetingId: id, decisionId: confirmation.id })).rejects.toMatchObject({ code: "INVALID_INPUT" });
      await expect(updateDecision(db, null, as("secretary"), { meetingId: id, decisionId: confirmation.id, verb: "noted", body: "rewritten", heading: null })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    });

    it("confirms the previous minutes at the next meeting and records that in its minute", async () => {
      const db = getDb();
      const previous = await closedMeetingWithDecision(db, "Previous hui", "2029-05-01", "previous point");
      const current = await startedMeeting(db, "Current hui", "2029-06-05");
      const reference = await confirmMinutes(db, null, as("chair"), { meetingId: previous, atMeetingId: current });
      const view = await minuteView(db, (await db.selectFrom("meetings").selectAll().where("id", "=", current).executeTakeFirstOrThrow()));
      expect(view.paragraphs.at(-1)).toMatchObject({ verb: "confirmed", cites: [reference] });
      const minute = await db.selectFrom("minutes").select(["confirmed_at_meeting_id", "secretary_name"]).where("meeting_id", "=", previous).executeTakeFirstOrThrow();
      expect(minute).toEqual({ confirmed_at_meeting_id: current, secretary_name: "Sophie Lin" });
    });
  });

  describe("the decision register", () => {
    it("finds decisions whatever the macrons, by verb, date range and reference", async () => {
      const db = getDb();
      const id = await closedMeetingWithDecision(db, "Register hui", "2030-03-05", "that whānau-centred services are a priority for Māori providers");
      const reference = await confirmMinutes(db, null, as("secretary"), { meetingId: id });
      for (const words of ["whanau", "whānau", "WHANAU centred", "maori", "Māori providers"]) {
        const { entries } = await searchDecisions(db, groupId, { words });
        expect(entries.map((entry) => entry.reference), words).toContain(reference);
      }
      expect((await searchDecisions(db, groupId, { words: "whanau kainga" })).entries).toHaveLength(0);
      expect((await searchDecisions(db, groupId, { words: "whanau", verb: "agreed" })).entries).toHaveLength(0);
      expect((await searchDecisions(db, groupId, { words: "whanau", from: "2030-03-05", to: "2030-03-05" })).entries).toHaveLength(1);
      expect((await searchDecisions(db, groupId, { words: "whanau", from: "2030-03-06" })).entries).toHaveLength(0);
      expect((await searchDecisions(db, groupId, { reference: `[${reference}]` })).entries.map((entry) => entry.meetingId)).toEqual([id]);
      expect((await searchDecisions(db, groupId, { words: "100%_" })).entries).toHaveLength(0);
    });

    it("pages through a minute in paragraph order: 1, 1.1, 1.2, 2, 3", async () => {
      const db = getDb();
      const id = await startedMeeting(db, "Paging hui", "2031-04-01");
      const one = await recordDecision(db, null, as("chair"), { meetingId: id, parentId: null, agendaItemId: null, heading: null, verb: "noted", body: "paging one" });
      await recordDecision(db, null, as("chair"), { meetingId: id, parentId: null, agendaItemId: null, heading: null, verb: "noted", body: "paging two" });
      await recordDecision(db, null, as("chair"), { meetingId: id, parentId: one, agendaItemId: null, heading: null, verb: null, body: "paging one-one" });
      await recordDecision(db, null, as("chair"), { meetingId: id, parentId: null, agendaItemId: null, heading: null, verb: "noted", body: "paging three" });
      await recordDecision(db, null, as("chair"), { meetingId: id, parentId: one, agendaItemId: null, heading: null, verb: null, body: "paging one-two" });
      const pages: string[] = [];
      for (let offset = 0; offset < 6; offset += 2) {
        const { entries, total } = await searchDecisions(db, groupId, { words: "paging", limit: 2, offset });
        expect(total).toBe(5);
        pages.push(...entries.map((entry) => entry.number));
      }
      expect(pages).toEqual(["1", "1.1", "1.2", "2", "3"]);
      // A date that does not exist is ignored rather than failing the search.
      expect((await searchDecisions(db, groupId, { words: "paging", from: "2031-02-30" })).total).toBe(5);
    });

    it("knows who was a member when each decision was made, from the membership history", async () => {
      const db = getDb();
      const july = await closedMeetingWithDecision(db, "July hui", "2026-07-07", "a decision in July");
      const december = await closedMeetingWithDecision(db, "December hui", "2026-12-01", "a decision in December");
      const names = async (meetingId: string) => {
        const meeting = await db.selectFrom("meetings").select("starts_at").where("id", "=", meetingId).executeTakeFirstOrThrow();
        const date = new Intl.DateTimeFormat("en-CA", { timeZone: "Pacific/Auckland" }).format(meeting.starts_at);
        return (await membersOnDate(db, groupId, date)).map((member) => member.name);
      };
      // Hemi Walker left on 31 August 2026; Priya Naidu joined on 1 September 2026.
      expect(await names(july)).toContain("Hemi Walker");
      expect(await names(july)).not.toContain("Priya Naidu");
      expect(await names(december)).toContain("Priya Naidu");
      expect(await names(december)).not.toContain("Hemi Walker");
    });
  });

  describe("actions", () => {
    it("lists actions with overdue ones first, and lets only their owner, the chair or the secretary record progress", async () => {
      const db = getDb();
      const id = await startedMeeting(db, "Actions hui", "2026-06-02");
      await recordDecision(db, null, as("chair"), {
        meetingId: id, parentId: null, agendaItemId: null, heading: null, verb: "invited", body: "Tama Ngata to draft the engagement plan",
        actions: [
          { description: "Draft the engagement plan", ownerUserId: users.get("member")!, ownerOrganisationId: null, dueOn: "2026-07-01" },
          { description: "Share provider feedback", ownerUserId: null, ownerOrganisationId: (await db.selectFrom("organisations").select("id").where("name", "like", "Whaikaha%").executeTakeFirstOrThrow()).id, dueOn: "2099-01-01" },
        ],
      });
      const asMember = await listActions(db, as("member"), groupId);
      const plan = asMember.find((action) => action.description === "Draft the engagement plan")!;
      const feedback = asMember.find((action) => action.description === "Share provider feedback")!;
      expect(plan).toMatchObject({ overdue: true, mayUpdate: true, owner: "Tama Ngata" });
      // Tama represents Whaikaha in the group, so its action is his to update too.
      expect(feedback).toMatchObject({ overdue: false, mayUpdate: true });
      expect(asMember.indexOf(plan)).toBeLessThan(asMember.indexOf(feedback));
      expect((await listActions(db, as("minister"), groupId)).every((action) => !action.mayUpdate)).toBe(true);

      await updateActionProgress(db, as("member"), { groupId, actionId: plan.id, status: "in_progress", note: "First draft with the Hub" });
      await expect(updateActionProgress(db, as("minister"), { groupId, actionId: plan.id, status: "done", note: null })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(updateActionProgress(db, as("ngo"), { groupId, actionId: plan.id, status: "done", note: null })).rejects.toMatchObject({ code: "NOT_FOUND" });
      await updateActionProgress(db, as("secretary"), { groupId, actionId: plan.id, status: "done", note: "Tabled at the hui" });
      const done = (await listActions(db, as("member"), groupId, { status: "all" })).find((action) => action.id === plan.id)!;
      expect(done).toMatchObject({ status: "done", overdue: false });
      expect(done.updates.map((update) => [update.status, update.by])).toEqual([["in_progress", "Tama Ngata"], ["done", "Sophie Lin"]]);
      expect((await listActions(db, as("member"), groupId)).some((action) => action.id === plan.id)).toBe(false);
    });
  });

  it("runs on the database the suite asked for", () => {
    expect(["pglite", "postgres"]).toContain(getHandle().kind);
  });
});
