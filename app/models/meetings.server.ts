/**
 * Reading meetings (journey 4): one meeting, its group, the group's meetings upcoming and past,
 * a meeting's agenda with its papers, who is invited, and when a meeting ends. The commands live
 * beside it: scheduling (meeting-scheduling.server.ts), the agenda (agenda.server.ts), live mode
 * (live-meeting.server.ts); the meeting page's read is meeting-page.server.ts.
 */
import type { Kysely, Transaction } from "kysely";
import type { AgendaItemKind, Database, Meeting } from "../../db/database.js";
import { formatNzDate, formatNzTime, nzCalendarDate } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { membershipActiveOn } from "./memberships.server.js";

export type Db = Kysely<Database> | Transaction<Database>;

// ---- reading ------------------------------------------------------------------------------------

export async function findMeeting(db: Db, meetingId: string): Promise<Meeting | undefined> {
  if (!isUuid(meetingId)) return undefined;
  return db.selectFrom("meetings").selectAll().where("id", "=", meetingId).executeTakeFirst();
}

/** The meeting's end: its start plus its duration. */
export function meetingEndsAt(meeting: Pick<Meeting, "starts_at" | "duration_minutes">): Date {
  return new Date(meeting.starts_at.getTime() + meeting.duration_minutes * 60_000);
}

/** "Tuesday 8 December 2026, 10:00 am to 12:00 pm" (New Zealand time). */
export function meetingWhen(meeting: Pick<Meeting, "starts_at" | "duration_minutes">): string {
  return `${formatNzDate(meeting.starts_at)}, ${formatNzTime(meeting.starts_at)} to ${formatNzTime(meetingEndsAt(meeting))}`;
}

/** The group a meeting belongs to, with what its pages and minute need. */
export async function findMeetingGroup(db: Db, groupId: string) {
  return db.selectFrom("groups").select(["id", "name", "code", "portfolio", "quorum"]).where("id", "=", groupId).executeTakeFirstOrThrow();
}

/** The group's meetings, soonest first among the upcoming and newest first among the past. */
export async function listMeetings(db: Db, groupId: string, now = new Date()) {
  const meetings = await db
    .selectFrom("meetings")
    .leftJoin("minutes", "minutes.meeting_id", "meetings.id")
    .select([
      "meetings.id",
      "meetings.title",
      "meetings.starts_at",
      "meetings.duration_minutes",
      "meetings.location",
      "meetings.online_url",
      "meetings.status",
      "minutes.status as minute_status",
      "minutes.reference as minute_reference",
    ])
    .where("meetings.group_id", "=", groupId)
    .orderBy("meetings.starts_at")
    .execute();
  const cutoff = now.getTime() - 12 * 3600 * 1000;
  const upcoming = meetings.filter(
    (meeting) => meeting.status === "in_progress" || (meeting.status === "scheduled" && meeting.starts_at.getTime() >= cutoff),
  );
  const past = meetings.filter((meeting) => !upcoming.includes(meeting)).reverse();
  return { upcoming, past };
}

export interface AgendaItemView {
  id: string;
  position: number;
  title: string;
  presenter: string | null;
  minutesAllotted: number | null;
  kind: AgendaItemKind;
  papers: { id: string; title: string; kind: string }[];
}

/** The meeting's agenda in order, each item with its linked papers. */
export async function meetingAgenda(db: Db, meetingId: string): Promise<AgendaItemView[]> {
  const items = await db
    .selectFrom("agenda_items")
    .select(["id", "position", "title", "presenter", "minutes_allotted", "kind"])
    .where("meeting_id", "=", meetingId)
    .orderBy("position")
    .execute();
  if (items.length === 0) return [];
  const papers = await db
    .selectFrom("agenda_item_papers")
    .innerJoin("documents", "documents.id", "agenda_item_papers.document_id")
    .select(["agenda_item_papers.agenda_item_id", "documents.id", "documents.title", "documents.kind"])
    .where(
      "agenda_item_papers.agenda_item_id",
      "in",
      items.map((item) => item.id),
    )
    .orderBy("agenda_item_papers.position")
    .execute();
  return items.map((item) => ({
    id: item.id,
    position: item.position,
    title: item.title,
    presenter: item.presenter,
    minutesAllotted: item.minutes_allotted,
    kind: item.kind,
    papers: papers
      .filter((paper) => paper.agenda_item_id === item.id)
      .map((paper) => ({ id: paper.id, title: paper.title, kind: paper.kind })),
  }));
}

/** The user ids of the group's current members who take part in meetings (not consultees). */
export async function meetingInviteeIds(db: Db, groupId: string, onDate = nzCalendarDate()): Promise<string[]> {
  const rows = await db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select("memberships.user_id")
    .distinct()
    .where("memberships.group_id", "=", groupId)
    .where("memberships.role", "in", ["chair", "secretary", "member", "minister_office", "observer"])
    .where(membershipActiveOn(onDate))
    .where("users.disabled_at", "is", null)
    .execute();
  return rows.map((row) => row.user_id);
}
