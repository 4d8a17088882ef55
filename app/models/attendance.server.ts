/**
 * Who was at a meeting: each member's attendance (present, apologies, absent), alternates standing
 * in for a member, officials present (name and agency), conflicts of interest declared and how
 * they were managed, and the quorum that follows (app/meetings/quorum.ts). The people expected are
 * the group's members on the meeting's New Zealand date, from the membership history.
 *
 * Once the meeting's minute is confirmed the database refuses any change to this record
 * (db/migrations/20261201T1000_meetings_and_decisions.ts); the commands say so first.
 */
import type { Kysely, Transaction } from "kysely";
import type { AttendanceStatus, Database, Meeting, MembershipRole } from "../../db/database.js";
import { conflict, invalidInput, notFound } from "../errors.js";
import { type Quorum, computeQuorum } from "../meetings/quorum.js";
import type { Actor } from "../policy/policy.js";
import { nzCalendarDate } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { type MeetingServices, assertMayOnMeeting, assertNotCancelled, lockMeeting, runMeetingChange } from "./meeting-command.server.js";
import type { Db } from "./meetings.server.js";
import { membersOnDate } from "./memberships.server.js";

/** Roles expected at meetings (consultees comment on papers; they do not attend). */
const attendingRoles: readonly MembershipRole[] = ["chair", "secretary", "member", "minister_office", "observer"];

export interface Attendee {
  membershipId: string;
  userId: string;
  name: string;
  organisation: string | null;
  role: MembershipRole;
  alternateForId: string | null;
  alternateForName: string | null;
  status: AttendanceStatus | null;
}

/** The meeting's NZ calendar date, the day membership is counted on. */
export const meetingDate = (meeting: Pick<Meeting, "starts_at">) => nzCalendarDate(meeting.starts_at);

/**
 * The people at the meeting with their attendance. Until the minute is confirmed: the group's
 * members on the meeting's date (their names and roles as they are now), plus anyone already
 * recorded whose membership has since been changed so it no longer covers that date. Once
 * confirmed: exactly the attendance recorded, with each person as they were when recorded, so the
 * minute never changes when membership records or names do.
 */
export async function meetingAttendees(db: Db, meeting: Pick<Meeting, "id" | "group_id" | "starts_at">): Promise<Attendee[]> {
  const recorded: Attendee[] = await db
    .selectFrom("meeting_attendance")
    .innerJoin("memberships", "memberships.id", "meeting_attendance.membership_id")
    .select([
      "meeting_attendance.membership_id as membershipId",
      "memberships.user_id as userId",
      "meeting_attendance.member_name as name",
      "meeting_attendance.organisation_name as organisation",
      "meeting_attendance.role",
      "memberships.alternate_for_id as alternateForId",
      "meeting_attendance.alternate_for_name as alternateForName",
      "meeting_attendance.status",
    ])
    .where("meeting_attendance.meeting_id", "=", meeting.id)
    .execute();
  const minute = await db.selectFrom("minutes").select("status").where("meeting_id", "=", meeting.id).executeTakeFirst();
  if (minute?.status === "confirmed") return sortAttendees(recorded);

  const expected = (await membersOnDate(db, meeting.group_id, meetingDate(meeting)))
    .filter((member) => attendingRoles.includes(member.role))
    .map((member) => ({
      membershipId: member.id,
      userId: member.userId,
      name: member.name,
      organisation: member.organisationName,
      role: member.role,
      alternateForId: member.alternateForId,
      alternateForName: member.alternateForName,
    }));
  const statusOf = new Map(recorded.map((row) => [row.membershipId, row.status]));
  const expectedIds = new Set(expected.map((row) => row.membershipId));
  return sortAttendees([
    ...expected.map((row) => ({ ...row, status: statusOf.get(row.membershipId) ?? null })),
    ...recorded.filter((row) => !expectedIds.has(row.membershipId)),
  ]);
}

