/**
 * Closing a proposal (issue 22, docs/decisions/020): at its closing time by the job that fires then
 * (once: a closed proposal is never closed again, and a job made stale by a later closing time
 * does nothing), or early by the chair once every eligible seat has taken part. Closing writes the
 * second eligibility snapshot (who held a seat at the close), the counts and the outcome (passed,
 * not passed, no quorum); a passed proposal becomes a numbered paragraph, with its verb, in the
 * group's current draft minute: its meeting's, else the minute of decisions made between meetings,
 * which the secretary confirms like any other (that is when it takes its reference). Decisions
 * that direct, invite or request create their actions. Also the reminder the day before.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, Proposal } from "../../db/database.js";
import { conflict, forbidden, notFound } from "../errors.js";
import { type Actor, can } from "../policy/policy.js";
import { type Tally, decidedByLine, handsTotal, outcomeLabels, proposalOutcome } from "../proposals/processes.js";
import type { ProposalJob } from "../services.js";
import { formatNzDateTime, formatNzShortDate, nzCalendarDate } from "../utils/dates.js";
import { runCommand } from "./command.server.js";
import { meetingQuorum } from "./attendance.server.js";
import { decisionSearchText, nextPosition } from "./decisions.server.js";
import { announceMeetingChange } from "./meeting-command.server.js";
import { membershipActiveOn } from "./memberships.server.js";
import { notify } from "./notifications.server.js";
import { meetingResource, proposalResource } from "./policy-resources.server.js";
import { type ProposalServices, announceProposalChange, proposalReplies, eligibilityOn, liveMeetingOf, lockProposal, participationCounts, proposalTally } from "./proposals.server.js";

/** The title of the record that holds the decisions made between meetings. */
export const BETWEEN_MEETINGS_TITLE = "Decisions made between meetings";

/**
 * Closes a proposal. With an actor: the chair, early, once everyone eligible has taken part.
 * Without one: the closing job, which does nothing unless the closing time has come and the
 * proposal is still open. Returns the outcome, or null when the job had nothing to do.
 */
export async function closeProposal(
  db: Kysely<Database>,
  services: ProposalServices | null,
  actor: Actor | null,
  input: { proposalId: string; now?: Date; ip?: string | null },
) {
  const now = input.now ?? new Date();
  return runCommand(
    db,
    {
      lock: async (trx) => {
        const proposal = await lockProposal(trx, input.proposalId);
        if (actor === null) return { proposal, due: proposal.status === "open" && proposal.closes_at.getTime() <= now.getTime() };
        if (!can(actor, "proposal.view", proposalResource(proposal, { actorEligible: false, everyoneTookPart: false }))) throw notFound("There is no such proposal");
        if (proposal.status !== "open") throw conflict("PROPOSAL_CLOSED", "This proposal has already closed");
        // Live at its meeting: the chair (or acting chair) closes the vote when the meeting is ready.
        const liveMeeting = await liveMeetingOf(trx, proposal);
        if (liveMeeting) {
          if (!can(actor, "proposal.run_live", meetingResource(actor, liveMeeting))) throw forbidden("Only the chair (or the acting chair named for this meeting) closes the vote");
          return { proposal, due: true };
        }
        const counts = await participationCounts(trx, proposal.id);
        const everyone = counts.seatsTakingPart >= counts.eligibleSeats;
        if (!can(actor, "proposal.close", proposalResource(proposal, { actorEligible: false, everyoneTookPart: everyone }))) {
          if (can(actor, "proposal.close", proposalResource(proposal, { actorEligible: false, everyoneTookPart: true }))) {
            throw conflict("NOT_EVERYONE_TOOK_PART", `It can close early once every seat has taken part (${counts.seatsTakingPart} of ${counts.eligibleSeats} so far)`);
          }
          throw forbidden("Only the chair closes a proposal early");
        }
        return { proposal, due: true };
      },
      change: async (trx, { proposal, due }) => {
        if (!due) return null;
        const closeDay = nzCalendarDate(now);
        const conflicted = new Set((await trx.selectFrom("proposal_conflicts").select("membership_id").where("proposal_id", "=", proposal.id).execute()).map((row) => row.membership_id));
        const atClose = await eligibilityOn(trx, proposal.group_id, closeDay, conflicted);
        if (atClose.length > 0) await trx.insertInto("proposal_eligibility").values(atClose.map((row) => ({ ...row, proposal_id: proposal.id, snapshot: "close" as const }))).execute();
        const stances = await participationCounts(trx, proposal.id);
        const hands = proposal.show_of_hands as Tally | null;
        // A show of hands at the meeting is the vote: its counts, and as many seats as hands.
        const counts = hands ? { eligibleSeats: stances.eligibleSeats, seatsTakingPart: handsTotal(hands) } : stances;
        const { tally, reasons } = hands ? { tally: hands, reasons: [] } : await proposalTally(trx, proposal);
        const meeting = proposal.meeting_id ? await trx.selectFrom("meetings").selectAll().where("id", "=", proposal.meeting_id).executeTakeFirst() : undefined;
        // At a meeting in progress the meeting's own quorum decides; between meetings, the share that took part.
        const atMeeting = meeting?.status === "in_progress";
        const outcome = proposalOutcome({
          process: proposal.process,
          tally,
          ...counts,
          quorumPercent: atMeeting ? null : proposal.quorum_percent,
          meetingQuorumMet: atMeeting && meeting ? (await meetingQuorum(trx, meeting)).met : undefined,
          majorityThreshold: proposal.majority_threshold,
          majorityBase: proposal.majority_base,
        });
        const decision =
          outcome === "passed"
            ? await recordProposalDecision(trx, proposal, { now, line: decidedByLine({ process: proposal.process, closedOn: formatNzShortDate(now), ...counts, tally, showOfHands: hands !== null }) })
            : null;
        await trx
          .updateTable("proposals")
          .set({
            status: "closed",
            outcome,
            tally: JSON.stringify(tally),
            eligible_seats: counts.eligibleSeats,
            seats_taking_part: counts.seatsTakingPart,
            closed_at: now,
            closed_by: actor?.id ?? null,
            closed_early: actor !== null,
            decision_id: decision?.decisionId ?? null,
          })
          .where("id", "=", proposal.id)
          .execute();
        return { outcome, decision, reasons: reasons.length };
      },
      audit: ({ proposal }, result) =>
        result
          ? {
              actorId: actor?.id ?? null,
              actorLabel: actor ? null : "closing time",
              groupId: proposal.group_id,
              subjectType: "proposal",
              subjectId: proposal.id,
              action: "proposal.closed",
              ip: input.ip ?? null,
              details: { outcome: result.outcome, early: actor !== null, decisionId: result.decision?.decisionId ?? null },
            }
          : [],
      announce: async ({ proposal }, result) => {
        if (!result || !services) return;
        announceProposalChange(services, proposal.id);
        if (result.decision) announceMeetingChange(services, result.decision.meetingId, "decisions");
        await notify(services, {
          recipientIds: await groupReaderIds(services.db, proposal.group_id, nzCalendarDate(now)),
          kind: "proposal.closed",
          title: `Proposal closed: ${proposal.title}`,
          body: `${outcomeLabels[result.outcome]}.${result.decision ? " It is recorded in the draft minute." : ""}`,
          link: `/groups/${proposal.group_id}/proposals/${proposal.id}`,
          groupId: proposal.group_id,
        });
      },
    },
    services ? { logger: services.logger } : {},
  ).then((result) => result?.outcome ?? null);
}

