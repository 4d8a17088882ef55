/**
 * Proposals and votes (issue 22, docs/decisions/020): opening one with who may take part
 * snapshotted from the seats on the day (alternates in their member's place, once per seat;
 * members with a declared conflict excluded and recorded), taking part and changing one's stance
 * (every change kept; a secret ballot is cast once, into its ballot box), changing the settings
 * in the safe direction only, and what the pages read. Closing is in proposal-closing.server.ts.
 *
 * The audit log gets ids and verbs only, never a choice or a reason.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, DecisionProcess, MajorityBase, MajorityThreshold, Meeting, Proposal, StanceChoice } from "../../db/database.js";
import { conflict, forbidden, invalidInput, notFound } from "../errors.js";
import { isActionVerb } from "../meetings/decision-verbs.js";
import { seatRoles } from "../members/membership-counts.js";
import { type Actor, can, permissionsFor } from "../policy/policy.js";
import { type Tally, choiceLabels, isChoiceOf, needsReason, processChoices } from "../proposals/processes.js";
import type { proposalVerbs } from "../proposals/schemas.js";
import { settingsChangeProblems } from "../proposals/settings.js";
import { proposalRoom } from "../realtime/contract.js";
import { replyHowTo } from "../proposals/reply-stance.js";
import type { AppServices, JobsService } from "../services.js";
import { formatNzDateTime, nzCalendarDate } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { runCommand } from "./command.server.js";
import { type NewAction, ownerLabels } from "./decisions.server.js";
import { meetingAttendees } from "./attendance.server.js";
import { type MeetingServices, announceMeetingChange, lockMeeting } from "./meeting-command.server.js";
import { membersOnDate, membershipActiveOn } from "./memberships.server.js";
import { type NotifyInput, notify } from "./notifications.server.js";
import { groupResource, meetingResource, proposalResource } from "./policy-resources.server.js";

type Db = Kysely<Database> | Transaction<Database>;

/** What proposal commands need: notifications, pushes, and the job queue for the closing time. */
export type ProposalServices = Omit<MeetingServices, "jobs"> & {
  jobs: Pick<JobsService, "sendEmail" | "scheduleProposalJob">;
  /** When stances by reply email are on: the Reply-To of one person's email about a proposal. */
  proposalReplyAddress?: AppServices["proposalReplyAddress"];
};

/** How a proposal's emails to those who may take part are answered by email (replies by email on). */
export function proposalReplies(services: ProposalServices, proposalId: string, process: DecisionProcess): Pick<NotifyInput, "replyTo" | "replyHint"> {
  const address = services.proposalReplyAddress;
  if (!address) return {};
  return { replyTo: (trx, userId) => address(trx, { userId, proposalId }), replyHint: replyHowTo(process) };
}

const DAY_MS = 24 * 3600 * 1000;

export interface OpenProposalInput {
  groupId: string;
  title: string;
  verb: (typeof proposalVerbs)[number];
  resolution: string;
  background?: string | null;
  process: DecisionProcess;
  majorityThreshold?: MajorityThreshold | null;
  majorityBase?: MajorityBase | null;
  closesAt: Date;
  results: "visible" | "hidden_until_closed";
  ballot: "named" | "secret";
  documentVersionId?: string | null;
  meetingId?: string | null;
  agendaItemId?: string | null;
  /** Conflicts of interest declared on it, by membership. */
  conflicts?: readonly { membershipId: string; interest: string }[];
  actions?: readonly NewAction[];
  /**
   * Put live at its meeting, in progress, under the item it is on now (docs/decisions/021): the
   * chair or acting chair opens it from the Now panel, and closes its vote there.
   */
  live?: boolean;
  ip?: string | null;
  now?: Date;
}

/** One row of an eligibility snapshot: a person who may take part for a seat. */
interface EligibleRow {
  seat_membership_id: string;
  membership_id: string;
  user_id: string;
  member_name: string;
  organisation_name: string | null;
  is_alternate: boolean;
  excluded_for_conflict: boolean;
}

/**
 * Who may take part on `date`: each seat (a chair's or member's own membership) with its member
 * and the alternates named for it. A seat whose member or alternate has a conflict declared is
 * excluded as a whole: the seat does not vote on the matter.
 */
