/**
 * Recording decisions in a meeting's draft minute (journeys 4 and 5): numbered paragraphs, each
 * opening with its verb, and their sub-paragraphs; the actions a decision that directs, invites or
 * requests creates; corrections of earlier, confirmed decisions; changing and removing paragraphs
 * of the draft; its security classification. The chair or secretary records them; once the
 * minute is confirmed nothing here changes it (a correction is a new decision at a later meeting).
 */
import type { Kysely, Transaction } from "kysely";
import type { Classification, Database, DecisionVerb, Meeting, Minute } from "../../db/database.js";
import { conflict, invalidInput, notFound } from "../errors.js";
import { isActionVerb } from "../meetings/decision-verbs.js";
import type { Actor } from "../policy/policy.js";
import { nzCalendarDate } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { foldForSearch } from "../utils/search-text.js";
import { meetingQuorum } from "./attendance.server.js";
import { type MeetingAudit, type MeetingServices, assertMayOnMeeting, assertNotCancelled, runMeetingCommand } from "./meeting-command.server.js";
import type { Db } from "./meetings.server.js";
import { membershipActiveOn } from "./memberships.server.js";
import { lockMinuteOf } from "./minutes.server.js";

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

type Draft = { meeting: Meeting; minute: Minute };

/** The meeting and its draft minute, for a change to its decisions by someone who may record them. */
async function lockDraftMinute(trx: Transaction<Database>, actor: Actor, meetingId: string): Promise<Draft> {
  const { meeting, minute } = await lockMinuteOf(trx, meetingId);
  assertMayOnMeeting(actor, "decision.record", meeting, "Only the chair or the secretary records decisions");
  assertNotCancelled(meeting);
  if (!minute || meeting.status === "scheduled") throw conflict("MEETING_NOT_STARTED", "Decisions are recorded once the meeting has started");
  if (minute.status === "confirmed") {
    throw conflict("MINUTES_CONFIRMED", `These minutes are confirmed (${minute.reference}); record a correction as a new decision at a later meeting`);
  }
  return { meeting, minute };
}

/** A change to the draft minute's decisions: locked, changed, audited; the room is told. */
function changeDraft<Result>(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; ip?: string | null },
  announce: string,
  change: (trx: Transaction<Database>, draft: Draft) => Promise<{ result: Result; audit: MeetingAudit | null }>,
): Promise<Result> {
  return runMeetingCommand(db, services, { actor, ip: input.ip }, {
    lock: (trx) => lockDraftMinute(trx, actor, input.meetingId),
    change,
    audit: (_draft, outcome) => outcome.audit,
    announce,
  }).then((outcome) => outcome.result);
}

/** Each new action's owner as the minute will print it: a current member of the group, or an organisation. */
export async function ownerLabels(trx: Db, groupId: string, actions: readonly NewAction[]) {
  return Promise.all(
    actions.map(async (action, index) => {
      if ((action.ownerUserId === null) === (action.ownerOrganisationId === null)) {
        throw invalidInput(`Choose who owns action ${index + 1}: a member or an organisation`, "actions");
      }
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
        if (!member) throw invalidInput(`Action ${index + 1}'s owner must be a current member of the group`, "actions");
        return { ...action, ownerLabel: member.display_name };
      }
      const organisation = isUuid(action.ownerOrganisationId)
        ? await trx.selectFrom("organisations").select("name").where("id", "=", action.ownerOrganisationId).executeTakeFirst()
        : undefined;
      if (!organisation) throw invalidInput(`Choose action ${index + 1}'s organisation from the list`, "actions");
      return { ...action, ownerLabel: organisation.name };
    }),
  );
}

/** A numbered paragraph opens with a verb; a sub-paragraph may not. */
function assertVerbFor(parentId: string | null, verb: DecisionVerb | null): void {
  if (parentId === null && verb === null) throw invalidInput("A numbered paragraph opens with a verb: choose one", "verb");
}

/** The next position among a paragraph's siblings (numbered paragraphs, or one paragraph's sub-paragraphs). */
export async function nextPosition(trx: Db, minuteId: string, parentId: string | null): Promise<number> {
  const last = await trx
    .selectFrom("decisions")
    .select((eb) => eb.fn.max("position").as("position"))
    .where("minute_id", "=", minuteId)
    .where((eb) => (parentId === null ? eb("parent_id", "is", null) : eb("parent_id", "=", parentId)))
    .executeTakeFirst();
  return Number(last?.position ?? 0) + 1;
}