/** Everyone who may see the group's proposals on `date`. */
async function groupReaderIds(db: Kysely<Database>, groupId: string, date: string): Promise<string[]> {
  const rows = await db
    .selectFrom("memberships")
    .select("user_id")
    .where("group_id", "=", groupId)
    .where("role", "in", ["chair", "secretary", "member", "minister_office", "observer"])
    .where(membershipActiveOn(date))
    .execute();
  return [...new Set(rows.map((row) => row.user_id))];
}

/**
 * The minute a passed proposal goes in: its meeting's draft minute, else the group's draft
 * minute of decisions made between meetings (made when there is none).
 */
async function minuteForDecision(trx: Transaction<Database>, proposal: Proposal, now: Date): Promise<{ minuteId: string; meetingId: string; atMeeting: boolean }> {
  if (proposal.meeting_id) {
    const minute = await trx.selectFrom("minutes").select(["id", "status"]).where("meeting_id", "=", proposal.meeting_id).forUpdate().executeTakeFirst();
    if (minute?.status === "draft") return { minuteId: minute.id, meetingId: proposal.meeting_id, atMeeting: true };
  }
  const existing = await trx
    .selectFrom("minutes")
    .innerJoin("meetings", "meetings.id", "minutes.meeting_id")
    .select(["minutes.id", "meetings.id as meetingId"])
    .where("minutes.group_id", "=", proposal.group_id)
    .where("minutes.status", "=", "draft")
    .where("meetings.kind", "=", "between_meetings")
    .orderBy("meetings.starts_at", "desc")
    .forUpdate()
    .executeTakeFirst();
  if (existing) return { minuteId: existing.id, meetingId: existing.meetingId, atMeeting: false };
  // The record is "held" from its first decision: its reference takes that year (ADR 006).
  const record = await trx
    .insertInto("meetings")
    .values({
      group_id: proposal.group_id,
      kind: "between_meetings",
      title: BETWEEN_MEETINGS_TITLE,
      starts_at: now,
      duration_minutes: 5,
      status: "closed",
      started_at: now,
      ended_at: now,
      created_by: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const minute = await trx.insertInto("minutes").values({ meeting_id: record.id, group_id: proposal.group_id }).returning("id").executeTakeFirstOrThrow();
  return { minuteId: minute.id, meetingId: record.id, atMeeting: false };
}

/** The decision paragraph of a passed proposal, and the actions its verb asks for. */
async function recordProposalDecision(trx: Transaction<Database>, proposal: Proposal, input: { now: Date; line: string }) {
  const { minuteId, meetingId, atMeeting } = await minuteForDecision(trx, proposal, input.now);
  const body = `${proposal.resolution.replace(/[\s.;]+$/u, "")}; ${input.line}`;
  const decision = await trx
    .insertInto("decisions")
    .values({
      minute_id: minuteId,
      parent_id: null,
      position: await nextPosition(trx, minuteId, null),
      heading: null,
      agenda_item_id: atMeeting ? proposal.agenda_item_id : null,
      verb: proposal.verb,
      body,
      search_text: decisionSearchText(null, proposal.verb, body),
      created_by: proposal.opened_by,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const actions = await trx
    .selectFrom("proposal_actions")
    .leftJoin("users", "users.id", "proposal_actions.owner_user_id")
    .leftJoin("organisations", "organisations.id", "proposal_actions.owner_organisation_id")
    .select([
      "proposal_actions.description",
      "proposal_actions.owner_user_id",
      "proposal_actions.owner_organisation_id",
      "proposal_actions.due_on",
      "users.display_name",
      "organisations.name as organisation_name",
    ])
    .where("proposal_actions.proposal_id", "=", proposal.id)
    .orderBy("proposal_actions.position")
    .execute();
  if (actions.length > 0) {
    await trx
      .insertInto("actions")
      .values(
        actions.map((action) => ({
          group_id: proposal.group_id,
          decision_id: decision.id,
          description: action.description,
          owner_user_id: action.owner_user_id,
          owner_organisation_id: action.owner_organisation_id,
          owner_label: action.display_name ?? action.organisation_name ?? "",
          due_on: action.due_on,
          created_by: proposal.opened_by,
        })),
      )
      .execute();
  }
  return { decisionId: decision.id, meetingId };
}

/**
 * The reminder the day before it closes, to the seats that have not taken part (once). Returns
 * how many people were reminded.
 */
export async function remindProposal(db: Kysely<Database>, services: ProposalServices | null, input: { proposalId: string; now?: Date }): Promise<number> {
  const now = input.now ?? new Date();
  return runCommand(
    db,
    {
      lock: (trx) => lockProposal(trx, input.proposalId),
      change: async (trx, proposal) => {
        if (proposal.status !== "open" || proposal.reminder_sent_at !== null || proposal.closes_at.getTime() <= now.getTime()) return [];
        const rows = await trx
          .selectFrom("proposal_eligibility")
          .innerJoin("memberships", "memberships.id", "proposal_eligibility.membership_id")
          .leftJoin("proposal_participants", (join) =>
            join
              .onRef("proposal_participants.proposal_id", "=", "proposal_eligibility.proposal_id")
              .onRef("proposal_participants.seat_membership_id", "=", "proposal_eligibility.seat_membership_id"),
          )
          .select("proposal_eligibility.user_id")
          .where("proposal_eligibility.proposal_id", "=", proposal.id)
          .where("proposal_eligibility.snapshot", "=", "open")
          .where("proposal_eligibility.excluded_for_conflict", "=", false)
          .where("proposal_participants.user_id", "is", null)
          .where(membershipActiveOn(nzCalendarDate(now)))
          .execute();
        await trx.updateTable("proposals").set({ reminder_sent_at: now }).where("id", "=", proposal.id).execute();
        return [...new Set(rows.map((row) => row.user_id))];
      },
      audit: (proposal, recipients) =>
        recipients.length > 0 || proposal.reminder_sent_at === null
          ? { actorId: null, actorLabel: "reminder", groupId: proposal.group_id, subjectType: "proposal", subjectId: proposal.id, action: "proposal.reminded", details: { recipients: recipients.length } }
          : [],
      announce: async (proposal, recipients) => {
        if (!services || recipients.length === 0) return;
        await notify(services, {
          recipientIds: recipients,
          kind: "proposal.reminder",
          title: `Reminder: your stance on ${proposal.title}`,
          body: `It closes ${formatNzDateTime(proposal.closes_at)} and your seat has not yet taken part.`,
          link: `/groups/${proposal.group_id}/proposals/${proposal.id}`,
          groupId: proposal.group_id,
          ...proposalReplies(services, proposal.id, proposal.process),
        });
      },
    },
    services ? { logger: services.logger } : {},
  ).then((recipients) => recipients.length);
}

/** The job queue's work for a proposal (server/app.ts): close it, or remind those who have not taken part. */
export async function runProposalJob(services: ProposalServices, job: ProposalJob, now: Date = new Date()): Promise<void> {
  if (job.kind === "close") await closeProposal(services.db, services, null, { proposalId: job.proposalId, now });
  else await remindProposal(services.db, services, { proposalId: job.proposalId, now });
}