export async function eligibilityOn(db: Db, groupId: string, date: string, conflictedMemberships: ReadonlySet<string>): Promise<EligibleRow[]> {
  const members = await membersOnDate(db, groupId, date);
  const seats = members.filter((member) => seatRoles.includes(member.role) && member.alternateForId === null);
  const seatIds = new Set(seats.map((seat) => seat.id));
  const rows: EligibleRow[] = [];
  for (const member of members) {
    const seatId = member.alternateForId === null ? member.id : member.alternateForId;
    if (!seatIds.has(seatId)) continue;
    rows.push({
      seat_membership_id: seatId,
      membership_id: member.id,
      user_id: member.userId,
      member_name: member.name,
      organisation_name: member.organisationName,
      is_alternate: member.alternateForId !== null,
      excluded_for_conflict: false,
    });
  }
  const conflictedSeats = new Set(rows.filter((row) => conflictedMemberships.has(row.membership_id)).map((row) => row.seat_membership_id));
  return rows.map((row) => ({ ...row, excluded_for_conflict: conflictedSeats.has(row.seat_membership_id) }));
}

/** Opens a proposal: the chair or the secretary puts a resolution to the group. */
export async function openProposal(db: Kysely<Database>, services: ProposalServices | null, actor: Actor, input: OpenProposalInput): Promise<string> {
  const now = input.now ?? new Date();
  return runCommand(
    db,
    {
      lock: async (trx) => {
        const group = isUuid(input.groupId)
          ? await trx.selectFrom("groups").selectAll().where("id", "=", input.groupId).executeTakeFirst()
          : undefined;
        if (!group) throw notFound("There is no such group");
        if (input.live) {
          const meeting = await lockMeeting(trx, input.meetingId ?? "");
          if (meeting.group_id !== group.id) throw notFound("There is no such meeting");
          if (!can(actor, "proposal.run_live", meetingResource(actor, meeting))) throw forbidden("Only the chair (or the acting chair named for this meeting) puts a proposal live");
          if (meeting.status !== "in_progress") throw conflict("MEETING_NOT_IN_PROGRESS", "This meeting is not in progress");
          await assertNoneLive(trx, meeting.id);
          return group;
        }
        if (!can(actor, "proposal.open", groupResource(group.id))) throw forbidden("Only the chair or the secretary opens a proposal");
        return group;
      },
      check: () => {
        if (input.live) return;
        if (input.closesAt.getTime() <= now.getTime() + 60 * 60 * 1000) throw invalidInput("Choose a closing time at least an hour from now", "closesOn");
        if (input.closesAt.getTime() > now.getTime() + 90 * DAY_MS) throw invalidInput("Choose a closing time within 90 days", "closesOn");
        if (input.process === "majority" && (!input.majorityThreshold || !input.majorityBase)) {
          throw invalidInput("A majority vote needs its threshold and what it counts", "majorityThreshold");
        }
      },
      change: async (trx, group) => {
        let meetingId: string | null = null;
        let agendaItemId: string | null = null;
        if (input.meetingId) {
          const meeting = isUuid(input.meetingId)
            ? await trx.selectFrom("meetings").select(["id", "status", "kind"]).where("id", "=", input.meetingId).where("group_id", "=", group.id).executeTakeFirst()
            : undefined;
          if (!meeting || meeting.kind !== "meeting" || meeting.status === "cancelled") throw invalidInput("Choose a meeting of this group", "meetingId");
          meetingId = meeting.id;
          if (input.agendaItemId) {
            const item = isUuid(input.agendaItemId)
              ? await trx.selectFrom("agenda_items").select("id").where("id", "=", input.agendaItemId).where("meeting_id", "=", meeting.id).executeTakeFirst()
              : undefined;
            if (!item) throw invalidInput("Choose an item on that meeting's agenda", "agendaItemId");
            agendaItemId = item.id;
          }
        }
        if (input.documentVersionId) {
          const version = isUuid(input.documentVersionId)
            ? await trx
                .selectFrom("document_versions")
                .innerJoin("documents", "documents.id", "document_versions.document_id")
                .select("document_versions.id")
                .where("document_versions.id", "=", input.documentVersionId)
                .where("documents.group_id", "=", group.id)
                .executeTakeFirst()
            : undefined;
          if (!version) throw invalidInput("Choose a saved version of one of the group's documents", "documentVersionId");
        }
        const actions = isActionVerb(input.verb) ? await ownerLabels(trx, group.id, input.actions ?? []) : [];
        if (isActionVerb(input.verb) && actions.length === 0) {
          throw invalidInput(`A resolution that ${input.verb} someone needs at least one action, with an owner and a due date`, "actions");
        }

        const today = nzCalendarDate(now);
        const declared = new Map((input.conflicts ?? []).map((entry) => [entry.membershipId, entry.interest]));
        // At a meeting, conflicts declared on the item count too.
        if (agendaItemId) {
          const onItem = await trx.selectFrom("conflict_declarations").select(["membership_id", "interest"]).where("agenda_item_id", "=", agendaItemId).execute();
          for (const row of onItem) if (!declared.has(row.membership_id)) declared.set(row.membership_id, row.interest);
        }
        const eligible = await eligibilityOn(trx, group.id, today, new Set(declared.keys()));
        for (const membershipId of declared.keys()) {
          if (!eligible.some((row) => row.membership_id === membershipId)) throw invalidInput("A conflict is declared by a member with a seat, or their alternate", "conflictMembershipId");
        }
        if (!eligible.some((row) => !row.excluded_for_conflict)) throw invalidInput("Nobody with a seat could take part", "conflictMembershipId");

        const proposal = await trx
          .insertInto("proposals")
          .values({
            group_id: group.id,
            meeting_id: meetingId,
            agenda_item_id: agendaItemId,
            document_version_id: input.documentVersionId || null,
            title: input.title,
            verb: input.verb,
            resolution: input.resolution,
            background: input.background ?? "",
            process: input.process,
            majority_threshold: input.process === "majority" ? (input.majorityThreshold ?? group.default_majority_threshold) : null,
            majority_base: input.process === "majority" ? (input.majorityBase ?? "votes_cast") : null,
            closes_at: input.closesAt,
            results: input.results,
            ballot: input.ballot,
            quorum_percent: group.proposal_quorum_percent,
            opened_by: actor.id,
            opened_at: now,
            live_at: input.live ? now : null,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        await trx.insertInto("proposal_eligibility").values(eligible.map((row) => ({ ...row, proposal_id: proposal.id, snapshot: "open" as const }))).execute();
        for (const [membershipId, interest] of declared) {
          const row = eligible.find((candidate) => candidate.membership_id === membershipId)!;
          await trx.insertInto("proposal_conflicts").values({ proposal_id: proposal.id, membership_id: membershipId, member_name: row.member_name, interest, recorded_by: actor.id }).execute();
        }
        if (actions.length > 0) {
          await trx
            .insertInto("proposal_actions")
            .values(
              actions.map((action, index) => ({
                proposal_id: proposal.id,
                description: action.description,
                owner_user_id: action.ownerUserId,
                owner_organisation_id: action.ownerOrganisationId,
                due_on: action.dueOn,
                position: index + 1,
              })),
            )
            .execute();
        }
        if (input.ballot === "secret") await trx.insertInto("proposal_ballot_boxes").values({ proposal_id: proposal.id }).execute();
        await scheduleProposalJobs(services, trx, proposal.id, input.closesAt, now);
        return { id: proposal.id, takingPart: [...new Set(eligible.filter((row) => !row.excluded_for_conflict).map((row) => row.user_id))] };
      },
      audit: (group, result) => ({
        actorId: actor.id,
        groupId: group.id,
        subjectType: "proposal",
        subjectId: result.id,
        action: "proposal.opened",
        ip: input.ip ?? null,
        details: { process: input.process, ballot: input.ballot, results: input.results, conflicts: input.conflicts?.length ?? 0 },
      }),
      announce: async (group, result) => {
        if (!services) return;
        if (input.live && input.meetingId) announceMeetingChange(services, input.meetingId, "proposal");
        await notify(services, {
          recipientIds: result.takingPart.filter((id) => id !== actor.id),
          kind: "proposal.opened",
          title: `A proposal for your stance: ${input.title}`,
          body: `${group.name} asks for your stance by ${formatNzDateTime(input.closesAt)}.`,
          link: `/groups/${group.id}/proposals/${result.id}`,
          groupId: group.id,
          ...proposalReplies(services, result.id, input.process),
        });
      },
    },
    services ? { logger: services.logger } : {},
  ).then((result) => result.id);
}

/** The closing job at the closing time, and the reminder a day before it (when that is still ahead). */
async function scheduleProposalJobs(services: ProposalServices | null, trx: Transaction<Database>, proposalId: string, closesAt: Date, now: Date) {
  if (!services) return;
  await services.jobs.scheduleProposalJob(trx, { kind: "close", proposalId }, closesAt);
  const remindAt = new Date(closesAt.getTime() - DAY_MS);
  if (remindAt.getTime() > now.getTime()) await services.jobs.scheduleProposalJob(trx, { kind: "remind", proposalId }, remindAt);
}

/** At most one proposal is live at a meeting at a time: the one its Now panel shows. */
export async function assertNoneLive(db: Db, meetingId: string): Promise<void> {
  const live = await db.selectFrom("proposals").select("id").where("meeting_id", "=", meetingId).where("status", "=", "open").where("live_at", "is not", null).executeTakeFirst();
  if (live) throw conflict("PROPOSAL_LIVE", "Another proposal is live at this meeting: close its vote first");
}

/**
 * Whether a proposal is live at its meeting now: put live from the Now panel, still open, and
 * its meeting in progress. Then only the seats present take part, and the meeting's quorum decides.
 */
export async function liveMeetingOf(db: Db, proposal: Pick<Proposal, "meeting_id" | "live_at" | "status">) {
  if (proposal.live_at === null || proposal.meeting_id === null || proposal.status !== "open") return null;
  const meeting = await db.selectFrom("meetings").selectAll().where("id", "=", proposal.meeting_id).executeTakeFirst();
  return meeting?.status === "in_progress" ? meeting : null;
}

/** Whether this membership (a member, or an alternate in their place) is recorded present at the meeting. */
export async function presentAt(db: Db, meeting: Pick<Meeting, "id" | "group_id" | "starts_at">, membershipId: string): Promise<boolean> {
  return (await meetingAttendees(db, meeting)).some((attendee) => attendee.membershipId === membershipId && attendee.status === "present");
}

/** Locks a proposal's row; NOT_FOUND when there is none. */
export async function lockProposal(trx: Transaction<Database>, proposalId: string): Promise<Proposal> {
  const proposal = isUuid(proposalId) ? await trx.selectFrom("proposals").selectAll().where("id", "=", proposalId).forUpdate().executeTakeFirst() : undefined;
  if (!proposal) throw notFound("There is no such proposal");
  return proposal;
}

/** The seat the person may take part for today, or null: in the open snapshot, not excluded, still a member. */
export async function seatOf(db: Db, proposal: Pick<Proposal, "id" | "group_id">, userId: string, today: string): Promise<{ seatId: string; membershipId: string } | null> {
  const rows = await db
    .selectFrom("proposal_eligibility")
    .innerJoin("memberships", "memberships.id", "proposal_eligibility.membership_id")
    .select(["proposal_eligibility.seat_membership_id", "proposal_eligibility.membership_id", "proposal_eligibility.is_alternate"])
    .where("proposal_eligibility.proposal_id", "=", proposal.id)
    .where("proposal_eligibility.snapshot", "=", "open")
    .where("proposal_eligibility.user_id", "=", userId)
    .where("proposal_eligibility.excluded_for_conflict", "=", false)
    .where(membershipActiveOn(today))
    .orderBy("proposal_eligibility.is_alternate")
    .execute();
  const row = rows[0];
  return row ? { seatId: row.seat_membership_id, membershipId: row.membership_id } : null;
}

/** How many seats could take part (the open snapshot, conflicts excluded), and how many took part. */
export async function participationCounts(db: Db, proposalId: string) {
  const eligible = await db
    .selectFrom("proposal_eligibility")
    .select((eb) => eb.fn.count<number>("seat_membership_id").distinct().as("seats"))
    .where("proposal_id", "=", proposalId)
    .where("snapshot", "=", "open")
    .where("excluded_for_conflict", "=", false)
    .executeTakeFirstOrThrow();
  const took = await db
    .selectFrom("proposal_participants")
    .innerJoin("proposal_eligibility", (join) =>
      join
        .onRef("proposal_eligibility.proposal_id", "=", "proposal_participants.proposal_id")
        .onRef("proposal_eligibility.seat_membership_id", "=", "proposal_participants.seat_membership_id")
        .on("proposal_eligibility.snapshot", "=", "open")
        .on("proposal_eligibility.is_alternate", "=", false),
    )
    .select((eb) => eb.fn.countAll<number>().as("seats"))
    .where("proposal_participants.proposal_id", "=", proposalId)
    .where("proposal_eligibility.excluded_for_conflict", "=", false)
    .executeTakeFirstOrThrow();
  return { eligibleSeats: Number(eligible.seats), seatsTakingPart: Number(took.seats) };
}

/** The counts by choice: from each seat's latest stance (named), or the ballot box (secret). */
export async function proposalTally(db: Db, proposal: Pick<Proposal, "id" | "ballot">): Promise<{ tally: Tally; reasons: { stance: StanceChoice; reason: string; name: string | null }[] }> {
  if (proposal.ballot === "secret") {
    const box = await db.selectFrom("proposal_ballot_boxes").select(["counts", "reasons"]).where("proposal_id", "=", proposal.id).executeTakeFirst();
    return { tally: (box?.counts ?? {}) as Tally, reasons: (box?.reasons ?? []).map((entry) => ({ ...entry, name: null })) };
  }
  const current = await currentStances(db, proposal.id);
  const tally: Tally = {};
  for (const stance of current) tally[stance.stance] = (tally[stance.stance] ?? 0) + 1;
  return {
    tally,
    reasons: current.filter((stance) => stance.reason !== null && needsReason(stance.stance)).map((stance) => ({ stance: stance.stance, reason: stance.reason!, name: stance.name })),
  };
}

/** Each seat's latest named stance, with the name of who gave it. */
async function currentStances(db: Db, proposalId: string) {
  const rows = await db
    .selectFrom("proposal_stances")
    .innerJoin("users", "users.id", "proposal_stances.user_id")
    .select(["proposal_stances.id", "proposal_stances.seat_membership_id", "proposal_stances.stance", "proposal_stances.reason", "proposal_stances.created_at", "users.display_name as name"])
    .where("proposal_stances.proposal_id", "=", proposalId)
    .orderBy("proposal_stances.created_at")
    .execute();
  const latest = new Map<string, (typeof rows)[number]>();
  for (const row of rows) latest.set(row.seat_membership_id, row);
  return [...latest.values()];
}

/** Shuffles in place (Fisher–Yates), so the ballot box keeps no order of who came when. */
function shuffle<T>(items: T[]): T[] {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [items[index], items[other]] = [items[other]!, items[index]!];
  }
  return items;
}

export interface TakePartInput {
  proposalId: string;
  choice: StanceChoice;
  reason?: string | null;
  via?: "web" | "email";
  ip?: string | null;
  now?: Date;
}

/**
 * Takes part, or changes a named stance: one current stance per seat, every change kept. A seat
 * takes part once, by its member or an alternate in their place: whoever took part first holds
 * it. A secret ballot is cast once and cannot be changed (nothing links it to its voter).
 */
export async function takePart(db: Kysely<Database>, services: ProposalServices | null, actor: Actor, input: TakePartInput): Promise<void> {
  const now = input.now ?? new Date();
  const reason = input.reason?.trim() || null;
  await runCommand(
    db,
    {
      lock: async (trx) => {
        const proposal = await lockProposal(trx, input.proposalId);
        if (!can(actor, "proposal.view", proposalResource(proposal, { actorEligible: false, everyoneTookPart: false }))) throw notFound("There is no such proposal");
        const seat = proposal.status === "open" && proposal.closes_at.getTime() > now.getTime() ? await seatOf(trx, proposal, actor.id, nzCalendarDate(now)) : null;
        const open = proposal.status === "open" && proposal.closes_at.getTime() > now.getTime();
        if (!open) throw conflict("PROPOSAL_CLOSED", "This proposal has closed");
        // Live at a meeting: only those present take part, on their own devices, until a show of hands is recorded.
        const meeting = await liveMeetingOf(trx, proposal);
        const present = meeting === null || (seat !== null && (await presentAt(trx, meeting, seat.membershipId)));
        if (!can(actor, "proposal.take_part", proposalResource(proposal, { actorEligible: seat !== null && present, everyoneTookPart: false }))) {
          throw forbidden(
            seat !== null && !present
              ? "At the meeting, only the members recorded present (or their alternates) take part"
              : "Only the members with a seat when it opened (or their alternates) take part, unless they declared a conflict",
          );
        }
        if (meeting !== null && proposal.show_of_hands !== null) throw conflict("SHOW_OF_HANDS_RECORDED", "A show of hands has been recorded for this proposal: the chair closes the vote");
        return { proposal, seat: seat!, meeting };
      },
      check: ({ proposal }) => {
        if (!isChoiceOf(proposal.process, input.choice)) throw invalidInput(`Choose one of: ${processChoices[proposal.process].map((choice) => choiceLabels[choice]).join(", ")}`, "choice");
        if (needsReason(input.choice) && !reason) throw invalidInput(input.choice === "block" ? "Give your reason for blocking" : "Give your reason for objecting", "reason");
        if (reason && reason.length > 2000) throw invalidInput("Keep your reason to 2000 characters", "reason");
      },
      change: async (trx, { proposal, seat }) => {
        const taken = await trx
          .selectFrom("proposal_participants")
          .select("user_id")
          .where("proposal_id", "=", proposal.id)
          .where("seat_membership_id", "=", seat.seatId)
          .executeTakeFirst();
        if (taken && taken.user_id !== actor.id) throw conflict("SEAT_TAKEN_PART", "Your seat has already taken part: only the person who took part for it can change its stance");
        if (proposal.ballot === "secret") {
          if (taken) throw conflict("BALLOT_CAST", "Your secret ballot is cast; it cannot be changed, because nothing links it to you");
          await trx.insertInto("proposal_participants").values({ proposal_id: proposal.id, seat_membership_id: seat.seatId, user_id: actor.id }).execute();
          const box = await trx.selectFrom("proposal_ballot_boxes").select(["counts", "reasons"]).where("proposal_id", "=", proposal.id).forUpdate().executeTakeFirstOrThrow();
          const counts = { ...box.counts, [input.choice]: (box.counts[input.choice] ?? 0) + 1 };
          const reasons = reason ? shuffle([...box.reasons, { stance: input.choice, reason }]) : shuffle([...box.reasons]);
          await trx.updateTable("proposal_ballot_boxes").set({ counts: JSON.stringify(counts), reasons: JSON.stringify(reasons) }).where("proposal_id", "=", proposal.id).execute();
          return { changed: false };
        }
        if (!taken) await trx.insertInto("proposal_participants").values({ proposal_id: proposal.id, seat_membership_id: seat.seatId, user_id: actor.id }).execute();
        await trx
          .insertInto("proposal_stances")
          .values({ proposal_id: proposal.id, seat_membership_id: seat.seatId, user_id: actor.id, stance: input.choice, reason, via: input.via ?? "web", created_at: now })
          .execute();
        return { changed: taken !== undefined };
      },
      // Ids and verbs only: never the choice (a secret one above all) nor the reason.
      audit: ({ proposal }, result) => ({
        actorId: actor.id,
        groupId: proposal.group_id,
        subjectType: "proposal",
        subjectId: proposal.id,
        action: result.changed ? "proposal.stance_changed" : "proposal.took_part",
        ip: input.ip ?? null,
        details: { via: input.via ?? "web" },
      }),
      announce: ({ proposal, meeting }) => {
        announceProposalChange(services, proposal.id);
        if (services && meeting) announceMeetingChange(services, meeting.id, "proposal");
      },
    },
    services ? { logger: services.logger } : {},
  );
}

/** Tells everyone with the proposal open that it changed; their page reloads (live tallies). */
export function announceProposalChange(services: Pick<ProposalServices, "realtime"> | null, proposalId: string): void {
  services?.realtime.emitToRoom(proposalRoom(proposalId), "proposal:changed", { proposalId });
}

/** Changes a proposal's settings, in the safe direction only (app/proposals/settings.ts). */
export async function changeProposalSettings(
  db: Kysely<Database>,
  services: ProposalServices | null,
  actor: Actor,
  input: { proposalId: string; closesAt: Date; results: "visible" | "hidden_until_closed"; ballot: "named" | "secret"; ip?: string | null; now?: Date },
): Promise<void> {
  const now = input.now ?? new Date();
  await runCommand(
    db,
    {
      lock: async (trx) => {
        const proposal = await lockProposal(trx, input.proposalId);
        const resource = proposalResource(proposal, { actorEligible: false, everyoneTookPart: false });
        if (!can(actor, "proposal.view", resource)) throw notFound("There is no such proposal");
        if (proposal.status !== "open") throw conflict("PROPOSAL_CLOSED", "This proposal has closed");
        if (!can(actor, "proposal.settings", resource)) throw forbidden("Only the chair or the secretary changes a proposal's settings");
        const anyone = await trx.selectFrom("proposal_participants").select("seat_membership_id").where("proposal_id", "=", proposal.id).executeTakeFirst();
        return { proposal, anyoneTookPart: anyone !== undefined };
      },
      check: ({ proposal, anyoneTookPart }) => {
        const problems = settingsChangeProblems(
          { closesAt: proposal.closes_at, results: proposal.results, ballot: proposal.ballot },
          { closesAt: input.closesAt, results: input.results, ballot: input.ballot },
          { anyoneTookPart, now },
        );
        const [field, message] = Object.entries(problems)[0] ?? [];
        if (field && message) throw invalidInput(message, field === "closesAt" ? "closesOn" : field);
      },
      change: async (trx, { proposal }) => {
        await trx.updateTable("proposals").set({ closes_at: input.closesAt, results: input.results, ballot: input.ballot }).where("id", "=", proposal.id).execute();
        if (proposal.ballot === "named" && input.ballot === "secret") await trx.insertInto("proposal_ballot_boxes").values({ proposal_id: proposal.id }).execute();
        if (input.closesAt.getTime() !== proposal.closes_at.getTime()) await scheduleProposalJobs(services, trx, proposal.id, input.closesAt, now);
      },
      audit: ({ proposal }) => ({
        actorId: actor.id,
        groupId: proposal.group_id,
        subjectType: "proposal",
        subjectId: proposal.id,
        action: "proposal.settings_changed",
        ip: input.ip ?? null,
        details: {
          closingMoved: input.closesAt.getTime() !== proposal.closes_at.getTime(),
          results: { from: proposal.results, to: input.results },
          ballot: { from: proposal.ballot, to: input.ballot },
        },
      }),
      announce: ({ proposal }) => announceProposalChange(services, proposal.id),
    },
    services ? { logger: services.logger } : {},
  );
}

// ---- reads ------------------------------------------------------------------------------------

/** What the new proposal form offers: the group's defaults, its documents' saved versions, and who holds a seat today. */
export async function proposalFormOptions(db: Db, groupId: string, today: string = nzCalendarDate()) {
  const group = await db.selectFrom("groups").select(["default_decision_process", "default_majority_threshold", "proposal_quorum_percent"]).where("id", "=", groupId).executeTakeFirstOrThrow();
  const versions = await db
    .selectFrom("document_versions")
    .innerJoin("documents", "documents.id", "document_versions.document_id")
    .select(["document_versions.id", "document_versions.number", "document_versions.name", "documents.title", "documents.kind"])
    .where("documents.group_id", "=", groupId)
    .where("documents.archived_at", "is", null)
    .orderBy("documents.title")
    .orderBy("document_versions.number", "desc")
    .limit(200)
    .execute();
  const seats = (await eligibilityOn(db, groupId, today, new Set())).map((row) => ({ membershipId: row.membership_id, name: row.member_name, isAlternate: row.is_alternate }));
  return { defaults: group, versions, seats };
}

/** Whether the person may follow the proposal's page live (`proposal:join`): it exists and they may see it. */
export async function mayFollowProposal(db: Db, actor: Actor, proposalId: string): Promise<boolean> {
  const proposal = isUuid(proposalId) ? await db.selectFrom("proposals").select(["group_id", "status", "results"]).where("id", "=", proposalId).executeTakeFirst() : undefined;
  return proposal !== undefined && can(actor, "proposal.view", proposalResource(proposal, { actorEligible: false, everyoneTookPart: false }));
}

/** The group's proposals, open ones first (soonest closing), then closed ones newest first. */
export async function listProposals(db: Db, groupId: string) {
  const rows = await db
    .selectFrom("proposals")
    .select(["id", "title", "process", "status", "outcome", "closes_at", "closed_at", "ballot"])
    .where("group_id", "=", groupId)
    .orderBy("closes_at")
    .execute();
  return [...rows.filter((row) => row.status === "open"), ...rows.filter((row) => row.status === "closed").reverse()];
}

/** A proposal for its page, as this actor may see it. */
export async function proposalView(db: Db, actor: Actor, groupId: string, proposalId: string, now: Date = new Date()) {
  const proposal = isUuid(proposalId)
    ? await db.selectFrom("proposals").selectAll().where("id", "=", proposalId).where("group_id", "=", groupId).executeTakeFirst()
    : undefined;
  if (!proposal || !can(actor, "proposal.view", proposalResource(proposal, { actorEligible: false, everyoneTookPart: false }))) return null;
  const open = proposal.status === "open" && proposal.closes_at.getTime() > now.getTime();
  const seat = open ? await seatOf(db, proposal, actor.id, nzCalendarDate(now)) : null;
  const counts = await participationCounts(db, proposal.id);
  // Live at its meeting: only those present take part, until a show of hands is recorded.
  const liveMeeting = await liveMeetingOf(db, proposal);
  const mayTakePartLive = liveMeeting === null || (seat !== null && proposal.show_of_hands === null && (await presentAt(db, liveMeeting, seat.membershipId)));
  const resource = proposalResource(proposal, { actorEligible: seat !== null && mayTakePartLive, everyoneTookPart: counts.seatsTakingPart >= counts.eligibleSeats });
  const may = permissionsFor(actor, resource, ["proposal.take_part", "proposal.results.view", "proposal.participation.view", "proposal.settings", "proposal.close"]);
  const participants = await db
    .selectFrom("proposal_participants")
    .select(["seat_membership_id", "user_id"])
    .where("proposal_id", "=", proposal.id)
    .execute();
  const seatParticipant = seat ? participants.find((row) => row.seat_membership_id === seat.seatId) : undefined;
  const myStances =
    proposal.ballot === "named"
      ? await db
          .selectFrom("proposal_stances")
          .select(["stance", "reason", "created_at"])
          .where("proposal_id", "=", proposal.id)
          .where("user_id", "=", actor.id)
          .orderBy("created_at")
          .execute()
      : [];
  const eligibility = await db
    .selectFrom("proposal_eligibility")
    .select(["snapshot", "seat_membership_id", "member_name", "organisation_name", "is_alternate", "excluded_for_conflict"])
    .where("proposal_id", "=", proposal.id)
    .orderBy("member_name")
    .execute();
  const tookPart = new Set(participants.map((row) => row.seat_membership_id));
  const results = may["proposal.results.view"] ? await proposalTally(db, proposal) : null;
  const named = proposal.ballot === "named" && results ? await currentStances(db, proposal.id) : [];
  const group = await db.selectFrom("groups").select(["name", "code"]).where("id", "=", groupId).executeTakeFirstOrThrow();
  const version = proposal.document_version_id
    ? await db
        .selectFrom("document_versions")
        .innerJoin("documents", "documents.id", "document_versions.document_id")
        .select(["document_versions.id", "document_versions.number", "document_versions.name", "documents.id as documentId", "documents.title"])
        .where("document_versions.id", "=", proposal.document_version_id)
        .executeTakeFirst()
    : undefined;
  const decision = proposal.decision_id
    ? await db
        .selectFrom("decisions")
        .innerJoin("minutes", "minutes.id", "decisions.minute_id")
        .select(["minutes.meeting_id", "minutes.reference", "minutes.status"])
        .where("decisions.id", "=", proposal.decision_id)
        .executeTakeFirst()
    : undefined;
  const conflicts = await db.selectFrom("proposal_conflicts").select(["member_name", "interest"]).where("proposal_id", "=", proposal.id).execute();
  return {
    group,
    proposal: {
      id: proposal.id,
      title: proposal.title,
      verb: proposal.verb,
      resolution: proposal.resolution,
      background: proposal.background,
      process: proposal.process,
      majorityThreshold: proposal.majority_threshold,
      majorityBase: proposal.majority_base,
      closesAt: proposal.closes_at,
      results: proposal.results,
      ballot: proposal.ballot,
      status: open ? ("open" as const) : ("closed" as const),
      closingDue: proposal.status === "open" && !open,
      outcome: proposal.outcome,
      quorumPercent: proposal.quorum_percent,
      closedAt: proposal.closed_at,
      closedEarly: proposal.closed_early,
    },
    version: version ?? null,
    decision: decision ? { meetingId: decision.meeting_id, reference: decision.reference, confirmed: decision.status === "confirmed" } : null,
    may,
    counts,
    mine: {
      seat: seat !== null,
      tookPart: seatParticipant !== undefined,
      /** Someone else (the member or their alternate) already took part for this seat. */
      seatTakenByOther: seatParticipant !== undefined && seatParticipant.user_id !== actor.id,
      history: myStances,
    },
    results,
    named: named.map((stance) => ({ name: stance.name, stance: stance.stance, reason: stance.reason })),
    conflicts,
    // Who has taken part (never what they chose in a secret ballot), for the chair and the secretary.
    participation: may["proposal.participation.view"]
      ? eligibility
          .filter((row) => row.snapshot === "open" && !row.is_alternate)
          .map((row) => ({ name: row.member_name, organisation: row.organisation_name, excluded: row.excluded_for_conflict, tookPart: tookPart.has(row.seat_membership_id) }))
      : null,
    closeSnapshot: eligibility.filter((row) => row.snapshot === "close" && !row.is_alternate).map((row) => ({ name: row.member_name, excluded: row.excluded_for_conflict })),
  };
}