/** Chair, members, their alternates, then those who attend without a seat; by name within each. */
function sortAttendees(attendees: Attendee[]): Attendee[] {
  const order = (attendee: Attendee) =>
    attendee.alternateForId ? 1.5 : ["chair", "member", "secretary", "minister_office", "observer"].indexOf(attendee.role);
  return attendees.sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name, "en-NZ"));
}

/** The quorum at the meeting from attendance so far and the group's setting. */
export async function meetingQuorum(db: Db, meeting: Pick<Meeting, "id" | "group_id" | "starts_at">, attendees?: Attendee[]): Promise<Quorum> {
  const group = await db.selectFrom("groups").select("quorum").where("id", "=", meeting.group_id).executeTakeFirstOrThrow();
  return computeQuorum(attendees ?? (await meetingAttendees(db, meeting)), group.quorum);
}

/** Locks a meeting whose record may still change (its minute not confirmed), for the chair or secretary. */
async function lockRecord(trx: Transaction<Database>, actor: Actor, meetingId: string): Promise<Meeting> {
  const meeting = await lockMeeting(trx, meetingId);
  assertMayOnMeeting(actor, "meeting.manage", meeting, "Only the chair or the secretary keeps the meeting's record");
  assertNotCancelled(meeting);
  const minute = await trx.selectFrom("minutes").select("status").where("meeting_id", "=", meeting.id).executeTakeFirst();
  if (minute?.status === "confirmed") throw conflict("MINUTES_CONFIRMED", "The minutes of this meeting are confirmed, so its record cannot change");
  return meeting;
}

/** Records attendance for some or all of the expected members (present, apologies or absent). */
export async function recordAttendance(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; entries: readonly { membershipId: string; status: AttendanceStatus }[]; ip?: string | null },
): Promise<void> {
  await runMeetingChange(db, services, { actor, ip: input.ip, announce: "attendance", lock: (trx) => lockRecord(trx, actor, input.meetingId) }, async (trx, meeting) => {
    const expected = new Map((await meetingAttendees(trx, meeting)).map((attendee) => [attendee.membershipId, attendee]));
    const changed: { membershipId: string; from: AttendanceStatus | null; to: AttendanceStatus }[] = [];
    for (const entry of input.entries) {
      const attendee = expected.get(entry.membershipId);
      if (!attendee) throw invalidInput("Attendance can be recorded only for the group's members on the day of the meeting", "attendance");
      if (attendee.status === entry.status) continue;
      // Who they are at the meeting, kept with the record (the minute reads these once confirmed).
      const person = {
        member_name: attendee.name,
        organisation_name: attendee.organisation,
        role: attendee.role,
        alternate_for_name: attendee.alternateForName,
      };
      await trx
        .insertInto("meeting_attendance")
        .values({ meeting_id: meeting.id, membership_id: entry.membershipId, status: entry.status, recorded_by: actor.id, ...person })
        .onConflict((oc) =>
          oc.columns(["meeting_id", "membership_id"]).doUpdateSet({ status: entry.status, recorded_by: actor.id, recorded_at: new Date(), ...person }),
        )
        .execute();
      changed.push({ membershipId: entry.membershipId, from: attendee.status, to: entry.status });
    }
    return { result: undefined, audit: changed.length > 0 ? { action: "meeting.attendance_recorded", details: { changes: changed } } : null };
  });
}

/** Adds an official present (not a member), e.g. "Ana Smith, Ministry of Social Development". */
export async function addOfficial(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; name: string; agency: string; ip?: string | null },
): Promise<string> {
  return runMeetingChange(db, services, { actor, ip: input.ip, announce: "attendance", lock: (trx) => lockRecord(trx, actor, input.meetingId) }, async (trx, meeting) => {
    const row = await trx
      .insertInto("meeting_officials")
      .values({ meeting_id: meeting.id, name: input.name, agency: input.agency, created_by: actor.id })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { result: row.id, audit: { action: "meeting.official_added", details: { officialId: row.id } } };
  });
}

export async function removeOfficial(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; officialId: string; ip?: string | null },
): Promise<void> {
  await removeFromRecord(db, services, actor, input, { table: "meeting_officials", id: input.officialId, what: "attendance", missing: "There is no such official" });
}

