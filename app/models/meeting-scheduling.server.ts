/**
 * Scheduling meetings (journey 4): a new meeting in New Zealand time with its agenda (the running
 * order, the only agenda) from the group's template; moving it (calendars replace the event, its
 * SEQUENCE goes up); cancelling it with a reason. The members are told each time, in the app and
 * by email. The forms' rules (a title, a real time, a place or a link) are app/meetings/schemas.ts.
 */
import { type Kysely, sql } from "kysely";
import type { AgendaItemKind, Database } from "../../db/database.js";
import { conflict, forbidden, invalidInput, notFound } from "../errors.js";
import { insertBeforeGeneralBusiness, templateItems } from "../meetings/agenda-template.js";
import { type Actor, can } from "../policy/policy.js";
import { nzWallClockInstant } from "../utils/dates.js";
import { runCommand } from "./command.server.js";
import { type MeetingServices, announceMeetingChange, assertMayOnMeeting, assertNotCancelled, lockMeeting, runMeetingCommand } from "./meeting-command.server.js";
import { meetingInviteeIds, meetingWhen } from "./meetings.server.js";
import { notify } from "./notifications.server.js";
import { groupResource } from "./policy-resources.server.js";

export interface MeetingDetailsInput {
  title: string;
  /** New Zealand calendar date "YYYY-MM-DD". */
  date: string;
  /** New Zealand wall-clock time "HH:MM" (24-hour). */
  time: string;
  durationMinutes: number;
  location: string | null;
  onlineUrl: string | null;
}

export interface ScheduleMeetingInput extends MeetingDetailsInput {
  groupId: string;
  /** Optional template items to include (karakia, whakawhanaungatanga, closing karakia). */
  openers: readonly AgendaItemKind[];
  /** The group's own items, placed before general business. */
  items?: readonly { title: string; presenter?: string | null; minutes?: number | null }[];
  ip?: string | null;
}

/** The instant a meeting starts: its NZ date and wall-clock time, in daylight or standard time. */
function startInstant(input: Pick<MeetingDetailsInput, "date" | "time">): Date {
  const time = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(input.time);
  if (!time) throw invalidInput("Enter the start time as hours and minutes, like 10:00", "time");
  try {
    return nzWallClockInstant(input.date, Number(time[1]), Number(time[2]));
  } catch {
    throw invalidInput("Enter the date of the meeting", "date");
  }
}

/** "…, Wellington, online: https://…" as the members' notifications say where. */
const whereSentence = (details: Pick<MeetingDetailsInput, "location" | "onlineUrl">) =>
  `${details.location ? `, ${details.location}` : ""}${details.onlineUrl ? `, online: ${details.onlineUrl}` : ""}`;

/** The members to tell about a meeting, without the person who changed it. */
const othersInvited = async (db: Kysely<Database>, groupId: string, actor: Actor) =>
  (await meetingInviteeIds(db, groupId)).filter((id) => id !== actor.id);

/**
 * Schedules a meeting with an agenda (its running order) from the group's template, and tells the
 * members (in the app and by email, with a link to the meeting and its invite). The running order
 * is the only agenda: no separate agenda document is made (docs/decisions/019).
 */
