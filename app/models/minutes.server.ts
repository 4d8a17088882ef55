/**
 * Minutes of decision (journeys 4 and 5), in the form of a Cabinet minute: numbered paragraphs
 * under headings, each opening with its verb (noted, agreed, directed …), sub-paragraphs 1.1, 1.2,
 * references to earlier minutes in brackets, who was present, apologies, officials present, the
 * secretary's name and the classification marking.
 *
 * A meeting's minute is a draft while the secretary works on it; confirming it (at the next
 * meeting, or by the secretary) gives it its permanent reference, <GROUP>-<YY>-MIN-<NNNN>, from a
 * per-group, per-year counter row whose lock makes simultaneous confirmations take turns, so
 * numbers have no gaps and no duplicates. From then on the database refuses any change to the
 * minute or its decisions; a correction is a new decision, in a later minute, that refers to the
 * old one.
 */
import type { Kysely, Transaction } from "kysely";
import type { Classification, Database, DecisionVerb, Meeting, Minute } from "../../db/database.js";
import { classifications, decisionVerbs } from "../../db/database.js";
import { citedReferences, formatMinuteReference, referenceYear } from "../meetings/decision-reference.js";
import { isActionVerb } from "../meetings/decision-verbs.js";
import { inReadingOrder, paragraphNumbers } from "../meetings/paragraph-numbers.js";
import { type Quorum, computeQuorum } from "../meetings/quorum.js";
import { type Actor, can } from "../policy/policy.js";
import { formatNzDate, formatNzShortDate, isCalendarDate, nzCalendarDate } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { foldForSearch } from "../utils/search-text.js";
import { type Attendee, meetingAttendees, meetingConflicts, meetingOfficials } from "./attendance.server.js";
import { recordAudit } from "./audit.server.js";
import { type Db, type MeetingServices, announceMeetingChange, meetingInviteeIds } from "./meetings.server.js";
import { membershipActiveOn } from "./memberships.server.js";
import { notify } from "./notifications.server.js";
import { AppError } from "../errors.js";

export const DECISION_BODY_MAX = 4000;
export const DECISION_HEADING_MAX = 200;
export const ACTION_DESCRIPTION_MAX = 1000;

export interface NewAction {
  description: string;
  ownerUserId: string | null;
  ownerOrganisationId: string | null;
  /** "YYYY-MM-DD" */
  dueOn: string;
}

export interface RecordDecisionInput {
  meetingId: string;
  /** A sub-paragraph of this numbered paragraph; null for a numbered paragraph. */
  parentId: string | null;
  agendaItemId: string | null;
  /** Starts a new heading above this numbered paragraph. */
  heading: string | null;
  verb: DecisionVerb | null;
  body: string;
  /** Corrects an earlier, confirmed decision of the group. */
  correctsDecisionId?: string | null;
  actions?: readonly NewAction[];
  ip?: string | null;
}

async function lockMinuteOf(trx: Transaction<Database>, meetingId: string) {
  if (!isUuid(meetingId)) throw new AppError("NOT_FOUND", "There is no such meeting");
  const meeting = await trx.selectFrom("meetings").selectAll().where("id", "=", meetingId).executeTakeFirst();
  if (!meeting) throw new AppError("NOT_FOUND", "There is no such meeting");
  const minute = await trx.selectFrom("minutes").selectAll().where("meeting_id", "=", meeting.id).forUpdate().executeTakeFirst();
  return { meeting, minute };
}

/** The meeting and its draft minute, for a change to its decisions by someone who may record them. */
async function lockDraftMinute(trx: Transaction<Database>, actor: Actor, meetingId: string): Promise<{ meeting: Meeting; minute: Minute }> {
  const { meeting, minute } = await lockMinuteOf(trx, meetingId);
  if (!can(actor, "decision.record", { type: "group", groupId: meeting.group_id })) {
    throw new AppError("FORBIDDEN", "Only the chair or the secretary records decisions");
  }
  if (meeting.status === "cancelled") throw new AppError("MEETING_CANCELLED", "This meeting was cancelled");
  if (!minute || meeting.status === "scheduled") throw new AppError("MEETING_NOT_STARTED", "Decisions are recorded once the meeting has started");
  if (minute.status === "confirmed") {
    throw new AppError("MINUTES_CONFIRMED", `These minutes are confirmed (${minute.reference}); record a correction as a new decision at a later meeting`);
  }
  return { meeting, minute };
}

