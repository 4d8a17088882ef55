/**
 * Proposals and votes (issue 22) at the model level, on PGlite and PostgreSQL: who may take part
 * (seats on the day, alternates once per seat, conflicts excluded, membership changes during the
 * vote), each process's outcome and the quorum between meetings, one-way settings, stance history,
 * the secret ballot's separation, closing by the job (once) and early, the decision paragraph in
 * the between-meetings minute with its reference once confirmed, and an audit log with no choices.
 */
import { type Kysely, sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "../../../db/database.js";
import { seedDemo } from "../../../server/seed-demo.js";
import { JobQueue } from "../../../server/jobs/job-queue.js";
import { loadActor } from "../../../app/models/actor.server.js";
import { searchDecisions } from "../../../app/models/decision-register.server.js";
import { confirmMinutes } from "../../../app/models/minute-confirmation.server.js";
import { minuteView } from "../../../app/models/minutes.server.js";
import { BETWEEN_MEETINGS_TITLE, closeProposal, remindProposal, runProposalJob } from "../../../app/models/proposal-closing.server.js";
import { type OpenProposalInput, type ProposalServices, changeProposalSettings, openProposal, proposalView, takePart } from "../../../app/models/proposals.server.js";
import { addDays } from "../../../app/models/memberships.server.js";
import type { Actor } from "../../../app/policy/policy.js";
import { nzCalendarDate } from "../../../app/utils/dates.js";
import { minutesToDocx } from "../../../app/exports/minutes-docx.server.js";
import { describeEachDatabase } from "../../support/database.js";
import { docxParts, wordParagraphs } from "../../support/docx-reader.js";

const HOUR = 3600 * 1000;

describeEachDatabase("proposals and votes", (getDb, getHandle) => {
  const actors = new Map<string, Actor>();
  const users = new Map<string, string>();
  let groupId: string;
  const as = (who: string) => actors.get(who)!;

  async function loadActors(db: Kysely<Database>) {
    for (const user of await db.selectFrom("users").select(["id", "email", "display_name", "is_platform_admin"]).execute()) {
      users.set(user.email.split("@")[0]!, user.id);
      actors.set(user.email.split("@")[0]!, await loadActor(db, { id: user.id, email: user.email, displayName: user.display_name, isPlatformAdmin: user.is_platform_admin }));
    }
  }

  beforeAll(async () => {
    const db = getDb();
    await seedDemo(db);
    await loadActors(db);
    groupId = (await db.selectFrom("groups").select("id").executeTakeFirstOrThrow()).id;
  });

  const details = (overrides: Partial<OpenProposalInput> = {}): OpenProposalInput => ({
    groupId,
    title: "Letter to the Minister on the commissioning plan",
    verb: "agreed",
    resolution: "that the chair write to the Minister supporting the draft plan",
    process: "consent",
    closesAt: new Date(Date.now() + 7 * 24 * HOUR),
    results: "visible",
    ballot: "named",
    ...overrides,
  });

  /** Closes it now, as the closing job would at its time. */
  async function closeAtTime(db: Kysely<Database>, proposalId: string) {
    const row = await db.selectFrom("proposals").select("closes_at").where("id", "=", proposalId).executeTakeFirstOrThrow();
    return closeProposal(db, null, null, { proposalId, now: new Date(row.closes_at.getTime() + 1000) });
  }

  describe("opening and who may take part", () => {
    it("is opened by the chair or the secretary only, and snapshots the seats that day with their alternates", async () => {
      const db = getDb();
      for (const who of ["member", "minister", "ngo", "admin"]) {
        await expect(openProposal(db, null, as(who), details())).rejects.toMatchObject({ code: "FORBIDDEN" });
      }
      const id = await openProposal(db, null, as("secretary"), details());
      const rows = await db.selectFrom("proposal_eligibility").selectAll().where("proposal_id", "=", id).where("snapshot", "=", "open").execute();
      // Six seats (the chair and five members; Hemi left in August), and Ana as Tama's alternate.
      expect(new Set(rows.map((row) => row.seat_membership_id)).size).toBe(6);
      expect(rows.filter((row) => row.is_alternate).map((row) => row.member_name)).toEqual(["Ana Tupou"]);
      expect(rows.map((row) => row.member_name)).not.toContain("Sophie Lin");
      expect(rows.map((row) => row.member_name)).not.toContain("Hemi Walker");
    });

    it("never lets the secretary, the Minister's office, an observer or a consultee take part, nor the administrator see it", async () => {
      const db = getDb();
      const id = await openProposal(db, null, as("secretary"), details());
      await expect(takePart(db, null, as("secretary"), { proposalId: id, choice: "consent" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(takePart(db, null, as("minister"), { proposalId: id, choice: "consent" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(takePart(db, null, as("ngo"), { proposalId: id, choice: "consent" })).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(takePart(db, null, as("admin"), { proposalId: id, choice: "consent" })).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect(await proposalView(db, as("admin"), groupId, id)).toBeNull();
      expect(await proposalView(db, as("ngo"), groupId, id)).toBeNull();
      expect((await proposalView(db, as("minister"), groupId, id))?.may["proposal.take_part"]).toBe(false);
    });

    it("lets an alternate take part in the member's place, once for the seat", async () => {
      const db = getDb();
      const id = await openProposal(db, null, as("secretary"), details());
      await takePart(db, null, as("ana.tupou"), { proposalId: id, choice: "consent" });
      await expect(takePart(db, null, as("member"), { proposalId: id, choice: "object", reason: "Not yet" })).rejects.toMatchObject({ code: "SEAT_TAKEN_PART" });
      const view = await proposalView(db, as("secretary"), groupId, id);
      expect(view?.counts).toEqual({ eligibleSeats: 6, seatsTakingPart: 1 });
      expect(view?.participation?.find((row) => row.name === "Tama Ngata")?.tookPart).toBe(true);
    });

    it("excludes a member with a declared conflict, and records it", async () => {
      const db = getDb();
      const david = await db
        .selectFrom("memberships")
        .innerJoin("users", "users.id", "memberships.user_id")
        .select("memberships.id")
        .where("users.email", "=", "david.chen@example.org")
        .executeTakeFirstOrThrow();
      const id = await openProposal(db, null, as("secretary"), details({ conflicts: [{ membershipId: david.id, interest: "ACC funds his organisation's contract" }] }));
      await expect(takePart(db, null, as("david.chen"), { proposalId: id, choice: "consent" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      const view = await proposalView(db, as("secretary"), groupId, id);
      expect(view?.counts.eligibleSeats).toBe(5);
      expect(view?.conflicts).toEqual([{ member_name: "David Chen", interest: "ACC funds his organisation's contract" }]);
      expect(view?.participation?.find((row) => row.name === "David Chen")?.excluded).toBe(true);
    });

    it("keeps who could take part when it opened, and records who held a seat when it closed", async () => {
      const db = getDb();
      const id = await openProposal(db, null, as("secretary"), details());
      // A new member joins during the vote (from tomorrow); Sione leaves during it (yesterday was his last day).
      const newcomer = await db.insertInto("users").values({ email: "wiremu@example.org", display_name: "Wiremu Rāwiri", password_hash: null }).returning("id").executeTakeFirstOrThrow();
      const today = nzCalendarDate();
      await db.insertInto("memberships").values({ group_id: groupId, user_id: newcomer.id, organisation_id: null, role: "member", starts_on: addDays(today, 1), ends_on: addDays(today, 8), alternate_for_id: null, end_reason: null }).execute();
      const wiremu = await loadActor(db, { id: newcomer.id, email: "wiremu@example.org", displayName: "Wiremu Rāwiri", isPlatformAdmin: false }, addDays(today, 1));
      await expect(takePart(db, null, wiremu, { proposalId: id, choice: "consent", now: new Date(Date.now() + 36 * HOUR) })).rejects.toMatchObject({ code: "FORBIDDEN" });
      const sione = await db.selectFrom("memberships").innerJoin("users", "users.id", "memberships.user_id").select("memberships.id").where("users.email", "=", "sione.tui@example.org").executeTakeFirstOrThrow();
      await db.updateTable("memberships").set({ ends_on: addDays(today, -1) }).where("id", "=", sione.id).execute();
      try {
        await expect(takePart(db, null, as("sione.tui"), { proposalId: id, choice: "consent" })).rejects.toMatchObject({ code: "FORBIDDEN" });
        for (const who of ["chair", "member", "priya.naidu", "mereana.henare"]) await takePart(db, null, as(who), { proposalId: id, choice: "consent" });
        expect(await closeAtTime(db, id)).toBe("passed");
        const snapshots = await db.selectFrom("proposal_eligibility").select(["snapshot", "member_name"]).where("proposal_id", "=", id).where("is_alternate", "=", false).execute();
        const names = (snapshot: string) => snapshots.filter((row) => row.snapshot === snapshot).map((row) => row.member_name).sort();
        expect(names("open")).toContain("Sione Tui");
        expect(names("open")).not.toContain("Wiremu Rāwiri");
        expect(names("close")).toContain("Wiremu Rāwiri");
        expect(names("close")).not.toContain("Sione Tui");
        // Eligibility is the opening snapshot's: 4 of 6 seats took part.
        expect(await db.selectFrom("proposals").select(["eligible_seats", "seats_taking_part"]).where("id", "=", id).executeTakeFirstOrThrow()).toEqual({ eligible_seats: 6, seats_taking_part: 4 });
      } finally {
        await db.updateTable("memberships").set({ ends_on: null }).where("id", "=", sione.id).execute();
      }
    });
  });

  describe("processes, quorum and stances", () => {
    it("consent: an objection needs a reason, withdrawing it is a new stance, and every change is kept", async () => {
      const db = getDb();
      const id = await openProposal(db, null, as("secretary"), details());
      await expect(takePart(db, null, as("member"), { proposalId: id, choice: "object" })).rejects.toMatchObject({ code: "INVALID_INPUT", field: "reason" });
      await expect(takePart(db, null, as("member"), { proposalId: id, choice: "yes" })).rejects.toMatchObject({ code: "INVALID_INPUT", field: "choice" });
      await takePart(db, null, as("member"), { proposalId: id, choice: "object", reason: "The plan's dates are too tight" });
      let view = await proposalView(db, as("chair"), groupId, id);
      expect(view?.results?.tally).toEqual({ object: 1 });
      expect(view?.results?.reasons).toEqual([{ stance: "object", reason: "The plan's dates are too tight", name: "Tama Ngata" }]);
      await takePart(db, null, as("member"), { proposalId: id, choice: "consent" });
      view = await proposalView(db, as("member"), groupId, id);
      expect(view?.results?.tally).toEqual({ consent: 1 });
      expect(view?.mine.history.map((stance) => stance.stance)).toEqual(["object", "consent"]);
      expect(await db.selectFrom("proposal_stances").select("stance").where("proposal_id", "=", id).execute()).toHaveLength(2);
    });

    it("passes or fails each process by its rule, and has no quorum when too few seats took part", async () => {
      const db = getDb();
      const consensus = await openProposal(db, null, as("chair"), details({ process: "consensus" }));
      for (const who of ["chair", "member", "priya.naidu"]) await takePart(db, null, as(who), { proposalId: consensus, choice: "agree" });
      await takePart(db, null, as("david.chen"), { proposalId: consensus, choice: "block", reason: "It cuts across our contract" });
      expect(await closeAtTime(db, consensus)).toBe("not_passed");

      const majority = await openProposal(db, null, as("chair"), details({ process: "majority", majorityThreshold: "two_thirds", majorityBase: "votes_cast", verb: "endorsed" }));
      for (const who of ["chair", "member", "priya.naidu"]) await takePart(db, null, as(who), { proposalId: majority, choice: "yes" });
      await takePart(db, null, as("david.chen"), { proposalId: majority, choice: "no" });
      await takePart(db, null, as("sione.tui"), { proposalId: majority, choice: "abstain" });
      expect(await closeAtTime(db, majority)).toBe("passed");

      const thin = await openProposal(db, null, as("chair"), details());
      for (const who of ["chair", "member"]) await takePart(db, null, as(who), { proposalId: thin, choice: "consent" });
      expect(await closeAtTime(db, thin)).toBe("no_quorum");
      const row = await db.selectFrom("proposals").select(["decision_id", "tally"]).where("id", "=", thin).executeTakeFirstOrThrow();
      expect(row).toEqual({ decision_id: null, tally: { consent: 2 } });
    });

    it("changes settings only in the safe direction", async () => {
      const db = getDb();
      const id = await openProposal(db, null, as("secretary"), details({ results: "hidden_until_closed" }));
      const current = await db.selectFrom("proposals").select("closes_at").where("id", "=", id).executeTakeFirstOrThrow();
      const settings = { proposalId: id, closesAt: current.closes_at, results: "hidden_until_closed" as const, ballot: "named" as const };
      await expect(changeProposalSettings(db, null, as("member"), settings)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(changeProposalSettings(db, null, as("secretary"), { ...settings, results: "visible" })).rejects.toMatchObject({ code: "INVALID_INPUT", field: "results" });
      await expect(changeProposalSettings(db, null, as("secretary"), { ...settings, closesAt: new Date(current.closes_at.getTime() - HOUR) })).rejects.toMatchObject({ code: "INVALID_INPUT", field: "closesOn" });
      await takePart(db, null, as("chair"), { proposalId: id, choice: "consent" });
      await expect(changeProposalSettings(db, null, as("secretary"), { ...settings, ballot: "secret" })).rejects.toMatchObject({ code: "INVALID_INPUT", field: "ballot" });
      await changeProposalSettings(db, null, as("chair"), { ...settings, closesAt: new Date(current.closes_at.getTime() + 24 * HOUR) });
      // Hidden results stay hidden from everyone until it closes.
      expect((await proposalView(db, as("chair"), groupId, id))?.results).toBeNull();
    });
  });

  describe("a secret ballot", () => {
    it("keeps who took part apart from what they chose, so no query can join them", async () => {
      const db = getDb();
      const id = await openProposal(db, null, as("secretary"), details({ ballot: "secret" }));
      await takePart(db, null, as("chair"), { proposalId: id, choice: "consent" });
      await takePart(db, null, as("member"), { proposalId: id, choice: "object", reason: "Needs iwi input first" });
      await takePart(db, null, as("priya.naidu"), { proposalId: id, choice: "consent" });
      await expect(takePart(db, null, as("member"), { proposalId: id, choice: "consent" })).rejects.toMatchObject({ code: "BALLOT_CAST" });
      // The choices are one row for the whole proposal, with no person, seat or time in it.
      const boxes = await db.selectFrom("proposal_ballot_boxes").selectAll().where("proposal_id", "=", id).execute();
      expect(boxes).toHaveLength(1);
      expect(boxes[0]!.counts).toEqual({ consent: 2, object: 1 });
      const columns = await sql<{ table_name: string; column_name: string }>`
        select table_name, column_name from information_schema.columns
        where table_name in ('proposal_ballot_boxes', 'proposal_participants') and table_schema = current_schema()`.execute(db);
      const of = (table: string) => columns.rows.filter((row) => row.table_name === table).map((row) => row.column_name).sort();
      expect(of("proposal_ballot_boxes")).toEqual(["counts", "proposal_id", "reasons"]);
      expect(of("proposal_participants")).toEqual(["proposal_id", "seat_membership_id", "user_id"]);
      expect(await db.selectFrom("proposal_stances").select("id").where("proposal_id", "=", id).execute()).toEqual([]);
      // The secretary still sees who has not taken part, never what anyone chose.
      const view = await proposalView(db, as("secretary"), groupId, id);
      expect(view?.participation?.filter((row) => !row.tookPart).map((row) => row.name).sort()).toEqual(["David Chen", "Mereana Hēnare", "Sione Tui"]);
      expect(view?.named).toEqual([]);
      expect(view?.results?.reasons).toEqual([{ stance: "object", reason: "Needs iwi input first", name: null }]);
    });

    it("never writes a choice or a reason in the audit log", async () => {
      const db = getDb();
      const entries = await db.selectFrom("audit_log").select(["action", sql<string>`details::text`.as("details")]).where("action", "like", "proposal.%").execute();
      expect(entries.length).toBeGreaterThan(5);
      for (const entry of entries) {
        if (entry.action === "proposal.took_part" || entry.action === "proposal.stance_changed") expect(JSON.parse(entry.details)).toEqual({ via: "web" });
        expect(entry.details).not.toMatch(/choice|stance|reason|iwi input|dates are too tight|contract/);
      }
    });
  });

  describe("closing and the minute", () => {
    it("closes early by the chair only once everyone has taken part; the record is then immutable", async () => {
      const db = getDb();
      const id = await openProposal(db, null, as("secretary"), details({ title: "Early close" }));
      await takePart(db, null, as("chair"), { proposalId: id, choice: "consent" });
      await expect(closeProposal(db, null, as("chair"), { proposalId: id })).rejects.toMatchObject({ code: "NOT_EVERYONE_TOOK_PART" });
      await expect(closeProposal(db, null, as("secretary"), { proposalId: id })).rejects.toMatchObject({ code: "FORBIDDEN" });
      for (const who of ["member", "priya.naidu", "mereana.henare", "david.chen", "sione.tui"]) await takePart(db, null, as(who), { proposalId: id, choice: "consent" });
      expect(await closeProposal(db, null, as("chair"), { proposalId: id })).toBe("passed");
      await expect(closeProposal(db, null, as("chair"), { proposalId: id })).rejects.toMatchObject({ code: "PROPOSAL_CLOSED" });
      await expect(takePart(db, null, as("chair"), { proposalId: id, choice: "object", reason: "Changed my mind" })).rejects.toMatchObject({ code: "PROPOSAL_CLOSED" });
      await expect(db.updateTable("proposals").set({ title: "Changed" }).where("id", "=", id).execute()).rejects.toThrow(/part of the record/);
      await expect(db.deleteFrom("proposals").where("id", "=", id).execute()).rejects.toThrow(/never deleted/);
      const seat = await db.selectFrom("proposal_participants").selectAll().where("proposal_id", "=", id).executeTakeFirstOrThrow();
      await expect(db.insertInto("proposal_stances").values({ ...seat, stance: "object", reason: "late" }).execute()).rejects.toThrow(/part of the record/);
      await expect(db.deleteFrom("proposal_participants").where("proposal_id", "=", id).execute()).rejects.toThrow(/append-only/);
    });

    it("records a passed proposal as a numbered paragraph of the between-meetings minute, which takes its reference when confirmed", async () => {
      const db = getDb();
      const id = await openProposal(db, null, as("secretary"), details({ title: "Whānau-centred contracts", resolution: "that whānau-centred contracts be the default from 2027" }));
      for (const who of ["chair", "member", "priya.naidu", "mereana.henare", "david.chen"]) await takePart(db, null, as(who), { proposalId: id, choice: "consent" });
      expect(await closeAtTime(db, id)).toBe("passed");
      const proposal = await db.selectFrom("proposals").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      const decision = await db
        .selectFrom("decisions")
        .innerJoin("minutes", "minutes.id", "decisions.minute_id")
        .innerJoin("meetings", "meetings.id", "minutes.meeting_id")
        .select(["decisions.verb", "decisions.body", "meetings.id as meetingId", "meetings.kind", "meetings.title", "minutes.status"])
        .where("decisions.id", "=", proposal.decision_id!)
        .executeTakeFirstOrThrow();
      expect(decision).toMatchObject({ verb: "agreed", kind: "between_meetings", title: BETWEEN_MEETINGS_TITLE, status: "draft" });
      expect(decision.body).toMatch(/^that whānau-centred contracts be the default from 2027; decided by consent on \d+ \w+ 2026 \(5 of 6 seats took part; no objection\)$/);
      // The register finds it, macrons or not.
      const found = await searchDecisions(db, groupId, { words: "whanau-centred contracts" });
      expect(found.entries.map((entry) => entry.body)).toContain(decision.body);
      // No attendance, so no quorum mark; the secretary confirms it like any other minute.
      const meeting = await db.selectFrom("meetings").selectAll().where("id", "=", decision.meetingId).executeTakeFirstOrThrow();
      const view = await minuteView(db, meeting);
      expect(view.withoutQuorum).toBeNull();
      expect(view.paragraphs.every((paragraph) => !paragraph.withoutQuorum)).toBe(true);
      const lines = wordParagraphs(docxParts(await minutesToDocx(view)).get("word/document.xml")!).map((paragraph) => paragraph.text);
      expect(lines.some((line) => line.includes("decided by consent on"))).toBe(true);
      expect(lines).not.toContain("Present:");
      const reference = await confirmMinutes(db, null, as("secretary"), { meetingId: meeting.id });
      expect(reference).toMatch(/^[A-Z0-9]+-26-MIN-\d{4}$/);
      // The next passed proposal starts a new between-meetings minute.
      const next = await openProposal(db, null, as("secretary"), details({ title: "Second", verb: "directed", resolution: "the secretary to circulate the letter", actions: [{ description: "Circulate the letter", ownerUserId: users.get("secretary")!, ownerOrganisationId: null, dueOn: "2027-01-15" }] }));
      for (const who of ["chair", "member", "priya.naidu", "mereana.henare"]) await takePart(db, null, as(who), { proposalId: next, choice: "consent" });
      expect(await closeAtTime(db, next)).toBe("passed");
      const second = await db.selectFrom("proposals").select("decision_id").where("id", "=", next).executeTakeFirstOrThrow();
      const minute = await db.selectFrom("decisions").innerJoin("minutes", "minutes.id", "decisions.minute_id").select(["minutes.meeting_id", "minutes.status"]).where("decisions.id", "=", second.decision_id!).executeTakeFirstOrThrow();
      expect(minute.status).toBe("draft");
      expect(minute.meeting_id).not.toBe(meeting.id);
      expect(await db.selectFrom("actions").select(["description", "owner_label", "due_on"]).where("decision_id", "=", second.decision_id!).execute()).toEqual([
        { description: "Circulate the letter", owner_label: "Sophie Lin", due_on: "2027-01-15" },
      ]);
    });

    it("reminds the seats that have not taken part, once", async () => {
      const db = getDb();
      const id = await openProposal(db, null, as("secretary"), details());
      await takePart(db, null, as("chair"), { proposalId: id, choice: "consent" });
      const now = new Date(Date.now() + 6 * 24 * HOUR + HOUR);
      // Tama and Ana share a seat: both are reminded; the chair took part and is not.
      expect(await remindProposal(db, null, { proposalId: id, now })).toBe(6);
      expect(await remindProposal(db, null, { proposalId: id, now })).toBe(0);
    });
  });

  describe("the closing job", () => {
    let queue: JobQueue | undefined;
    afterAll(async () => {
      await queue?.stop();
    });

    it("closes the proposal at its closing time through the job queue, and only once", async () => {
      const db = getDb();
      const logger = pino({ level: "silent" });
      queue = await JobQueue.start({ database: getHandle(), logger, timings: { pollingIntervalSeconds: 0.5 } });
      const pushed: string[] = [];
      const services: ProposalServices = {
        db,
        logger,
        jobs: queue,
        config: { publicUrl: "http://localhost" },
        realtime: { emitToUser: () => undefined, emitToRoom: (room: string) => void pushed.push(room) },
      };
      const jobs = queue;
      await jobs.work({ sendEmail: async () => undefined, dailyDigest: async () => undefined, consultationClosings: async () => undefined, proposalJob: (job) => runProposalJob(services, job) });
      // Opened two hours ago (by its own clock), closing in a second.
      const id = await openProposal(db, services, as("secretary"), details({ title: "Closes by itself", closesAt: new Date(Date.now() + 1500), now: new Date(Date.now() - 2 * HOUR) }));
      for (const who of ["chair", "member", "priya.naidu", "mereana.henare"]) await takePart(db, services, as(who), { proposalId: id, choice: "consent" });
      await vi.waitFor(
        async () => {
          const row = await db.selectFrom("proposals").select("status").where("id", "=", id).executeTakeFirstOrThrow();
          expect(row.status).toBe("closed");
        },
        { timeout: 20_000, interval: 200 },
      );
      // The job again (a retry, or a stale one) does nothing.
      await runProposalJob(services, { kind: "close", proposalId: id });
      const closings = await db.selectFrom("audit_log").select("actor_label").where("action", "=", "proposal.closed").where("subject_id", "=", id).execute();
      expect(closings).toEqual([{ actor_label: "closing time" }]);
      expect(pushed).toContain(`proposal:${id}`);
      // Everyone is told after the commit, in a transaction of its own.
      await vi.waitFor(async () => {
        const notified = await db.selectFrom("notifications").select("kind").where("kind", "=", "proposal.closed").where("link", "like", `%${id}`).execute();
        expect(notified.length).toBeGreaterThan(0);
      });
    });
  });
});