/** The words the register searches: heading, verb and body, folded (macrons off, lower case). */
export const decisionSearchText = (heading: string | null, verb: string | null, body: string) => foldForSearch(`${heading ?? ""} ${verb ?? ""} ${body}`);

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
  assertVerbFor(input.parentId, input.verb);
  const heading = input.parentId ? null : input.heading;
  const wantsActions = input.parentId === null && isActionVerb(input.verb);
  return changeDraft(db, services, actor, input, "decisions", async (trx, { meeting, minute }) => {
    if (input.parentId !== null) {
      const parent = isUuid(input.parentId)
        ? await trx.selectFrom("decisions").select(["id", "parent_id"]).where("id", "=", input.parentId).where("minute_id", "=", minute.id).executeTakeFirst()
        : undefined;
      if (!parent || parent.parent_id !== null) throw invalidInput("Sub-paragraphs go under a numbered paragraph of this minute", "parentId");
    }
    if (input.agendaItemId !== null) {
      const item = isUuid(input.agendaItemId)
        ? await trx.selectFrom("agenda_items").select("id").where("id", "=", input.agendaItemId).where("meeting_id", "=", meeting.id).executeTakeFirst()
        : undefined;
      if (!item) throw invalidInput("Choose an item on this meeting's agenda", "agendaItemId");
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
        throw invalidInput("A correction refers to a decision in this group's confirmed minutes", "correctsDecisionId");
      }
      corrects = earlier.id;
    }
    const actions = wantsActions ? await ownerLabels(trx, meeting.group_id, input.actions ?? []) : [];
    if (wantsActions && actions.length === 0) {
      throw invalidInput(`A decision that ${input.verb} someone needs at least one action, with an owner and a due date`, "actions");
    }
    const decision = await trx
      .insertInto("decisions")
      .values({
        minute_id: minute.id,
        parent_id: input.parentId,
        position: await nextPosition(trx, minute.id, input.parentId),
        heading,
        agenda_item_id: input.agendaItemId,
        verb: input.verb,
        body: input.body,
        search_text: decisionSearchText(heading, input.verb, input.body),
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
    // Recorded, never refused, without a quorum (docs/decisions/019); the minute marks it, and so does the log.
    const quorum = await meetingQuorum(trx, meeting);
    return {
      result: decision.id,
      // Ids and the verb only: the audit log is read by administrators who are not members.
      audit: {
        action: "decision.recorded",
        details: {
          decisionId: decision.id,
          parentId: input.parentId,
          verb: input.verb,
          correctsDecisionId: corrects,
          actions: actions.length,
          withoutQuorum: !quorum.met,
        },
      },
    };
  });
}

/** A decision of this minute that is not the record of confirming earlier minutes, or NOT_FOUND / INVALID_INPUT. */
async function changeableDecision(trx: Db, minuteId: string, decisionId: string, refusal: { message: string; field: string }) {
  const decision = isUuid(decisionId)
    ? await trx.selectFrom("decisions").selectAll().where("id", "=", decisionId).where("minute_id", "=", minuteId).executeTakeFirst()
    : undefined;
  if (!decision) throw notFound("There is no such decision in this minute");
  if (decision.confirms_minute_id !== null) throw invalidInput(refusal.message, refusal.field);
  return decision;
}

/** Edits a decision of a draft minute (its verb, words and heading). */
export async function updateDecision(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; decisionId: string; verb: DecisionVerb | null; body: string; heading: string | null; ip?: string | null },
): Promise<void> {
  await changeDraft(db, services, actor, input, "decisions", async (trx, { minute }) => {
    const decision = await changeableDecision(trx, minute.id, input.decisionId, {
      message: "This paragraph records the confirmation of earlier minutes and cannot be changed",
      field: "body",
    });
    assertVerbFor(decision.parent_id, input.verb);
    // Its actions follow from its verb: keep the two consistent.
    const hasActions = (await trx.selectFrom("actions").select("id").where("decision_id", "=", decision.id).executeTakeFirst()) !== undefined;
    if (hasActions && !isActionVerb(input.verb)) {
      throw invalidInput("This decision has actions, so it keeps a verb that directs, invites or requests; remove it and record it again to change that", "verb");
    }
    if (!hasActions && decision.parent_id === null && isActionVerb(input.verb)) {
      throw invalidInput(`A decision that ${input.verb} someone needs its actions: record it as a new decision with them`, "verb");
    }
    const heading = decision.parent_id ? null : input.heading;
    await trx
      .updateTable("decisions")
      .set({ verb: input.verb, body: input.body, heading, search_text: decisionSearchText(heading, input.verb, input.body), updated_at: new Date() })
      .where("id", "=", decision.id)
      .execute();
    return {
      result: undefined,
      audit: {
        action: "decision.changed",
        details: { decisionId: decision.id, from: { verb: decision.verb }, to: { verb: input.verb }, headingChanged: decision.heading !== heading },
      },
    };
  });
}

/** Removes a decision (and its sub-paragraphs and actions) from a draft minute. */
export async function deleteDecision(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; decisionId: string; ip?: string | null },
): Promise<void> {
  await changeDraft(db, services, actor, input, "decisions", async (trx, { minute }) => {
    const decision = await changeableDecision(trx, minute.id, input.decisionId, {
      message: "This paragraph records the confirmation of earlier minutes and cannot be removed",
      field: "decision",
    });
    const progress = await trx
      .selectFrom("action_updates")
      .innerJoin("actions", "actions.id", "action_updates.action_id")
      .select("action_updates.id")
      .where("actions.decision_id", "=", decision.id)
      .executeTakeFirst();
    if (progress) throw invalidInput("Progress has been recorded on this decision's actions, so it stays; change its words instead", "decision");
    await trx.deleteFrom("decisions").where("parent_id", "=", decision.id).execute();
    await trx.deleteFrom("decisions").where("id", "=", decision.id).execute();
    return { result: undefined, audit: { action: "decision.removed", details: { decisionId: decision.id, verb: decision.verb } } };
  });
}

/** Sets a draft minute's security classification (shown top and bottom of every page and export). */
export async function setMinuteClassification(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; classification: Classification; ip?: string | null },
): Promise<void> {
  await changeDraft(db, services, actor, input, "classification", async (trx, { minute }) => {
    if (minute.classification === input.classification) return { result: undefined, audit: null };
    await trx.updateTable("minutes").set({ classification: input.classification, updated_at: new Date() }).where("id", "=", minute.id).execute();
    return { result: undefined, audit: { action: "minutes.classified", details: { from: minute.classification, to: input.classification } } };
  });
}