function checkText(value: string | null, max: number, field: string, message: string): string | null {
  if (value === null) return null;
  const text = value.trim();
  if (text.length === 0) return null;
  if (text.length > max) throw new AppError("INVALID_INPUT", message, field);
  return text;
}

/** Checks each new action and gives it the owner's name as the minute will print it. */
async function checkActions(trx: Db, groupId: string, actions: readonly NewAction[]) {
  return Promise.all(
    actions.map(async (action, index) => {
      const description = action.description.trim();
      if (description.length === 0 || description.length > ACTION_DESCRIPTION_MAX) {
        throw new AppError("INVALID_INPUT", `Describe action ${index + 1} (up to ${ACTION_DESCRIPTION_MAX} characters)`, "actions");
      }
      if ((action.ownerUserId === null) === (action.ownerOrganisationId === null)) {
        throw new AppError("INVALID_INPUT", `Choose who owns action ${index + 1}: a member or an organisation`, "actions");
      }
      if (!isCalendarDate(action.dueOn)) throw new AppError("INVALID_INPUT", `Give action ${index + 1} a due date`, "actions");
      let ownerLabel: string | undefined;
      if (action.ownerUserId !== null) {
        const member = isUuid(action.ownerUserId)
          ? await trx
              .selectFrom("memberships")
              .innerJoin("users", "users.id", "memberships.user_id")
              .select("users.display_name")
              .where("memberships.user_id", "=", action.ownerUserId)
              .where("memberships.group_id", "=", groupId)
              .where("memberships.role", "<>", "consultee")
              .where(membershipActiveOn(nzCalendarDate()))
              .executeTakeFirst()
          : undefined;
        ownerLabel = member?.display_name;
        if (!ownerLabel) throw new AppError("INVALID_INPUT", `Action ${index + 1}'s owner must be a current member of the group`, "actions");
      } else {
        const organisation = isUuid(action.ownerOrganisationId)
          ? await trx.selectFrom("organisations").select("name").where("id", "=", action.ownerOrganisationId).executeTakeFirst()
          : undefined;
        ownerLabel = organisation?.name;
        if (!ownerLabel) throw new AppError("INVALID_INPUT", `Choose action ${index + 1}'s organisation from the list`, "actions");
      }
      return { ...action, description, ownerLabel };
    }),
  );
}

/**
 * Records a decision in the meeting's draft minute: a numbered paragraph (verb required), or a
 * sub-paragraph of one. A paragraph that directs, invites or requests creates its actions.
 */
