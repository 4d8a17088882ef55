/**
 * Proposals at a meeting (issue 22, "At a meeting"; docs/decisions/021): from the live meeting's
 * Now panel the chair (or the acting chair) opens a proposal under the item the meeting is on, or
 * puts one of the meeting's open proposals live; the members recorded present take part on their
 * own devices (takePart), or the secretary or chair records a show of hands (counts by choice, no
 * names); the chair closes the vote (closeProposal), the meeting's quorum from attendance decides
 * (ADR 019), and a passed proposal becomes a paragraph of the meeting's draft minute under its item.
 *
 * The audit log gets ids and verbs only: never a choice, and for a show of hands only its total.
 */
import type { Kysely } from "kysely";
import type { Database, DecisionProcess, MajorityBase, MajorityThreshold, Meeting, StanceChoice } from "../../db/database.js";
import { conflict, forbidden, invalidInput, notFound } from "../errors.js";
import { type Actor, can, permissionsFor } from "../policy/policy.js";
import { type Tally, choiceLabels, handsTotal, processChoices, processNouns, tallySummary } from "../proposals/processes.js";
import type { liveProposalVerbs } from "../proposals/schemas.js";
import { nzCalendarDate } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { meetingAttendees, meetingQuorum } from "./attendance.server.js";
import { runCommand } from "./command.server.js";
import { announceMeetingChange, lockMeeting } from "./meeting-command.server.js";
import type { Db } from "./meetings.server.js";
import { meetingResource, proposalResource } from "./policy-resources.server.js";
import { closeProposal } from "./proposal-closing.server.js";
import {
  type ProposalServices,
  announceProposalChange,
  assertNoneLive,
  liveMeetingOf,
  lockProposal,
  openProposal,
  participationCounts,
  proposalTally,
  seatOf,
} from "./proposals.server.js";

/** A live proposal that is not closed by the chair closes itself a day later, by its closing job (between meetings' quorum). */
const LIVE_FALLBACK_MS = 24 * 3600 * 1000;

export interface OpenLiveProposalInput {
  meetingId: string;
  title: string;
  verb: (typeof liveProposalVerbs)[number];
  resolution: string;
  process: DecisionProcess;
  majorityThreshold?: MajorityThreshold | null;
  majorityBase?: MajorityBase | null;
  ip?: string | null;
  now?: Date;
}

/** The chair (or acting chair) opens a proposal under the item the meeting is on now, and puts it live. */
export async function openLiveProposal(db: Kysely<Database>, services: ProposalServices | null, actor: Actor, input: OpenLiveProposalInput): Promise<string> {
  const now = input.now ?? new Date();
  const meeting = isUuid(input.meetingId) ? await db.selectFrom("meetings").select(["group_id", "current_agenda_item_id"]).where("id", "=", input.meetingId).executeTakeFirst() : undefined;
  if (!meeting) throw notFound("There is no such meeting");
  return openProposal(db, services, actor, {
    groupId: meeting.group_id,
    meetingId: input.meetingId,
    agendaItemId: meeting.current_agenda_item_id,
    title: input.title,
    verb: input.verb,
    resolution: input.resolution,
    process: input.process,
    majorityThreshold: input.process === "majority" ? (input.majorityThreshold ?? "more_than_half") : null,
    majorityBase: input.process === "majority" ? (input.majorityBase ?? "votes_cast") : null,
    closesAt: new Date(now.getTime() + LIVE_FALLBACK_MS),
    results: "visible",
    ballot: "named",
    live: true,
    ip: input.ip ?? null,
    now,
  });
}

/** Locks the meeting in progress and checks that the actor runs its vote. */
async function lockLiveMeeting(trx: Parameters<typeof lockMeeting>[0], actor: Actor, meetingId: string, doing: string): Promise<Meeting> {
  const meeting = await lockMeeting(trx, meetingId);
  if (!can(actor, "meeting.view", meetingResource(actor, meeting))) throw notFound("There is no such meeting");
  if (!can(actor, "proposal.run_live", meetingResource(actor, meeting))) throw forbidden(`Only the chair (or the acting chair named for this meeting) ${doing}`);
  if (meeting.status !== "in_progress") throw conflict("MEETING_NOT_IN_PROGRESS", "This meeting is not in progress");
  return meeting;
}

/** Finds one of this meeting's proposals; NOT_FOUND for any other. */
async function proposalOfMeeting(trx: Parameters<typeof lockProposal>[0], meeting: Pick<Meeting, "id">, proposalId: string) {
  const proposal = await lockProposal(trx, proposalId);
  if (proposal.meeting_id !== meeting.id) throw notFound("There is no such proposal at this meeting");
  return proposal;
}

