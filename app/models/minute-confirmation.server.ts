/**
 * Confirming a meeting's minute (journeys 4 and 5): at the next meeting, or by the secretary, it
 * takes its permanent reference, <GROUP>-<YY>-MIN-<NNNN>, from a per-group, per-year counter row
 * whose lock makes simultaneous confirmations take turns, so numbers have no gaps and no
 * duplicates. From then on the database refuses any change to the minute or its decisions.
 */
import type { Kysely } from "kysely";
import type { Database, Meeting } from "../../db/database.js";
import { conflict, invalidInput } from "../errors.js";
import { formatMinuteReference, referenceYear } from "../meetings/decision-reference.js";
import { computeQuorum } from "../meetings/quorum.js";
import { heldAt } from "../meetings/start-timing.js";
import type { Actor } from "../policy/policy.js";
import { formatNzDate, formatNzShortDate, nzCalendarDate } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { meetingAttendees } from "./attendance.server.js";
import { decisionSearchText } from "./decisions.server.js";
import { type MeetingServices, announceMeetingChange, assertMayOnMeeting, runMeetingCommand } from "./meeting-command.server.js";
import { meetingInviteeIds } from "./meetings.server.js";
import { NO_MEETING_QUORUM, lockMinuteOf, secretaryOnDate } from "./minutes.server.js";
import { notify } from "./notifications.server.js";

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
  return runMeetingCommand(db, services, { actor, ip: input.ip }, {
    lock: async (trx) => {
      const { meeting, minute } = await lockMinuteOf(trx, input.meetingId);
      assertMayOnMeeting(actor, "minutes.confirm", meeting, "Only the chair or the secretary can confirm minutes");
      if (meeting.status !== "closed" || !minute) throw conflict("MEETING_NOT_STARTED", "Minutes are confirmed after the meeting has ended");
      if (minute.status === "confirmed") throw conflict("MINUTES_CONFIRMED", `These minutes are already confirmed (${minute.reference})`);
      const paragraphs = await trx.selectFrom("decisions").select("id").where("minute_id", "=", minute.id).where("parent_id", "is", null).execute();
      if (paragraphs.length === 0) throw invalidInput("Record at least one decision before confirming the minutes", "minutes");
      let atMeeting: Meeting | undefined;
      if (input.atMeetingId) {
        atMeeting = isUuid(input.atMeetingId) ? await trx.selectFrom("meetings").selectAll().where("id", "=", input.atMeetingId).executeTakeFirst() : undefined;
        if (!atMeeting || atMeeting.group_id !== meeting.group_id || atMeeting.id === meeting.id) {
          throw invalidInput("Minutes are confirmed at a later meeting of the same group", "atMeetingId");
        }
        if (atMeeting.status !== "in_progress") throw conflict("MEETING_NOT_IN_PROGRESS", "That meeting is not in progress");
      }
      return { meeting, minute, atMeeting };
    },
    change: async (trx, { meeting, minute, atMeeting }) => {
      const group = await trx.selectFrom("groups").select(["code", "quorum"]).where("id", "=", meeting.group_id).executeTakeFirstOrThrow();
      // The day it was held (started), which is the day of its record even when it was not the day scheduled.
      const meetingDay = nzCalendarDate(heldAt(meeting));
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
      const secretaryName =
        (await secretaryOnDate(trx, meeting.group_id, meetingDay)) ??
        (await trx.selectFrom("users").select("display_name").where("id", "=", actor.id).executeTakeFirstOrThrow()).display_name;

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
          const body = `the minutes of the meeting of ${formatNzDate(heldAt(meeting))} as a true and correct record [${reference}]`;
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
              search_text: decisionSearchText(null, "confirmed", body),
              confirms_minute_id: minute.id,
              created_by: actor.id,
            })
            .execute();
        }
      }

      // The quorum as the attendance recorded it, kept with the minute.
      // Decisions made between meetings have no attendance; each paragraph says how many seats took part.
      const quorum = meeting.kind === "between_meetings" ? NO_MEETING_QUORUM : computeQuorum(await meetingAttendees(trx, meeting), group.quorum);
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
      return reference;
    },
    audit: ({ minute, atMeeting }, reference) => ({
      action: "minutes.confirmed",
      details: { minuteId: minute.id, reference, atMeetingId: atMeeting?.id ?? null },
    }),
    announce: async (services, { meeting, atMeeting }, reference) => {
      announceMeetingChange(services, meeting.id, "confirmed");
      if (atMeeting) announceMeetingChange(services, atMeeting.id, "decisions");
      await notify(services, {
        recipientIds: (await meetingInviteeIds(db, meeting.group_id)).filter((id) => id !== actor.id),
        kind: "minutes.confirmed",
        title: `Minutes confirmed: ${reference}`,
        body: `The minutes of ${meeting.title} (${formatNzShortDate(meeting.starts_at)}) are confirmed as ${reference}.`,
        link: `/groups/${meeting.group_id}/meetings/${meeting.id}/minutes`,
        groupId: meeting.group_id,
      });
    },
  });
}