export async function recordDecision(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: RecordDecisionInput,
): Promise<string> {
  const body = checkText(input.body, DECISION_BODY_MAX, "body", `Keep the decision to ${DECISION_BODY_MAX} characters`);
  if (!body) throw new AppError("INVALID_INPUT", "Write the decision", "body");
  const heading = input.parentId ? null : checkText(input.heading, DECISION_HEADING_MAX, "heading", `Keep the heading to ${DECISION_HEADING_MAX} characters`);
  if (input.verb !== null && !decisionVerbs.includes(input.verb)) throw new AppError("INVALID_INPUT", "Choose a verb from the list", "verb");
  if (input.parentId === null && input.verb === null) throw new AppError("INVALID_INPUT", "A numbered paragraph opens with a verb: choose one", "verb");
  const wantsActions = input.parentId === null && isActionVerb(input.verb);

  const { meeting, decisionId } = await db.transaction().execute(async (trx) => {
    const { meeting, minute } = await lockDraftMinute(trx, actor, input.meetingId);
    if (input.parentId !== null) {
      const parent = isUuid(input.parentId)
        ? await trx.selectFrom("decisions").select(["id", "parent_id"]).where("id", "=", input.parentId).where("minute_id", "=", minute.id).executeTakeFirst()
        : undefined;
      if (!parent || parent.parent_id !== null) throw new AppError("INVALID_INPUT", "Sub-paragraphs go under a numbered paragraph of this minute", "parentId");
    }
    if (input.agendaItemId !== null) {
      const item = isUuid(input.agendaItemId)
        ? await trx.selectFrom("agenda_items").select("id").where("id", "=", input.agendaItemId).where("meeting_id", "=", meeting.id).executeTakeFirst()
        : undefined;
      if (!item) throw new AppError("INVALID_INPUT", "Choose an item on this meeting's agenda", "agendaItemId");
    }
    let corrects: string | null = null;
    if (input.correctsDecisionId) {
      const earlier = isUuid(input.correctsDecisionId)
        ? await trx
            .selectFrom("decisions")
            .innerJoin("minutes", "minutes.id", "decisions.minute_id")
            .select(["decisions.id", "minutes.reference", "minutes.status", "minutes.group_id"])
            .where("decisions.id", "=", input.correctsDecisionId)
            .executeTakeFirst()
        : undefined;
      if (!earlier || earlier.group_id !== meeting.group_id || earlier.status !== "confirmed") {
        throw new AppError("INVALID_INPUT", "A correction refers to a decision in this group's confirmed minutes", "correctsDecisionId");
      }
      corrects = earlier.id;
    }
    const actions = wantsActions ? await checkActions(trx, meeting.group_id, input.actions ?? []) : [];
    if (wantsActions && actions.length === 0) {
      throw new AppError("INVALID_INPUT", `A decision that ${input.verb} someone needs at least one action, with an owner and a due date`, "actions");
    }
    const last = await trx
      .selectFrom("decisions")
      .select((eb) => eb.fn.max("position").as("position"))
      .where("minute_id", "=", minute.id)
      .where((eb) => (input.parentId === null ? eb("parent_id", "is", null) : eb("parent_id", "=", input.parentId)))
      .executeTakeFirst();
    const decision = await trx
      .insertInto("decisions")
      .values({
        minute_id: minute.id,
        parent_id: input.parentId,
        position: Number(last?.position ?? 0) + 1,
        heading,
        agenda_item_id: input.agendaItemId,
        verb: input.verb,
        body,
        search_text: foldForSearch(`${heading ?? ""} ${input.verb ?? ""} ${body}`),
        corrects_decision_id: corrects,
        created_by: actor.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (actions.length > 0) {
      await trx
        .insertInto("actions")
        .values(
          actions.map((action) => ({
            group_id: meeting.group_id,
            decision_id: decision.id,
            description: action.description,
            owner_user_id: action.ownerUserId,
            owner_organisation_id: action.ownerOrganisationId,
            owner_label: action.ownerLabel,
            due_on: action.dueOn,
            created_by: actor.id,
          })),
        )
        .execute();
    }
    await recordAudit(trx, {
      actorId: actor.id,
      action: "decision.recorded",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      // Ids and the verb only: the audit log is read by administrators who are not members.
      details: { decisionId: decision.id, parentId: input.parentId, verb: input.verb, correctsDecisionId: corrects, actions: actions.length },
    });
    return { meeting, decisionId: decision.id };
  });
  if (services) announceMeetingChange(services, meeting.id, "decisions");
  return decisionId;
}

/** A decision of this minute, or NOT_FOUND. */
async function findDecisionIn(trx: Db, minuteId: string, decisionId: string) {
  const decision = isUuid(decisionId)
    ? await trx.selectFrom("decisions").selectAll().where("id", "=", decisionId).where("minute_id", "=", minuteId).executeTakeFirst()
    : undefined;
  if (!decision) throw new AppError("NOT_FOUND", "There is no such decision in this minute");
  return decision;
}

/** Edits a decision of a draft minute (its verb, words and heading). */
export async function updateDecision(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; decisionId: string; verb: DecisionVerb | null; body: string; heading: string | null; ip?: string | null },
): Promise<void> {
  const body = checkText(input.body, DECISION_BODY_MAX, "body", `Keep the decision to ${DECISION_BODY_MAX} characters`);
  if (!body) throw new AppError("INVALID_INPUT", "Write the decision", "body");
  if (input.verb !== null && !decisionVerbs.includes(input.verb)) throw new AppError("INVALID_INPUT", "Choose a verb from the list", "verb");
  const meeting = await db.transaction().execute(async (trx) => {
    const { meeting, minute } = await lockDraftMinute(trx, actor, input.meetingId);
    const decision = await findDecisionIn(trx, minute.id, input.decisionId);
    if (decision.confirms_minute_id !== null) {
      throw new AppError("INVALID_INPUT", "This paragraph records the confirmation of earlier minutes and cannot be changed", "body");
    }
    if (decision.parent_id === null && input.verb === null) throw new AppError("INVALID_INPUT", "A numbered paragraph opens with a verb: choose one", "verb");
    // Its actions follow from its verb: keep the two consistent.
    const hasActions = (await trx.selectFrom("actions").select("id").where("decision_id", "=", decision.id).executeTakeFirst()) !== undefined;
    if (hasActions && !isActionVerb(input.verb)) {
      throw new AppError("INVALID_INPUT", "This decision has actions, so it keeps a verb that directs, invites or requests; remove it and record it again to change that", "verb");
    }
    if (!hasActions && decision.parent_id === null && isActionVerb(input.verb)) {
      throw new AppError("INVALID_INPUT", `A decision that ${input.verb} someone needs its actions: record it as a new decision with them`, "verb");
    }
    const heading = decision.parent_id ? null : checkText(input.heading, DECISION_HEADING_MAX, "heading", `Keep the heading to ${DECISION_HEADING_MAX} characters`);
    await trx
      .updateTable("decisions")
      .set({ verb: input.verb, body, heading, search_text: foldForSearch(`${heading ?? ""} ${input.verb ?? ""} ${body}`), updated_at: new Date() })
      .where("id", "=", decision.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "decision.changed",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      details: { decisionId: decision.id, from: { verb: decision.verb }, to: { verb: input.verb }, headingChanged: decision.heading !== heading },
    });
    return meeting;
  });
  if (services) announceMeetingChange(services, meeting.id, "decisions");
}