/** The chair (or acting chair) puts one of the meeting's open proposals live: the Now panel shows it to everyone. */
export async function putProposalLive(
  db: Kysely<Database>,
  services: ProposalServices | null,
  actor: Actor,
  input: { meetingId: string; proposalId: string; ip?: string | null; now?: Date },
): Promise<void> {
  const now = input.now ?? new Date();
  await runCommand(
    db,
    {
      lock: async (trx) => {
        const meeting = await lockLiveMeeting(trx, actor, input.meetingId, "puts a proposal live");
        const proposal = await proposalOfMeeting(trx, meeting, input.proposalId);
        return { meeting, proposal };
      },
      check: ({ proposal }) => {
        if (proposal.status !== "open" || proposal.closes_at.getTime() <= now.getTime()) throw conflict("PROPOSAL_CLOSED", "This proposal has closed");
        if (proposal.live_at !== null) throw conflict("PROPOSAL_LIVE", "This proposal is already live");
      },
      change: async (trx, { meeting, proposal }) => {
        await assertNoneLive(trx, meeting.id);
        await trx.updateTable("proposals").set({ live_at: now }).where("id", "=", proposal.id).execute();
      },
      audit: ({ proposal }) => ({
        actorId: actor.id,
        groupId: proposal.group_id,
        subjectType: "proposal",
        subjectId: proposal.id,
        action: "proposal.put_live",
        ip: input.ip ?? null,
        details: { meetingId: input.meetingId },
      }),
      announce: ({ meeting, proposal }) => {
        if (!services) return;
        announceProposalChange(services, proposal.id);
        announceMeetingChange(services, meeting.id, "proposal");
      },
    },
    services ? { logger: services.logger } : {},
  );
}

/**
 * The secretary or chair records the show of hands for the proposal live at the meeting: a number
 * for each of its process's choices, no names. It may be corrected until the chair closes the
 * vote; from then on those counts are the vote, and the members' own devices take no more stances.
 */
export async function recordShowOfHands(
  db: Kysely<Database>,
  services: ProposalServices | null,
  actor: Actor,
  input: { meetingId: string; proposalId: string; counts: Partial<Record<StanceChoice, number>>; ip?: string | null },
): Promise<void> {
  await runCommand(
    db,
    {
      lock: async (trx) => {
        const meeting = await lockMeeting(trx, input.meetingId);
        if (!can(actor, "meeting.view", meetingResource(actor, meeting))) throw notFound("There is no such meeting");
        const proposal = await proposalOfMeeting(trx, meeting, input.proposalId);
        if (proposal.status !== "open") throw conflict("PROPOSAL_CLOSED", "This proposal has closed");
        const live = (await liveMeetingOf(trx, proposal)) !== null;
        if (!can(actor, "proposal.show_of_hands", proposalResource(proposal, { actorEligible: false, everyoneTookPart: false, liveAtMeeting: live }))) {
          if (!live) throw conflict("MEETING_NOT_IN_PROGRESS", "A show of hands is recorded only for the proposal live at a meeting in progress");
          throw forbidden("Only the secretary or the chair records a show of hands");
        }
        const counts = await participationCounts(trx, proposal.id);
        const quorum = await meetingQuorum(trx, meeting);
        return { meeting, proposal, seatsPresent: Math.min(counts.eligibleSeats, quorum.filled) };
      },
      check: ({ proposal, seatsPresent }) => {
        const allowed = processChoices[proposal.process] as readonly string[];
        // A field left empty arrives as undefined: only the counts given are checked.
        const given = Object.entries(input.counts).filter(([, value]) => value !== undefined);
        const unknown = given.find(([choice]) => !allowed.includes(choice));
        if (unknown) throw invalidInput(`Give a count for each of: ${allowed.map((choice) => choiceLabels[choice as StanceChoice]).join(", ")}`, "hands");
        const values = given.map(([, value]) => value);
        if (values.some((value) => !Number.isInteger(value) || value < 0)) throw invalidInput("Each count is a whole number, 0 or more", "hands");
        const total = handsTotal(input.counts);
        if (total === 0) throw invalidInput("Count at least one hand", "hands");
        if (total > seatsPresent) throw invalidInput(`There are ${total} hands but only ${seatsPresent} seat${seatsPresent === 1 ? "" : "s"} present that may vote`, "hands");
      },
      change: async (trx, { proposal }) => {
        const counts: Tally = Object.fromEntries(processChoices[proposal.process].map((choice) => [choice, input.counts[choice] ?? 0]));
        await trx.updateTable("proposals").set({ show_of_hands: JSON.stringify(counts) }).where("id", "=", proposal.id).execute();
        return { corrected: proposal.show_of_hands !== null };
      },
      // The total only: a show of hands is public, but the log keeps ids and verbs.
      audit: ({ proposal }, result) => ({
        actorId: actor.id,
        groupId: proposal.group_id,
        subjectType: "proposal",
        subjectId: proposal.id,
        action: "proposal.show_of_hands_recorded",
        ip: input.ip ?? null,
        details: { hands: handsTotal(input.counts), corrected: result.corrected },
      }),
      announce: ({ meeting, proposal }) => {
        if (!services) return;
        announceProposalChange(services, proposal.id);
        announceMeetingChange(services, meeting.id, "proposal");
      },
    },
    services ? { logger: services.logger } : {},
  );
}