export async function scheduleMeeting(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: ScheduleMeetingInput,
): Promise<string> {
  const startsAt = startInstant(input);
  const ownItems = (input.items ?? []).map((item) => ({
    kind: "item" as AgendaItemKind,
    title: item.title,
    presenter: item.presenter ?? null,
    minutes: item.minutes ?? null,
  }));
  const standing = templateItems(new Set(input.openers)).map((item) => ({ kind: item.kind, title: item.title, presenter: null, minutes: item.minutes as number | null }));
  const items = insertBeforeGeneralBusiness(standing, ownItems);
  const when = meetingWhen({ starts_at: startsAt, duration_minutes: input.durationMinutes });

  return runCommand(
    db,
    {
      lock: async (trx) => {
        const group = await trx.selectFrom("groups").select(["id"]).where("id", "=", input.groupId).executeTakeFirst();
        if (!group) throw notFound("There is no such group");
        return group;
      },
      check: (group) => {
        if (!can(actor, "meeting.manage", groupResource(group.id))) throw forbidden("Only the chair or the secretary can schedule meetings");
      },
      change: async (trx) => {
        const meeting = await trx
          .insertInto("meetings")
          .values({
            group_id: input.groupId,
            title: input.title,
            starts_at: startsAt,
            duration_minutes: input.durationMinutes,
            location: input.location,
            online_url: input.onlineUrl,
            created_by: actor.id,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        if (items.length > 0) {
          await trx
            .insertInto("agenda_items")
            .values(
              items.map((item, index) => ({
                meeting_id: meeting.id,
                position: index + 1,
                title: item.title,
                presenter: item.presenter,
                minutes_allotted: item.minutes,
                kind: item.kind,
              })),
            )
            .execute();
        }
        return { meetingId: meeting.id };
      },
      audit: (group, { meetingId }) => ({
        actorId: actor.id,
        action: "meeting.scheduled",
        groupId: group.id,
        subjectType: "meeting",
        subjectId: meetingId,
        ip: input.ip ?? null,
        // Ids and times only: the audit log is read by administrators who are not members.
        details: { startsAt: startsAt.toISOString(), durationMinutes: input.durationMinutes, items: items.length },
      }),
      announce: async (group, { meetingId }) => {
        if (!services) return;
        await notify(services, {
          recipientIds: await othersInvited(db, group.id, actor),
          kind: "meeting.scheduled",
          title: `Meeting scheduled: ${input.title}`,
          body: `${when} (New Zealand time)${whereSentence(input)}. Add it to your calendar from the meeting page.`,
          link: `/groups/${group.id}/meetings/${meetingId}`,
          groupId: group.id,
        });
      },
    },
    services ? { logger: services.logger } : {},
  ).then((result) => result.meetingId);
}

/** Moves a scheduled meeting (date, time, length, place); calendars replace the old event. */
export async function rescheduleMeeting(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: MeetingDetailsInput & { meetingId: string; ip?: string | null },
): Promise<void> {
  const startsAt = startInstant(input);
  await runMeetingCommand(db, services, { actor, ip: input.ip }, {
    lock: async (trx) => ({ meeting: await lockMeeting(trx, input.meetingId) }),
    check: ({ meeting }) => {
      assertMayOnMeeting(actor, "meeting.manage", meeting, "Only the chair or the secretary can change a meeting");
      assertNotCancelled(meeting);
      if (meeting.status !== "scheduled") throw conflict("MEETING_NOT_SCHEDULED", "A meeting that has started can no longer be moved");
    },
    change: async (trx, { meeting }) => {
      await trx
        .updateTable("meetings")
        .set({
          title: input.title,
          starts_at: startsAt,
          duration_minutes: input.durationMinutes,
          location: input.location,
          online_url: input.onlineUrl,
          sequence: sql`sequence + 1`,
          updated_at: new Date(),
        })
        .where("id", "=", meeting.id)
        .execute();
      return { moved: meeting.starts_at.getTime() !== startsAt.getTime() || meeting.duration_minutes !== input.durationMinutes };
    },
    audit: ({ meeting }) => ({
      action: "meeting.rescheduled",
      details: {
        from: { startsAt: meeting.starts_at.toISOString(), durationMinutes: meeting.duration_minutes },
        to: { startsAt: startsAt.toISOString(), durationMinutes: input.durationMinutes },
        changed: [
          meeting.title !== input.title ? "title" : null,
          meeting.starts_at.getTime() !== startsAt.getTime() ? "start" : null,
          meeting.duration_minutes !== input.durationMinutes ? "length" : null,
          meeting.location !== input.location ? "place" : null,
          meeting.online_url !== input.onlineUrl ? "online link" : null,
        ].filter(Boolean),
      },
    }),
    announce: async (services, { meeting }, { moved }) => {
      announceMeetingChange(services, meeting.id, "rescheduled");
      const when = meetingWhen({ starts_at: startsAt, duration_minutes: input.durationMinutes });
      await notify(services, {
        recipientIds: await othersInvited(db, meeting.group_id, actor),
        kind: "meeting.rescheduled",
        title: moved ? `Meeting moved: ${input.title}` : `Meeting details changed: ${input.title}`,
        body: `Now ${when} (New Zealand time)${whereSentence(input)}. Calendars subscribed to the group's feed update by themselves; a downloaded invite needs downloading again.`,
        link: `/groups/${meeting.group_id}/meetings/${meeting.id}`,
        groupId: meeting.group_id,
      });
    },
  });
}

/** Cancels a scheduled meeting, with a reason the members are told. It stays on record. */
export async function cancelMeeting(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; reason: string; ip?: string | null },
): Promise<void> {
  await runMeetingCommand(db, services, { actor, ip: input.ip }, {
    lock: async (trx) => ({ meeting: await lockMeeting(trx, input.meetingId) }),
    check: ({ meeting }) => {
      assertMayOnMeeting(actor, "meeting.manage", meeting, "Only the chair or the secretary can cancel a meeting");
      assertNotCancelled(meeting, "This meeting is already cancelled");
      if (meeting.status !== "scheduled") throw conflict("MEETING_NOT_SCHEDULED", "A meeting that has started cannot be cancelled");
    },
    change: async (trx, { meeting }) => {
      await trx
        .updateTable("meetings")
        .set({ status: "cancelled", cancelled_at: new Date(), cancelled_by: actor.id, cancel_reason: input.reason, sequence: sql`sequence + 1`, updated_at: new Date() })
        .where("id", "=", meeting.id)
        .execute();
    },
    audit: () => ({ action: "meeting.cancelled", details: { reasonGiven: true } }),
    announce: async (services, { meeting }) => {
      announceMeetingChange(services, meeting.id, "cancelled");
      await notify(services, {
        recipientIds: await othersInvited(db, meeting.group_id, actor),
        kind: "meeting.cancelled",
        title: `Meeting cancelled: ${meeting.title}`,
        body: `The meeting on ${meetingWhen(meeting)} is cancelled. Reason: ${input.reason}`,
        link: `/groups/${meeting.group_id}/meetings/${meeting.id}`,
        groupId: meeting.group_id,
      });
    },
  });
}