/** Removes a decision (and its sub-paragraphs and actions) from a draft minute. */
export async function deleteDecision(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; decisionId: string; ip?: string | null },
): Promise<void> {
  const meeting = await db.transaction().execute(async (trx) => {
    const { meeting, minute } = await lockDraftMinute(trx, actor, input.meetingId);
    const decision = await findDecisionIn(trx, minute.id, input.decisionId);
    if (decision.confirms_minute_id !== null) {
      throw new AppError("INVALID_INPUT", "This paragraph records the confirmation of earlier minutes and cannot be removed", "decision");
    }
    const progress = await trx
      .selectFrom("action_updates")
      .innerJoin("actions", "actions.id", "action_updates.action_id")
      .select("action_updates.id")
      .where("actions.decision_id", "=", decision.id)
      .executeTakeFirst();
    if (progress) {
      throw new AppError("INVALID_INPUT", "Progress has been recorded on this decision's actions, so it stays; change its words instead", "decision");
    }
    await trx.deleteFrom("decisions").where("parent_id", "=", decision.id).execute();
    await trx.deleteFrom("decisions").where("id", "=", decision.id).execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "decision.removed",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      details: { decisionId: decision.id, verb: decision.verb },
    });
    return meeting;
  });
  if (services) announceMeetingChange(services, meeting.id, "decisions");
}

