/**
 * A meeting's minute of decision (journeys 4 and 5) as people read it, in the form of a Cabinet
 * minute: numbered paragraphs under headings, each opening with its verb (noted, agreed,
 * directed …), sub-paragraphs 1.1, 1.2, references to earlier minutes in brackets, corrections
 * both ways, who was present, apologies, officials present, the secretary's name and the
 * classification. The page, its print view and its Word export all read `minuteView`.
 *
 * A minute is a draft while the secretary works on it; confirming it gives it its permanent
 * reference (minute-confirmation.server.ts), after which the database refuses any change to it or
 * its decisions. Recording decisions is decisions.server.ts.
 */
import type { Transaction } from "kysely";
import type { Classification, Database, DecisionVerb, Meeting } from "../../db/database.js";
import { notFound } from "../errors.js";
import { citedReferences } from "../meetings/decision-reference.js";
import { inReadingOrder, paragraphNumbers } from "../meetings/paragraph-numbers.js";
import { type Quorum, computeQuorum, withoutQuorumStatement } from "../meetings/quorum.js";
import { heldAt, heldNote } from "../meetings/start-timing.js";
import { formatNzDate, nzCalendarDate } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { type Attendee, meetingAttendees, meetingConflicts, meetingOfficials } from "./attendance.server.js";
import type { Db } from "./meetings.server.js";
import { membershipActiveOn } from "./memberships.server.js";

/** The meeting (read) and its minute (locked for the change), for a command on the minute. */
export async function lockMinuteOf(trx: Transaction<Database>, meetingId: string) {
  const meeting = isUuid(meetingId) ? await trx.selectFrom("meetings").selectAll().where("id", "=", meetingId).executeTakeFirst() : undefined;
  if (!meeting) throw notFound("There is no such meeting");
  const minute = await trx.selectFrom("minutes").selectAll().where("meeting_id", "=", meeting.id).forUpdate().executeTakeFirst();
  return { meeting, minute };
}

/** The name the minute is signed with: the group's secretary on the day of the meeting. */
export async function secretaryOnDate(trx: Db, groupId: string, onDate: string): Promise<string | undefined> {
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
  /** A numbered paragraph of a minute whose meeting had no quorum: "Decided without a quorum." under it. */
  withoutQuorum: boolean;
}

export interface MinuteView {
  group: { id: string; name: string; code: string; portfolio: string };
  meeting: {
    id: string;
    title: string;
    startsAt: Date;
    status: string;
    /** The New Zealand date it was held (started), or is to be held: "Saturday 5 December 2026". */
    dateLabel: string;
    /** Said when it was held on another day than scheduled: "Held on …; it had been scheduled for …". */
    heldNote: string | null;
    actingChairUserId: string | null;
    /** The record of decisions made between meetings: no attendance, no quorum. */
    betweenMeetings: boolean;
  };
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
  /** Said above the paragraphs when they were decided without a quorum (docs/decisions/019), else null. */
  withoutQuorum: string | null;
}

/** The quorum of the record of decisions made between meetings: none is counted, so none is missing. */
export const NO_MEETING_QUORUM: Quorum = { required: 0, seats: 0, filled: 0, met: true };

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

/** A meeting's minute: whether it is a draft or confirmed, and its reference once confirmed. */
export async function findMinuteStatus(db: Db, meetingId: string) {
  return db.selectFrom("minutes").select(["status", "reference"]).where("meeting_id", "=", meetingId).executeTakeFirst();
}

/** Everything the minute page, its print view and its Word export show. */
export async function minuteView(db: Db, meeting: Meeting): Promise<MinuteView> {
  const group = await db.selectFrom("groups").select(["id", "name", "code", "portfolio"]).where("id", "=", meeting.group_id).executeTakeFirstOrThrow();
  const minute = await db.selectFrom("minutes").selectAll().where("meeting_id", "=", meeting.id).executeTakeFirst();
  // The record of decisions made between meetings has no attendance: each of its paragraphs says
  // how many seats took part (app/models/proposal-closing.server.ts).
  const betweenMeetings = meeting.kind === "between_meetings";
  const attendees = betweenMeetings ? [] : await meetingAttendees(db, meeting);
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
  const quorum: Quorum = betweenMeetings
    ? NO_MEETING_QUORUM
    : minute?.status === "confirmed" && minute.quorum_required !== null && minute.quorum_filled !== null && minute.quorum_seats !== null
      ? { required: minute.quorum_required, filled: minute.quorum_filled, seats: minute.quorum_seats, met: minute.quorum_filled >= minute.quorum_required }
      : computeQuorum(attendees, (await db.selectFrom("groups").select("quorum").where("id", "=", meeting.group_id).executeTakeFirstOrThrow()).quorum);
  return {
    group,
    meeting: {
      id: meeting.id,
      title: meeting.title,
      startsAt: meeting.starts_at,
      status: meeting.status,
      dateLabel: formatNzDate(heldAt(meeting)),
      heldNote: heldNote(meeting),
      actingChairUserId: meeting.acting_chair_user_id,
      betweenMeetings,
    },
    minute: minute
      ? {
          id: minute.id,
          status: minute.status,
          reference: minute.reference,
          classification: minute.classification,
          // A draft shows who the secretary was that day; confirmation writes it in for good.
          secretaryName: minute.secretary_name ?? (await secretaryOnDate(db, meeting.group_id, nzCalendarDate(heldAt(meeting)))) ?? null,
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
      withoutQuorum: !quorum.met && row.parent_id === null,
    })),
    present: attendees.filter((attendee) => attendee.status === "present"),
    apologies: attendees.filter((attendee) => attendee.status === "apologies"),
    absent: attendees.filter((attendee) => attendee.status === "absent"),
    officials: await meetingOfficials(db, meeting.id),
    conflicts: await meetingConflicts(db, meeting.id),
    quorum,
    withoutQuorum: rows.length > 0 ? withoutQuorumStatement(quorum) : null,
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