/** Removes an official or a declaration from the meeting's record; NOT_FOUND when it is not this meeting's. */
async function removeFromRecord(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; ip?: string | null },
  row: { table: "meeting_officials" | "conflict_declarations"; id: string; what: "attendance" | "conflicts"; missing: string },
): Promise<void> {
  const [action, detail] = row.table === "meeting_officials" ? ["meeting.official_removed", "officialId"] : ["meeting.conflict_removed", "conflictId"];
  await runMeetingChange(db, services, { actor, ip: input.ip, announce: row.what, lock: (trx) => lockRecord(trx, actor, input.meetingId) }, async (trx, meeting) => {
    const removed = isUuid(row.id)
      ? await trx.deleteFrom(row.table).where("id", "=", row.id).where("meeting_id", "=", meeting.id).returning("id").executeTakeFirst()
      : undefined;
    if (!removed) throw notFound(row.missing);
    return { result: undefined, audit: { action, details: { [detail]: row.id } } };
  });
}

/** The officials present, in the order they were added. */
export async function meetingOfficials(db: Db, meetingId: string) {
  return db.selectFrom("meeting_officials").select(["id", "name", "agency"]).where("meeting_id", "=", meetingId).orderBy("created_at").orderBy("id").execute();
}

/** Records a conflict of interest a member declared (for one agenda item, or in general) and how it was managed. */
export async function declareConflict(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; membershipId: string; agendaItemId: string | null; interest: string; management: string; ip?: string | null },
): Promise<string> {
  return runMeetingChange(db, services, { actor, ip: input.ip, announce: "conflicts", lock: (trx) => lockRecord(trx, actor, input.meetingId) }, async (trx, meeting) => {
    const attendees = await meetingAttendees(trx, meeting);
    const declarer = attendees.find((attendee) => attendee.membershipId === input.membershipId);
    if (!declarer) throw invalidInput("Choose who declared the interest from the meeting's members", "membershipId");
    if (input.agendaItemId !== null) {
      const item = isUuid(input.agendaItemId)
        ? await trx.selectFrom("agenda_items").select("id").where("id", "=", input.agendaItemId).where("meeting_id", "=", meeting.id).executeTakeFirst()
        : undefined;
      if (!item) throw invalidInput("Choose an item on this meeting's agenda", "agendaItemId");
    }
    const row = await trx
      .insertInto("conflict_declarations")
      .values({
        meeting_id: meeting.id,
        membership_id: input.membershipId,
        member_name: declarer.name,
        organisation_name: declarer.organisation,
        agenda_item_id: input.agendaItemId,
        interest: input.interest,
        management: input.management,
        recorded_by: actor.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return {
      result: row.id,
      audit: { action: "meeting.conflict_declared", details: { conflictId: row.id, membershipId: input.membershipId, agendaItemId: input.agendaItemId } },
    };
  });
}

export async function removeConflict(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; conflictId: string; ip?: string | null },
): Promise<void> {
  await removeFromRecord(db, services, actor, input, { table: "conflict_declarations", id: input.conflictId, what: "conflicts", missing: "There is no such declaration" });
}

/** The conflicts declared at the meeting, with who (as they were when declared) and which item. */
export async function meetingConflicts(db: Db, meetingId: string) {
  return db
    .selectFrom("conflict_declarations")
    .leftJoin("agenda_items", "agenda_items.id", "conflict_declarations.agenda_item_id")
    .select([
      "conflict_declarations.id",
      "conflict_declarations.interest",
      "conflict_declarations.management",
      "conflict_declarations.agenda_item_id as agendaItemId",
      "agenda_items.title as itemTitle",
      "agenda_items.position as itemPosition",
      "conflict_declarations.member_name as name",
      "conflict_declarations.organisation_name as organisation",
    ])
    .where("conflict_declarations.meeting_id", "=", meetingId)
    .orderBy("conflict_declarations.recorded_at")
    .orderBy("conflict_declarations.id")
    .execute();
}