/** Sets a draft minute's security classification (shown top and bottom of every page and export). */
export async function setMinuteClassification(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; classification: Classification; ip?: string | null },
): Promise<void> {
  if (!classifications.includes(input.classification)) {
    throw new AppError("INVALID_INPUT", "Choose UNCLASSIFIED, IN-CONFIDENCE or SENSITIVE: this platform holds nothing higher", "classification");
  }
  const meeting = await db.transaction().execute(async (trx) => {
    const { meeting, minute } = await lockDraftMinute(trx, actor, input.meetingId);
    if (minute.classification === input.classification) return meeting;
    await trx.updateTable("minutes").set({ classification: input.classification, updated_at: new Date() }).where("id", "=", minute.id).execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "minutes.classified",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      details: { from: minute.classification, to: input.classification },
    });
    return meeting;
  });
  if (services) announceMeetingChange(services, meeting.id, "classification");
}

/** The name the minute is signed with: the group's secretary on the day of the meeting. */
async function secretaryOnDate(trx: Db, groupId: string, onDate: string): Promise<string | undefined> {
  const row = await trx
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select("users.display_name")
    .where("memberships.group_id", "=", groupId)
    .where("memberships.role", "=", "secretary")
    .where(membershipActiveOn(onDate))
    .orderBy("memberships.starts_on", "desc")
    .executeTakeFirst();
  return row?.display_name;
}

/**
 * Confirms a closed meeting's minute: it takes the next reference of its group and year (the
 * year of the meeting in New Zealand) and becomes permanent. Confirmed at a later meeting that is
 * in progress (`atMeetingId`), that meeting's minute also records it: "confirmed the minutes of …".
 */
