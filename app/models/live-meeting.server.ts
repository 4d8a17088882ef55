/**
 * Live meeting mode (journey 4): the chair (or the acting chair named for the meeting) starts
 * it, moves it through the agenda and ends it; everyone's screen follows over Socket.io
 * (`meeting:changed`). The chair or secretary names the acting chair.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, Meeting } from "../../db/database.js";
import { conflict, invalidInput } from "../errors.js";
import { isOffSchedule, offScheduleSentence } from "../meetings/start-timing.js";
import type { Actor } from "../policy/policy.js";
import { nzCalendarDate } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { type MeetingAudit, type MeetingServices, assertMayOnMeeting, assertNotCancelled, findAgendaItem, lockMeeting, runMeetingCommand } from "./meeting-command.server.js";
import { membershipActiveOn } from "./memberships.server.js";

const notRunning = () => conflict("MEETING_NOT_IN_PROGRESS", "This meeting is not in progress");

/** Locks the meeting for the person who runs it: the chair, or the acting chair named for it. */
async function lockToRun(trx: Transaction<Database>, actor: Actor, meetingId: string, doing: string) {
  const meeting = await lockMeeting(trx, meetingId);
  assertMayOnMeeting(actor, "meeting.run", meeting, `Only the chair (or the acting chair named for this meeting) can ${doing}`);
  return meeting;
}

type OpenOrClose = (
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; ip?: string | null; now?: Date; offScheduleConfirmed?: boolean },
) => Promise<void>;

/** Opening or closing the meeting, by the person who runs it, at `now`: locked, checked, changed, audited, announced. */
async function openOrClose(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; ip?: string | null; now?: Date },
  step: {
    doing: string;
    check(meeting: Meeting, now: Date): void;
    change(trx: Transaction<Database>, meeting: Meeting, now: Date): Promise<void>;
    audit: (now: Date) => MeetingAudit;
    announce: string;
  },
): Promise<void> {
  const now = input.now ?? new Date();
  await runMeetingCommand(db, services, { actor, ip: input.ip }, {
    lock: async (trx) => ({ meeting: await lockToRun(trx, actor, input.meetingId, step.doing) }),
    check: ({ meeting }) => step.check(meeting, now),
    change: (trx, { meeting }) => step.change(trx, meeting, now),
    audit: () => step.audit(now),
    announce: step.announce,
  });
}

/**
 * The chair opens the meeting: it is in progress, on its first agenda item, and its draft minute
 * exists so decisions can be recorded. Starting more than a few hours from the scheduled time
 * (app/meetings/start-timing.ts) is refused with both times unless the chair has confirmed it
 * (`offScheduleConfirmed`): the minute then records the day it was actually held.
 */
export const startMeeting: OpenOrClose = (db, services, actor, input) =>
  openOrClose(db, services, actor, input, {
    doing: "start the meeting",
    check: (meeting, now) => {
      assertNotCancelled(meeting);
      if (meeting.status !== "scheduled") throw conflict("MEETING_NOT_SCHEDULED", "This meeting has already started");
      if (isOffSchedule(meeting.starts_at, now) && input.offScheduleConfirmed !== true) {
        throw conflict("MEETING_OFF_SCHEDULE", `${offScheduleSentence(meeting.starts_at, now)} Confirm that you are starting it now, and the minute records the day it was held.`);
      }
    },
    change: async (trx, meeting, now) => {
      const first = await trx.selectFrom("agenda_items").select("id").where("meeting_id", "=", meeting.id).orderBy("position").executeTakeFirst();
      await trx
        .updateTable("meetings")
        .set({ status: "in_progress", started_at: now, current_agenda_item_id: first?.id ?? null, updated_at: now })
        .where("id", "=", meeting.id)
        .execute();
      await trx
        .insertInto("minutes")
        .values({ meeting_id: meeting.id, group_id: meeting.group_id })
        .onConflict((oc) => oc.column("meeting_id").doNothing())
        .execute();
    },
    audit: (now) => ({ action: "meeting.started", details: { startedAt: now.toISOString(), offSchedule: input.offScheduleConfirmed === true } }),
    announce: "started",
  });

/** The chair moves the meeting to an agenda item; everyone's screen follows. */
export async function moveToAgendaItem(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; itemId: string; ip?: string | null },
): Promise<void> {
  await runMeetingCommand(db, services, { actor, ip: input.ip }, {
    lock: async (trx) => {
      const meeting = await lockToRun(trx, actor, input.meetingId, "move the meeting through its agenda");
      if (meeting.status !== "in_progress") throw notRunning();
      return { meeting, item: await findAgendaItem(trx, meeting.id, input.itemId) };
    },
    change: async (trx, { meeting, item }) => {
      if (meeting.current_agenda_item_id === item.id) return false;
      await trx.updateTable("meetings").set({ current_agenda_item_id: item.id, updated_at: new Date() }).where("id", "=", meeting.id).execute();
      return true;
    },
    audit: ({ item }, moved) => (moved ? { action: "meeting.moved_to_item", details: { itemId: item.id, position: item.position } } : null),
    announce: "item",
  });
}

/** The chair closes the meeting; the secretary can go on drafting its minute. */
export const endMeeting: OpenOrClose = (db, services, actor, input) =>
  openOrClose(db, services, actor, input, {
    doing: "end the meeting",
    check: (meeting) => {
      if (meeting.status !== "in_progress") throw notRunning();
    },
    change: async (trx, meeting, now) => {
      await trx
        .updateTable("meetings")
        .set({ status: "closed", ended_at: now, current_agenda_item_id: null, updated_at: now })
        .where("id", "=", meeting.id)
        .execute();
    },
    audit: (now) => ({ action: "meeting.ended", details: { endedAt: now.toISOString() } }),
    announce: "ended",
  });

/**
 * Names a member to chair this meeting in the chair's place (null: the chair runs it). The chair
 * or secretary decides; the acting chair must be a chair or member of the group on the day.
 */
export async function setActingChair(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; userId: string | null; ip?: string | null },
): Promise<void> {
  await runMeetingCommand(db, services, { actor, ip: input.ip }, {
    lock: async (trx) => {
      const meeting = await lockMeeting(trx, input.meetingId);
      assertMayOnMeeting(actor, "meeting.manage", meeting, "Only the chair or the secretary can name an acting chair");
      assertNotCancelled(meeting);
      if (meeting.status === "closed") throw conflict("MEETING_NOT_SCHEDULED", "This meeting has ended");
      if (input.userId !== null) {
        const member = isUuid(input.userId)
          ? await trx
              .selectFrom("memberships")
              .select("id")
              .where("user_id", "=", input.userId)
              .where("group_id", "=", meeting.group_id)
              .where("role", "in", ["chair", "member"])
              .where(membershipActiveOn(nzCalendarDate(meeting.starts_at)))
              .executeTakeFirst()
          : undefined;
        if (!member) throw invalidInput("Choose the acting chair from the group's members on the day of the meeting", "actingChairUserId");
      }
      return { meeting };
    },
    change: async (trx, { meeting }) => {
      if (meeting.acting_chair_user_id === input.userId) return false;
      await trx.updateTable("meetings").set({ acting_chair_user_id: input.userId, updated_at: new Date() }).where("id", "=", meeting.id).execute();
      return true;
    },
    audit: ({ meeting }, changed) => (changed ? { action: "meeting.acting_chair_set", details: { from: meeting.acting_chair_user_id, to: input.userId } } : null),
    announce: "chair",
  });
}