/** The chair (or acting chair) closes the vote of the proposal live at this meeting. */
export async function closeLiveVote(
  db: Kysely<Database>,
  services: ProposalServices | null,
  actor: Actor,
  input: { meetingId: string; proposalId: string; ip?: string | null; now?: Date },
) {
  const proposal = isUuid(input.proposalId)
    ? await db.selectFrom("proposals").select(["meeting_id", "live_at", "group_id", "status", "results"]).where("id", "=", input.proposalId).executeTakeFirst()
    : undefined;
  if (!proposal || proposal.meeting_id !== input.meetingId || !can(actor, "proposal.view", proposalResource(proposal, { actorEligible: false, everyoneTookPart: false }))) {
    throw notFound("There is no such proposal at this meeting");
  }
  if (proposal.live_at === null) throw conflict("PROPOSAL_CLOSED", "This proposal is not live at the meeting");
  const outcome = await closeProposal(db, services, actor, { proposalId: input.proposalId, ip: input.ip ?? null, ...(input.now ? { now: input.now } : {}) });
  if (services) announceMeetingChange(services, input.meetingId, "proposal");
  return outcome;
}

// ---- reads ------------------------------------------------------------------------------------

/**
 * What the Now panel shows of the meeting's proposals, as this actor may see it: the one live
 * now (its choices, the tally where results are shown, whether the person may take part and
 * their current stance, the show of hands), and the meeting's other open proposals to put live.
 */
export async function liveProposalPanel(db: Db, actor: Actor, meeting: Meeting, now: Date = new Date()) {
  const meetingMay = permissionsFor(actor, meetingResource(actor, meeting), ["proposal.run_live"]);
  if (meeting.status !== "in_progress") return null;
  const rows = await db
    .selectFrom("proposals")
    .selectAll()
    .where("meeting_id", "=", meeting.id)
    .where("status", "=", "open")
    .where("closes_at", ">", now)
    .orderBy("opened_at")
    .execute();
  const liveRow = rows.find((row) => row.live_at !== null);
  const waiting = meetingMay["proposal.run_live"] && !liveRow ? rows.filter((row) => row.live_at === null).map((row) => ({ id: row.id, title: row.title })) : [];
  if (!liveRow || !can(actor, "proposal.view", proposalResource(liveRow, { actorEligible: false, everyoneTookPart: false }))) {
    return { live: null, waiting, may: { ...meetingMay, "proposal.take_part": false, "proposal.results.view": false, "proposal.show_of_hands": false } };
  }
  const seat = await seatOf(db, liveRow, actor.id, nzCalendarDate(now));
  const attendees = await meetingAttendees(db, meeting);
  const present = seat !== null && attendees.some((attendee) => attendee.membershipId === seat.membershipId && attendee.status === "present");
  const hands = liveRow.show_of_hands as Tally | null;
  // The member or their alternate took part for the seat: whoever did keeps it (ADR 020).
  const seatTaker = seat
    ? await db.selectFrom("proposal_participants").select("user_id").where("proposal_id", "=", liveRow.id).where("seat_membership_id", "=", seat.seatId).executeTakeFirst()
    : undefined;
  const seatTakenByOther = seatTaker !== undefined && seatTaker.user_id !== actor.id;
  const resource = proposalResource(liveRow, { actorEligible: present && hands === null && !seatTakenByOther, everyoneTookPart: false, liveAtMeeting: true });
  const may = { ...meetingMay, ...permissionsFor(actor, resource, ["proposal.take_part", "proposal.results.view", "proposal.show_of_hands"]) };
  const counts = await participationCounts(db, liveRow.id);
  const tally = may["proposal.results.view"] ? (await proposalTally(db, liveRow)).tally : null;
  const mine = seat
    ? await db
        .selectFrom("proposal_stances")
        .select("stance")
        .where("proposal_id", "=", liveRow.id)
        .where("seat_membership_id", "=", seat.seatId)
        .where("user_id", "=", actor.id)
        .orderBy("created_at", "desc")
        .executeTakeFirst()
    : undefined;
  const choices = processChoices[liveRow.process].map((choice) => ({ value: choice, label: choiceLabels[choice] }));
  return {
    live: {
      id: liveRow.id,
      title: liveRow.title,
      verb: liveRow.verb,
      resolution: liveRow.resolution,
      process: liveRow.process,
      processNoun: processNouns[liveRow.process],
      choices,
      tally: tally ? choices.map((choice) => ({ ...choice, count: tally[choice.value] ?? 0 })) : null,
      summary: tally ? tallySummary(liveRow.process, tally) : null,
      counts,
      hands: hands ? choices.map((choice) => ({ ...choice, count: hands[choice.value] ?? 0 })) : null,
      handsSummary: hands ? tallySummary(liveRow.process, hands) : null,
      mine: { seat: seat !== null, present, seatTakenByOther, stance: mine ? choiceLabels[mine.stance] : null },
    },
    waiting,
    may,
  };
}

export type LiveProposalPanel = NonNullable<Awaited<ReturnType<typeof liveProposalPanel>>>;