export async function confirmMinutes(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; atMeetingId?: string | null; ip?: string | null; now?: Date },
): Promise<string> {
  const now = input.now ?? new Date();
  const result = await db.transaction().execute(async (trx) => {
    const { meeting, minute } = await lockMinuteOf(trx, input.meetingId);
    if (!can(actor, "minutes.confirm", { type: "group", groupId: meeting.group_id })) {
      throw new AppError("FORBIDDEN", "Only the chair or the secretary can confirm minutes");
    }
    if (meeting.status !== "closed" || !minute) throw new AppError("MEETING_NOT_STARTED", "Minutes are confirmed after the meeting has ended");
    if (minute.status === "confirmed") throw new AppError("MINUTES_CONFIRMED", `These minutes are already confirmed (${minute.reference})`);
    const paragraphs = await trx.selectFrom("decisions").select("id").where("minute_id", "=", minute.id).where("parent_id", "is", null).execute();
    if (paragraphs.length === 0) throw new AppError("INVALID_INPUT", "Record at least one decision before confirming the minutes", "minutes");

    let atMeeting: Meeting | undefined;
    if (input.atMeetingId) {
      atMeeting = isUuid(input.atMeetingId) ? await trx.selectFrom("meetings").selectAll().where("id", "=", input.atMeetingId).executeTakeFirst() : undefined;
      if (!atMeeting || atMeeting.group_id !== meeting.group_id || atMeeting.id === meeting.id) {
        throw new AppError("INVALID_INPUT", "Minutes are confirmed at a later meeting of the same group", "atMeetingId");
      }
      if (atMeeting.status !== "in_progress") throw new AppError("MEETING_NOT_IN_PROGRESS", "That meeting is not in progress");
    }

    const group = await trx.selectFrom("groups").select(["code"]).where("id", "=", meeting.group_id).executeTakeFirstOrThrow();
    const meetingDay = nzCalendarDate(meeting.starts_at);
    const year = referenceYear(meetingDay);
    // The counter row's lock is held to the end of this transaction: another confirmation in the
    // same group and year waits here, then takes the next number. A rollback gives the number back.
    const counter = await trx
      .insertInto("minute_reference_counters")
      .values({ group_id: meeting.group_id, year, last_number: 1 })
      .onConflict((oc) => oc.columns(["group_id", "year"]).doUpdateSet((eb) => ({ last_number: eb("minute_reference_counters.last_number", "+", 1) })))
      .returning("last_number")
      .executeTakeFirstOrThrow();
    const reference = formatMinuteReference(group.code, year, counter.last_number);
    const secretaryName = (await secretaryOnDate(trx, meeting.group_id, meetingDay)) ?? (await trx.selectFrom("users").select("display_name").where("id", "=", actor.id).executeTakeFirstOrThrow()).display_name;

    if (atMeeting) {
      // The later meeting's own minute records the confirmation, under its current item.
      const atMinute = await trx.selectFrom("minutes").selectAll().where("meeting_id", "=", atMeeting.id).forUpdate().executeTakeFirst();
      if (atMinute && atMinute.status === "draft") {
        const last = await trx
          .selectFrom("decisions")
          .select((eb) => eb.fn.max("position").as("position"))
          .where("minute_id", "=", atMinute.id)
          .where("parent_id", "is", null)
          .executeTakeFirst();
        const body = `the minutes of the meeting of ${formatNzDate(meeting.starts_at)} as a true and correct record [${reference}]`;
        await trx
          .insertInto("decisions")
          .values({
            minute_id: atMinute.id,
            parent_id: null,
            position: Number(last?.position ?? 0) + 1,
            heading: null,
            agenda_item_id: atMeeting.current_agenda_item_id,
            verb: "confirmed",
            body,
            search_text: foldForSearch(`confirmed ${body}`),
            confirms_minute_id: minute.id,
            created_by: actor.id,
          })
          .execute();
      }
    }

    // The quorum as the attendance recorded it, kept with the minute.
    const quorumRequired = (await trx.selectFrom("groups").select("quorum").where("id", "=", meeting.group_id).executeTakeFirstOrThrow()).quorum;
    const quorum = computeQuorum(await meetingAttendees(trx, meeting), quorumRequired);
    await trx
      .updateTable("minutes")
      .set({
        status: "confirmed",
        reference,
        quorum_filled: quorum.filled,
        quorum_seats: quorum.seats,
        quorum_required: quorum.required,
        reference_year: year,
        reference_number: counter.last_number,
        secretary_name: secretaryName,
        confirmed_at: now,
        confirmed_by: actor.id,
        confirmed_at_meeting_id: atMeeting?.id ?? null,
        updated_at: now,
      })
      .where("id", "=", minute.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "minutes.confirmed",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      details: { minuteId: minute.id, reference, atMeetingId: atMeeting?.id ?? null },
    });
    return { meeting, reference, atMeeting };
  });

  if (services) {
    announceMeetingChange(services, result.meeting.id, "confirmed");
    if (result.atMeeting) announceMeetingChange(services, result.atMeeting.id, "decisions");
    await notify(services, {
      recipientIds: (await meetingInviteeIds(db, result.meeting.group_id)).filter((id) => id !== actor.id),
      kind: "minutes.confirmed",
      title: `Minutes confirmed: ${result.reference}`,
      body: `The minutes of ${result.meeting.title} (${formatNzShortDate(result.meeting.starts_at)}) are confirmed as ${result.reference}.`,
      link: `/groups/${result.meeting.group_id}/meetings/${result.meeting.id}/minutes`,
      groupId: result.meeting.group_id,
    });
  }
  return result.reference;
}

// ---- the minute as people read it --------------------------------------------------------------

export interface MinuteParagraph {
  id: string;
  parentId: string | null;
  /** "3" or "3.1" */
  number: string;
  heading: string | null;
  verb: DecisionVerb | null;
  body: string;
  agendaItemId: string | null;
  /** References to other minutes cited in the text. */
  cites: string[];
  corrects: { reference: string | null; number: string; meetingId: string } | null;
  correctedBy: { reference: string | null; number: string; meetingId: string }[];
  actions: { id: string; description: string; owner: string; dueOn: string; status: string }[];
}

