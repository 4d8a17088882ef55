/**
 * When a meeting was held, against when it was scheduled (journey 4). Starting more than a few
 * hours before or after the scheduled time needs the chair's confirmation, shown with both times;
 * the minute then states the New Zealand date it was actually held (when it started), with a note
 * when that is not the day it was scheduled for. Pure: shared by the server and the browser bundle.
 */
import { formatNzDate, formatNzDateTime, nzCalendarDate } from "../utils/dates.js";

/** Starting further than this from the scheduled time asks for confirmation. */
export const OFF_SCHEDULE_HOURS = 3;

/** Starting at `now` is far enough from `startsAt` to ask the chair first. */
export function isOffSchedule(startsAt: Date, now: Date): boolean {
  return Math.abs(now.getTime() - startsAt.getTime()) > OFF_SCHEDULE_HOURS * 3_600_000;
}

/** "1 day", "3 hours", "2 days": how far apart, in whole days once it is a day or more. */
function distance(ms: number): string {
  const hours = Math.round(Math.abs(ms) / 3_600_000);
  if (hours < 24) return `${hours} hour${hours === 1 ? "" : "s"}`;
  const days = Math.round(hours / 24);
  return `${days} day${days === 1 ? "" : "s"}`;
}

/**
 * "This meeting is scheduled for Tuesday 8 December 2026, 10:00 am; it is now Saturday 5 December
 * 2026, 2:14 pm (3 days early)."
 */
export function offScheduleSentence(startsAt: Date, now: Date): string {
  const early = now < startsAt;
  return (
    `This meeting is scheduled for ${formatNzDateTime(startsAt)}; it is now ${formatNzDateTime(now)} ` +
    `(${distance(now.getTime() - startsAt.getTime())} ${early ? "early" : "late"}).`
  );
}

/** The instant the meeting was held: when it started, or (not started yet) when it is scheduled. */
export function heldAt(meeting: { starts_at: Date; started_at: Date | null }): Date {
  return meeting.started_at ?? meeting.starts_at;
}

/** "Held on Saturday 5 December 2026; it had been scheduled for Tuesday 8 December 2026.", or null on the day. */
export function heldNote(meeting: { starts_at: Date; started_at: Date | null }): string | null {
  const held = heldAt(meeting);
  if (nzCalendarDate(held) === nzCalendarDate(meeting.starts_at)) return null;
  return `Held on ${formatNzDate(held)}; it had been scheduled for ${formatNzDate(meeting.starts_at)}.`;
}
