/**
 * Proposals at a meeting (issue 22, "At a meeting"; docs/decisions/021) at the model level, on
 * PGlite and PostgreSQL: only the chair or the acting chair puts one live or closes its vote; the
 * members recorded present take part on their own devices, nobody else; the secretary or chair
 * records a show of hands (counts only, checked against the seats present); the meeting's quorum
 * from attendance decides; a passed proposal lands in the meeting's draft minute under its item.
 */
import { type Kysely, sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import type { AttendanceStatus, Database } from "../../../db/database.js";
import { seedDemo } from "../../../server/seed-demo.js";
import { loadActor } from "../../../app/models/actor.server.js";
import { recordAttendance } from "../../../app/models/attendance.server.js";
import { setActingChair, startMeeting } from "../../../app/models/live-meeting.server.js";
import { closeLiveVote, liveProposalPanel, openLiveProposal, putProposalLive, recordShowOfHands } from "../../../app/models/live-proposals.server.js";
import { scheduleMeeting } from "../../../app/models/meeting-scheduling.server.js";
import { addDays } from "../../../app/models/memberships.server.js";
import { minuteView } from "../../../app/models/minutes.server.js";
import { openProposal, proposalView, takePart } from "../../../app/models/proposals.server.js";
import type { Actor } from "../../../app/policy/policy.js";
import { nzCalendarDate } from "../../../app/utils/dates.js";
import { describeEachDatabase } from "../../support/database.js";

describeEachDatabase("proposals at a meeting", (getDb) => {
  const actors = new Map<string, Actor>();
  const memberships = new Map<string, string>();
  let groupId: string;
  let meetings = 0;
  const as = (who: string) => actors.get(who)!;

  beforeAll(async () => {
    const db = getDb();
    await seedDemo(db);
    for (const user of await db.selectFrom("users").select(["id", "email", "display_name", "is_platform_admin"]).execute()) {
      actors.set(user.email.split("@")[0]!, await loadActor(db, { id: user.id, email: user.email, displayName: user.display_name, isPlatformAdmin: user.is_platform_admin }));
    }
    groupId = (await db.selectFrom("groups").select("id").executeTakeFirstOrThrow()).id;
    const today = nzCalendarDate();
    for (const row of await db
      .selectFrom("memberships")
      .innerJoin("users", "users.id", "memberships.user_id")
      .select(["memberships.id", "users.email"])
      .where("memberships.group_id", "=", groupId)
      .where("memberships.role", "!=", "consultee")
      .where("memberships.starts_on", "<=", today)
      .where((eb) => eb.or([eb("memberships.ends_on", "is", null), eb("memberships.ends_on", ">=", today)]))
      .execute()) {
      memberships.set(row.email.split("@")[0]!, row.id);
    }
  });

  /**
   * A meeting tomorrow started now by the chair, with these people recorded present (the others
   * absent). Seats: the chair, Tama (member), Priya, Mereana, David and Sione; Ana is Tama's
   * alternate. The group's quorum is 4.
   */
  async function liveMeeting(db: Kysely<Database>, present: string[]): Promise<string> {
    meetings += 1;
    const id = await scheduleMeeting(db, null, as("secretary"), {
      groupId,
      title: `Hui ${meetings}`,
      date: addDays(nzCalendarDate(), 1),
      time: "10:00",
      durationMinutes: 90,
      location: "Wellington",
      onlineUrl: null,
      openers: [],
      items: [{ title: "Commissioning plan" }],
    });
    await startMeeting(db, null, as("chair"), { meetingId: id, offScheduleConfirmed: true });
    const entries = [...memberships].map(([who, membershipId]) => ({ membershipId, status: (present.includes(who) ? "present" : "absent") as AttendanceStatus }));
    await recordAttendance(db, null, as("secretary"), { meetingId: id, entries });
    return id;
  }

  const put = (meetingId: string, overrides: Partial<Parameters<typeof openLiveProposal>[3]> = {}) => ({
    meetingId,
    title: "Support the commissioning plan",
    verb: "agreed" as const,
    resolution: "that the chair write to the Minister supporting the draft plan",
    process: "consent" as const,
    ...overrides,
  });

  const fourPresent = ["chair", "member", "priya.naidu", "mereana.henare", "secretary", "minister"];

  describe("putting a proposal live", () => {
    it("is for the chair, or a member named acting chair, at a meeting in progress, one at a time", async () => {
      const db = getDb();
      const meetingId = await liveMeeting(db, fourPresent);
      for (const who of ["secretary", "member", "minister", "ngo", "admin", "priya.naidu"]) {
        await expect(openLiveProposal(db, null, as(who), put(meetingId))).rejects.toMatchObject({ code: expect.stringMatching(/^(FORBIDDEN|NOT_FOUND)$/) });
      }
      await setActingChair(db, null, as("secretary"), { meetingId, userId: as("member").id });
      const id = await openLiveProposal(db, null, as("member"), put(meetingId));
      const row = await db.selectFrom("proposals").select(["meeting_id", "agenda_item_id", "live_at"]).where("id", "=", id).executeTakeFirstOrThrow();
      const meeting = await db.selectFrom("meetings").select("current_agenda_item_id").where("id", "=", meetingId).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ meeting_id: meetingId, agenda_item_id: meeting.current_agenda_item_id });
      expect(row.live_at).not.toBeNull();
      await expect(openLiveProposal(db, null, as("chair"), put(meetingId))).rejects.toMatchObject({ code: "PROPOSAL_LIVE" });
      const actions = await db.selectFrom("audit_log").select("action").where("subject_id", "=", id).execute();
      expect(actions.map((entry) => entry.action)).toEqual(["proposal.opened"]);
    });

    it("puts an existing proposal of the meeting live, for the chair only; never one of another meeting", async () => {
      const db = getDb();
      const meetingId = await liveMeeting(db, fourPresent);
      const otherMeeting = await liveMeeting(db, fourPresent);
      const id = await openProposal(db, null, as("secretary"), {
        groupId,
        meetingId,
        title: "Endorse the engagement plan",
        verb: "endorsed",
        resolution: "the engagement plan",
        process: "consensus",
        closesAt: new Date(Date.now() + 7 * 24 * 3600 * 1000),
        results: "visible",
        ballot: "named",
      });
      expect((await liveProposalPanel(db, as("chair"), (await db.selectFrom("meetings").selectAll().where("id", "=", meetingId).executeTakeFirstOrThrow())))?.waiting).toEqual([
        { id, title: "Endorse the engagement plan" },
      ]);
      for (const who of ["secretary", "member", "minister", "priya.naidu"]) {
        await expect(putProposalLive(db, null, as(who), { meetingId, proposalId: id })).rejects.toMatchObject({ code: "FORBIDDEN" });
      }
      await expect(putProposalLive(db, null, as("ngo"), { meetingId, proposalId: id })).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(putProposalLive(db, null, as("chair"), { meetingId: otherMeeting, proposalId: id })).rejects.toMatchObject({ code: "NOT_FOUND" });
      await putProposalLive(db, null, as("chair"), { meetingId, proposalId: id });
      await expect(putProposalLive(db, null, as("chair"), { meetingId, proposalId: id })).rejects.toMatchObject({ code: "PROPOSAL_LIVE" });
      const panel = await liveProposalPanel(db, as("member"), await db.selectFrom("meetings").selectAll().where("id", "=", meetingId).executeTakeFirstOrThrow());
      expect(panel?.live?.id).toBe(id);
      expect(panel?.live?.choices.map((choice) => choice.value)).toEqual(["agree", "abstain", "disagree", "block"]);
      expect(panel?.may["proposal.take_part"]).toBe(true);
      expect(await db.selectFrom("audit_log").select("action").where("subject_id", "=", id).where("action", "=", "proposal.put_live").execute()).toHaveLength(1);
    });
  });

  describe("the vote on members' own devices", () => {
    it("takes stances only from the seats present; the chair closes the vote and the decision lands in the meeting's minute", async () => {
      const db = getDb();
      const meetingId = await liveMeeting(db, [...fourPresent, "ana.tupou"]);
      const id = await openLiveProposal(db, null, as("chair"), put(meetingId));
      // David is recorded absent: his seat does not take part at the meeting.
      await expect(takePart(db, null, as("david.chen"), { proposalId: id, choice: "consent" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      const david = await proposalView(db, as("david.chen"), groupId, id);
      expect(david?.may["proposal.take_part"]).toBe(false);
      for (const who of ["secretary", "minister"]) {
        await expect(takePart(db, null, as(who), { proposalId: id, choice: "consent" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      }
      await expect(takePart(db, null, as("ngo"), { proposalId: id, choice: "consent" })).rejects.toMatchObject({ code: "NOT_FOUND" });
      await takePart(db, null, as("member"), { proposalId: id, choice: "consent" });
      // Ana is present too, but Tama took part for their seat.
      await expect(takePart(db, null, as("ana.tupou"), { proposalId: id, choice: "consent" })).rejects.toMatchObject({ code: "SEAT_TAKEN_PART" });
      await takePart(db, null, as("priya.naidu"), { proposalId: id, choice: "object", reason: "Wait for the regional views" });
      await takePart(db, null, as("priya.naidu"), { proposalId: id, choice: "consent" });
      await takePart(db, null, as("chair"), { proposalId: id, choice: "consent" });
      const meeting = await db.selectFrom("meetings").selectAll().where("id", "=", meetingId).executeTakeFirstOrThrow();
      const panel = await liveProposalPanel(db, as("member"), meeting);
      expect(panel?.live?.counts).toEqual({ eligibleSeats: 6, seatsTakingPart: 3 });
      expect(panel?.live?.mine.stance).toBe("Consent");
      expect(panel?.live?.tally?.map((choice) => choice.count)).toEqual([3, 0]);
      // Ana's seat took part through Tama: the stance is his, not hers.
      const ana = await liveProposalPanel(db, as("ana.tupou"), meeting);
      expect(ana?.live?.mine).toEqual({ seat: true, present: true, seatTakenByOther: true, stance: null });
      expect(ana?.may["proposal.take_part"]).toBe(false);

      // Not everyone took part, but at a meeting the chair closes the vote when it is ready; nobody else does.
      for (const who of ["secretary", "member", "minister"]) {
        await expect(closeLiveVote(db, null, as(who), { meetingId, proposalId: id })).rejects.toMatchObject({ code: "FORBIDDEN" });
      }
      await expect(closeLiveVote(db, null, as("ngo"), { meetingId, proposalId: id })).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect(await closeLiveVote(db, null, as("chair"), { meetingId, proposalId: id })).toBe("passed");
      const view = await minuteView(db, meeting);
      const paragraph = view.paragraphs.find((entry) => entry.body.includes("supporting the draft plan"));
      expect(paragraph?.agendaItemId).toBe(meeting.current_agenda_item_id);
      expect(paragraph?.body).toMatch(/; decided by consent on .+ \(3 of 6 seats took part; no objection\)$/);
      expect((await liveProposalPanel(db, as("chair"), meeting))?.live).toBeNull();
    });

    it("has no quorum when too few seats are present, whatever those present decide", async () => {
      const db = getDb();
      const meetingId = await liveMeeting(db, ["chair", "member", "secretary"]);
      const id = await openLiveProposal(db, null, as("chair"), put(meetingId, { title: "Without a quorum" }));
      await takePart(db, null, as("member"), { proposalId: id, choice: "consent" });
      await takePart(db, null, as("chair"), { proposalId: id, choice: "consent" });
      expect(await closeLiveVote(db, null, as("chair"), { meetingId, proposalId: id })).toBe("no_quorum");
      const meeting = await db.selectFrom("meetings").selectAll().where("id", "=", meetingId).executeTakeFirstOrThrow();
      expect((await minuteView(db, meeting)).paragraphs.some((entry) => entry.body.includes("supporting the draft plan"))).toBe(false);
    });
  });

  describe("a show of hands", () => {
    it("is recorded by the secretary or the chair as counts only, against the seats present, and is the vote", async () => {
      const db = getDb();
      const meetingId = await liveMeeting(db, [...fourPresent, "david.chen"]);
      const id = await openLiveProposal(db, null, as("chair"), put(meetingId, { title: "A majority vote", process: "majority", verb: "approved", resolution: "the funding round" }));
      for (const who of ["member", "minister", "priya.naidu"]) {
        await expect(recordShowOfHands(db, null, as(who), { meetingId, proposalId: id, counts: { yes: 3, no: 1 } })).rejects.toMatchObject({ code: "FORBIDDEN" });
      }
      await expect(recordShowOfHands(db, null, as("ngo"), { meetingId, proposalId: id, counts: { yes: 3 } })).rejects.toMatchObject({ code: "NOT_FOUND" });
      // Five seats are present: six hands are too many; a consent count is not a choice of a majority vote.
      await expect(recordShowOfHands(db, null, as("secretary"), { meetingId, proposalId: id, counts: { yes: 4, no: 2 } })).rejects.toMatchObject({ code: "INVALID_INPUT" });
      await expect(recordShowOfHands(db, null, as("secretary"), { meetingId, proposalId: id, counts: { consent: 3 } })).rejects.toMatchObject({ code: "INVALID_INPUT" });
      await expect(recordShowOfHands(db, null, as("secretary"), { meetingId, proposalId: id, counts: { yes: 0, no: 0 } })).rejects.toMatchObject({ code: "INVALID_INPUT" });
      await expect(recordShowOfHands(db, null, as("secretary"), { meetingId, proposalId: id, counts: { yes: -1 } })).rejects.toMatchObject({ code: "INVALID_INPUT" });
      // A choice left empty (undefined) is not a choice given.
      await recordShowOfHands(db, null, as("secretary"), { meetingId, proposalId: id, counts: { yes: 2, no: 2, consent: undefined } });
      // Corrected before the vote closes.
      await recordShowOfHands(db, null, as("chair"), { meetingId, proposalId: id, counts: { yes: 3, no: 1, abstain: 1 } });
      await expect(takePart(db, null, as("member"), { proposalId: id, choice: "yes" })).rejects.toMatchObject({ code: "SHOW_OF_HANDS_RECORDED" });
      const meeting = await db.selectFrom("meetings").selectAll().where("id", "=", meetingId).executeTakeFirstOrThrow();
      const panel = await liveProposalPanel(db, as("member"), meeting);
      expect(panel?.may["proposal.take_part"]).toBe(false);
      expect(panel?.live?.hands?.map((choice) => choice.count)).toEqual([3, 1, 1]);

      expect(await closeLiveVote(db, null, as("chair"), { meetingId, proposalId: id })).toBe("passed");
      const row = await db.selectFrom("proposals").select(["tally", "seats_taking_part", "eligible_seats"]).where("id", "=", id).executeTakeFirstOrThrow();
      expect(row).toEqual({ tally: { yes: 3, no: 1, abstain: 1 }, seats_taking_part: 5, eligible_seats: 6 });
      const paragraph = (await minuteView(db, meeting)).paragraphs.find((entry) => entry.body.startsWith("the funding round"));
      expect(paragraph?.verb).toBe("approved");
      expect(paragraph?.body).toMatch(/decided by majority vote by a show of hands on .+ \(5 of 6 seats took part; 3 yes, 1 no, 1 abstain\)$/);
      // The log has the totals only; and once closed the counts cannot change.
      const entries = await db.selectFrom("audit_log").select(sql<string>`details::text`.as("details")).where("subject_id", "=", id).where("action", "=", "proposal.show_of_hands_recorded").execute();
      expect(entries.map((entry) => JSON.parse(entry.details))).toEqual([
        { hands: 4, corrected: false },
        { hands: 5, corrected: true },
      ]);
      await expect(recordShowOfHands(db, null, as("secretary"), { meetingId, proposalId: id, counts: { yes: 5 } })).rejects.toMatchObject({ code: "PROPOSAL_CLOSED" });
      await expect(db.updateTable("proposals").set({ show_of_hands: JSON.stringify({ yes: 0 }) }).where("id", "=", id).execute()).rejects.toThrow(/part of the record/);
    });

    it("is refused for a proposal that is not live at a meeting in progress", async () => {
      const db = getDb();
      const meetingId = await liveMeeting(db, fourPresent);
      const id = await openProposal(db, null, as("secretary"), {
        groupId,
        meetingId,
        title: "Not live",
        verb: "noted",
        resolution: "the report",
        process: "consent",
        closesAt: new Date(Date.now() + 7 * 24 * 3600 * 1000),
        results: "visible",
        ballot: "named",
      });
      await expect(recordShowOfHands(db, null, as("secretary"), { meetingId, proposalId: id, counts: { consent: 3 } })).rejects.toMatchObject({ code: "MEETING_NOT_IN_PROGRESS" });
      await expect(closeLiveVote(db, null, as("chair"), { meetingId, proposalId: id })).rejects.toMatchObject({ code: "PROPOSAL_CLOSED" });
    });
  });
});