export interface MinuteView {
  group: { id: string; name: string; code: string; portfolio: string };
  meeting: { id: string; title: string; startsAt: Date; status: string; dateLabel: string; actingChairUserId: string | null };
  minute: {
    id: string;
    status: "draft" | "confirmed";
    reference: string | null;
    classification: Classification;
    secretaryName: string | null;
    confirmedAt: Date | null;
    confirmedAtMeeting: { id: string; title: string; startsAt: Date } | null;
  } | null;
  paragraphs: MinuteParagraph[];
  present: Attendee[];
  apologies: Attendee[];
  absent: Attendee[];
  officials: { id: string; name: string; agency: string }[];
  conflicts: Awaited<ReturnType<typeof meetingConflicts>>;
  /** Kept with a confirmed minute; worked out from attendance so far for a draft. */
  quorum: Quorum;
}

/** Each decision's paragraph number ("3", "3.1") in the given minutes, from each minute's whole order. */
export async function paragraphNumbersIn(db: Db, minuteIds: readonly string[]): Promise<Map<string, string>> {
  if (minuteIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("decisions")
    .select(["id", "minute_id", "parent_id", "position", "created_at"])
    .where("minute_id", "in", [...new Set(minuteIds)])
    .execute();
  const numbers = new Map<string, string>();
  for (const minuteId of new Set(rows.map((row) => row.minute_id))) {
    const ofMinute = rows.filter((row) => row.minute_id === minuteId);
    for (const [id, number] of paragraphNumbers(ofMinute.map((row) => ({ id: row.id, parentId: row.parent_id, position: row.position, createdAt: row.created_at })))) {
      numbers.set(id, number);
    }
  }
  return numbers;
}

/** Where decisions in other minutes are, for "corrects" and "corrected by" links. */
async function decisionLocations(db: Db, decisionIds: string[]) {
  const locations = new Map<string, { reference: string | null; number: string; meetingId: string }>();
  if (decisionIds.length === 0) return locations;
  const rows = await db
    .selectFrom("decisions")
    .innerJoin("minutes", "minutes.id", "decisions.minute_id")
    .select(["decisions.id", "decisions.minute_id", "minutes.reference", "minutes.meeting_id"])
    .where("decisions.id", "in", decisionIds)
    .execute();
  const numbers = await paragraphNumbersIn(db, rows.map((row) => row.minute_id));
  for (const row of rows) locations.set(row.id, { reference: row.reference, number: numbers.get(row.id) ?? "", meetingId: row.meeting_id });
  return locations;
}

/** Everything the minute page, its print view and its Word export show. */
/** A meeting's minute: whether it is a draft or confirmed, and its reference once confirmed. */
export async function findMinuteStatus(db: Db, meetingId: string) {
  return db.selectFrom("minutes").select(["status", "reference"]).where("meeting_id", "=", meetingId).executeTakeFirst();
}

export async function minuteView(db: Db, meeting: Meeting): Promise<MinuteView> {
  const group = await db.selectFrom("groups").select(["id", "name", "code", "portfolio"]).where("id", "=", meeting.group_id).executeTakeFirstOrThrow();
  const minute = await db.selectFrom("minutes").selectAll().where("meeting_id", "=", meeting.id).executeTakeFirst();
  const attendees = await meetingAttendees(db, meeting);
  const confirmedAtMeeting = minute?.confirmed_at_meeting_id
    ? await db.selectFrom("meetings").select(["id", "title", "starts_at"]).where("id", "=", minute.confirmed_at_meeting_id).executeTakeFirst()
    : undefined;
  const rows = minute
    ? await db.selectFrom("decisions").selectAll().where("minute_id", "=", minute.id).execute()
    : [];
  const ordered = inReadingOrder(rows.map((row) => ({ ...row, parentId: row.parent_id, createdAt: row.created_at })));
  const numbers = paragraphNumbers(ordered);
  const correctedRows = rows.length
    ? await db.selectFrom("decisions").select(["id", "corrects_decision_id"]).where("corrects_decision_id", "in", rows.map((row) => row.id)).execute()
    : [];
  const locations = await decisionLocations(db, [
    ...rows.map((row) => row.corrects_decision_id).filter((id): id is string => id !== null),
    ...correctedRows.map((row) => row.id),
  ]);
  const actions = rows.length
    ? await db
        .selectFrom("actions")
        .select(["actions.id", "actions.decision_id", "actions.description", "actions.due_on", "actions.status", "actions.owner_label"])
        .where("actions.decision_id", "in", rows.map((row) => row.id))
        .orderBy("actions.created_at")
        .execute()
    : [];
  return {
    group,
    meeting: {
      id: meeting.id,
      title: meeting.title,
      startsAt: meeting.starts_at,
      status: meeting.status,
      dateLabel: formatNzDate(meeting.starts_at),
      actingChairUserId: meeting.acting_chair_user_id,
    },
    minute: minute
      ? {
          id: minute.id,
          status: minute.status,
          reference: minute.reference,
          classification: minute.classification,
          // A draft shows who the secretary was that day; confirmation writes it in for good.
          secretaryName: minute.secretary_name ?? (await secretaryOnDate(db, meeting.group_id, nzCalendarDate(meeting.starts_at))) ?? null,
          confirmedAt: minute.confirmed_at,
          confirmedAtMeeting: confirmedAtMeeting ? { id: confirmedAtMeeting.id, title: confirmedAtMeeting.title, startsAt: confirmedAtMeeting.starts_at } : null,
        }
      : null,
    paragraphs: ordered.map((row) => ({
      id: row.id,
      parentId: row.parent_id,
      number: numbers.get(row.id) ?? "",
      heading: row.heading,
      verb: row.verb,
      body: row.body,
      agendaItemId: row.agenda_item_id,
      cites: citedReferences(row.body),
      corrects: row.corrects_decision_id ? (locations.get(row.corrects_decision_id) ?? null) : null,
      correctedBy: correctedRows.filter((corrected) => corrected.corrects_decision_id === row.id).map((corrected) => locations.get(corrected.id)!).filter(Boolean),
      actions: actions
        .filter((action) => action.decision_id === row.id)
        .map((action) => ({
          id: action.id,
          description: action.description,
          owner: action.owner_label,
          dueOn: action.due_on,
          status: action.status,
        })),
    })),
    present: attendees.filter((attendee) => attendee.status === "present"),
    apologies: attendees.filter((attendee) => attendee.status === "apologies"),
    absent: attendees.filter((attendee) => attendee.status === "absent"),
    officials: await meetingOfficials(db, meeting.id),
    conflicts: await meetingConflicts(db, meeting.id),
    quorum:
      minute?.status === "confirmed" && minute.quorum_required !== null && minute.quorum_filled !== null && minute.quorum_seats !== null
        ? { required: minute.quorum_required, filled: minute.quorum_filled, seats: minute.quorum_seats, met: minute.quorum_filled >= minute.quorum_required }
        : computeQuorum(attendees, (await db.selectFrom("groups").select("quorum").where("id", "=", meeting.group_id).executeTakeFirstOrThrow()).quorum),
  };
}

/** Draft minutes of the group's earlier, closed meetings: what "confirmation of the previous minutes" can confirm. */
export async function minutesAwaitingConfirmation(db: Db, groupId: string, beforeMeeting?: Pick<Meeting, "id" | "starts_at">) {
  let query = db
    .selectFrom("minutes")
    .innerJoin("meetings", "meetings.id", "minutes.meeting_id")
    .select(["meetings.id as meetingId", "meetings.title", "meetings.starts_at"])
    .where("minutes.group_id", "=", groupId)
    .where("minutes.status", "=", "draft")
    .where("meetings.status", "=", "closed");
  if (beforeMeeting) query = query.where("meetings.id", "<>", beforeMeeting.id).where("meetings.starts_at", "<", beforeMeeting.starts_at);
  return query.orderBy("meetings.starts_at").execute();
}
