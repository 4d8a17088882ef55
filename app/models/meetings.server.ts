/**
 * Meetings (journey 4): scheduling in New Zealand time, rescheduling and cancelling, the agenda
 * (ordered items with presenter, time and papers, from the group's template), and live meeting
 * mode (the chair starts the meeting, moves through the agenda and ends it; everyone's screen
 * follows over Socket.io).
 *
 * Every command checks the policy, runs in one transaction with its audit entry, and after the
 * commit tells the meeting's room (`meeting:changed`) and, where it matters, notifies the members.
 */
import { type Kysely, type Transaction, sql } from "kysely";
import * as Y from "yjs";
import type { AgendaItemKind, Database, Meeting } from "../../db/database.js";
import { renderHtml } from "../documents/render-html.server.js";
import { type DocumentBlock, buildDoc, renderText } from "../documents/content.js";
import { insertBeforeGeneralBusiness, templateItems } from "../meetings/agenda-template.js";
import { MEETING_TITLE_MAX, PLACE_MAX } from "../meetings/meeting-form.js";
import { type Action, type Actor, can } from "../policy/policy.js";
import { meetingResource } from "./policy-resources.server.js";
import { formatNzDate, formatNzTime, nzCalendarDate, nzWallClockInstant } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { meetingRoom } from "../realtime/contract.js";
import type { AppServices } from "../services.js";
import { recordAudit } from "./audit.server.js";
import { membershipActiveOn } from "./memberships.server.js";
import { type NotifyServices, notify } from "./notifications.server.js";
import { AppError } from "../errors.js";

export type Db = Kysely<Database> | Transaction<Database>;



/** What commands need: the database, notifications, and pushes to the meeting's room. */
export type MeetingServices = NotifyServices & {
  realtime: Pick<AppServices["realtime"], "emitToUser" | "emitToRoom">;
};

/** Tells everyone with the meeting open that it changed; their page reloads its data. */
export function announceMeetingChange(services: Pick<MeetingServices, "realtime">, meetingId: string, what: string): void {
  services.realtime.emitToRoom(meetingRoom(meetingId), "meeting:changed", { meetingId, what });
}


export const AGENDA_TITLE_MAX = 200;
export const CANCEL_REASON_MAX = 500;

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

// ---- scheduling -----------------------------------------------------------------------------------

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

/** Checks the details and turns the NZ date and time into the instant to store. */
function meetingInstant(input: MeetingDetailsInput): { title: string; startsAt: Date; location: string | null; onlineUrl: string | null } {
  const title = input.title.trim();
  if (title.length === 0 || title.length > MEETING_TITLE_MAX) {
    throw new AppError("INVALID_INPUT", `Give the meeting a title of 1 to ${MEETING_TITLE_MAX} characters`, "title");
  }
  const time = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(input.time);
  if (!time) throw new AppError("INVALID_INPUT", "Enter the start time as hours and minutes, like 10:00", "time");
  let startsAt: Date;
  try {
    startsAt = nzWallClockInstant(input.date, Number(time[1]), Number(time[2]));
  } catch {
    throw new AppError("INVALID_INPUT", "Enter the date of the meeting", "date");
  }
  if (!Number.isInteger(input.durationMinutes) || input.durationMinutes < 5 || input.durationMinutes > 1440) {
    throw new AppError("INVALID_INPUT", "The meeting can last from 5 minutes to 24 hours", "durationMinutes");
  }
  const location = input.location?.trim() || null;
  const onlineUrl = input.onlineUrl?.trim() || null;
  if (location && location.length > PLACE_MAX) throw new AppError("INVALID_INPUT", `Keep the place to ${PLACE_MAX} characters`, "location");
  if (onlineUrl) {
    let url: URL | undefined;
    try {
      url = new URL(onlineUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || onlineUrl.length > PLACE_MAX) {
      throw new AppError("INVALID_INPUT", "Enter the online meeting link as a full web address starting https://", "onlineUrl");
    }
  }
  if (!location && !onlineUrl) {
    throw new AppError("INVALID_INPUT", "Say where the meeting is: a place, an online link, or both", "location");
  }
  return { title, startsAt, location, onlineUrl };
}

function assertMay(actor: Actor, action: Action, groupId: string, message: string): void {
  if (!can(actor, action, { type: "group", groupId })) throw new AppError("FORBIDDEN", message);
}

function assertMayRun(actor: Actor, meeting: Meeting, message: string): void {
  if (!can(actor, "meeting.run", meetingResource(actor, meeting))) throw new AppError("FORBIDDEN", message);
}

/** The agenda document's text: a heading and the items, numbered. */
function agendaDocumentBlocks(title: string, when: string, items: readonly { title: string }[]): DocumentBlock[] {
  return [
    { type: "heading", level: 1, content: `Agenda: ${title}` },
    { type: "paragraph", content: when },
    { type: "orderedList", items: items.map((item) => item.title) },
  ];
}

/**
 * Schedules a meeting with an agenda from the group's template and a co-edited agenda document,
 * and tells the members (in the app and by email, with a link to the meeting and its invite).
 */
export async function scheduleMeeting(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: ScheduleMeetingInput,
): Promise<string> {
  assertMay(actor, "meeting.manage", input.groupId, "Only the chair or the secretary can schedule meetings");
  const details = meetingInstant(input);
  const ownItems = (input.items ?? []).map((item) => {
    const title = item.title.trim();
    if (title.length === 0 || title.length > AGENDA_TITLE_MAX) {
      throw new AppError("INVALID_INPUT", `Agenda items need a title of 1 to ${AGENDA_TITLE_MAX} characters`, "items");
    }
    return { kind: "item" as AgendaItemKind, title, presenter: item.presenter?.trim() || null, minutes: item.minutes ?? null };
  });
  const standing = templateItems(new Set(input.openers)).map((item) => ({
    kind: item.kind,
    title: item.title,
    presenter: null,
    minutes: item.minutes as number | null,
  }));
  const items = insertBeforeGeneralBusiness(standing, ownItems);
  const when = meetingWhen({ starts_at: details.startsAt, duration_minutes: input.durationMinutes });

  const meetingId = await db.transaction().execute(async (trx) => {
    const group = await trx.selectFrom("groups").select(["id"]).where("id", "=", input.groupId).executeTakeFirst();
    if (!group) throw new AppError("NOT_FOUND", "There is no such group");
    const doc = buildDoc(agendaDocumentBlocks(details.title, when, items));
    const agendaDocument = await trx
      .insertInto("documents")
      .values({
        group_id: input.groupId,
        kind: "agenda",
        title: `Agenda: ${details.title}`.slice(0, 200),
        classification: "IN-CONFIDENCE",
        content_html: renderHtml(doc),
        content_text: renderText(doc),
        created_by: actor.id,
        updated_by: actor.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("document_snapshots")
      .values({ document_id: agendaDocument.id, state: Y.encodeStateAsUpdate(doc), last_update_id: 0 })
      .execute();
    doc.destroy();
    const meeting = await trx
      .insertInto("meetings")
      .values({
        group_id: input.groupId,
        title: details.title,
        starts_at: details.startsAt,
        duration_minutes: input.durationMinutes,
        location: details.location,
        online_url: details.onlineUrl,
        agenda_document_id: agendaDocument.id,
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
    await recordAudit(trx, {
      actorId: actor.id,
      action: "meeting.scheduled",
      groupId: input.groupId,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      // Ids and times only: the audit log is read by administrators who are not members.
      details: { startsAt: details.startsAt.toISOString(), durationMinutes: input.durationMinutes, agendaDocumentId: agendaDocument.id, items: items.length },
    });
    return meeting.id;
  });

  if (services) {
    const recipients = (await meetingInviteeIds(db, input.groupId)).filter((id) => id !== actor.id);
    await notify(services, {
      recipientIds: recipients,
      kind: "meeting.scheduled",
      title: `Meeting scheduled: ${details.title}`,
      body: `${when} (New Zealand time)${details.location ? `, ${details.location}` : ""}${details.onlineUrl ? `, online: ${details.onlineUrl}` : ""}. Add it to your calendar from the meeting page.`,
      link: `/groups/${input.groupId}/meetings/${meetingId}`,
      groupId: input.groupId,
    });
  }
  return meetingId;
}

/** Locks the meeting row for a change; NOT_FOUND when there is no such meeting. */
async function lockMeeting(trx: Transaction<Database>, meetingId: string): Promise<Meeting> {
  if (!isUuid(meetingId)) throw new AppError("NOT_FOUND", "There is no such meeting");
  const meeting = await trx.selectFrom("meetings").selectAll().where("id", "=", meetingId).forUpdate().executeTakeFirst();
  if (!meeting) throw new AppError("NOT_FOUND", "There is no such meeting");
  return meeting;
}

/** Moves a scheduled meeting (date, time, length, place); calendars replace the old event. */
export async function rescheduleMeeting(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: MeetingDetailsInput & { meetingId: string; ip?: string | null },
): Promise<void> {
  const details = meetingInstant(input);
  const { meeting, moved } = await db.transaction().execute(async (trx) => {
    const meeting = await lockMeeting(trx, input.meetingId);
    assertMay(actor, "meeting.manage", meeting.group_id, "Only the chair or the secretary can change a meeting");
    if (meeting.status === "cancelled") throw new AppError("MEETING_CANCELLED", "This meeting was cancelled");
    if (meeting.status !== "scheduled") throw new AppError("MEETING_NOT_SCHEDULED", "A meeting that has started can no longer be moved");
    const moved = meeting.starts_at.getTime() !== details.startsAt.getTime() || meeting.duration_minutes !== input.durationMinutes;
    await trx
      .updateTable("meetings")
      .set({
        title: details.title,
        starts_at: details.startsAt,
        duration_minutes: input.durationMinutes,
        location: details.location,
        online_url: details.onlineUrl,
        sequence: sql`sequence + 1`,
        updated_at: new Date(),
      })
      .where("id", "=", meeting.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "meeting.rescheduled",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      details: {
        from: { startsAt: meeting.starts_at.toISOString(), durationMinutes: meeting.duration_minutes },
        to: { startsAt: details.startsAt.toISOString(), durationMinutes: input.durationMinutes },
        changed: [
          meeting.title !== details.title ? "title" : null,
          meeting.starts_at.getTime() !== details.startsAt.getTime() ? "start" : null,
          meeting.duration_minutes !== input.durationMinutes ? "length" : null,
          meeting.location !== details.location ? "place" : null,
          meeting.online_url !== details.onlineUrl ? "online link" : null,
        ].filter(Boolean),
      },
    });
    return { meeting, moved };
  });
  if (!services) return;
  announceMeetingChange(services, meeting.id, "rescheduled");
  const when = meetingWhen({ starts_at: details.startsAt, duration_minutes: input.durationMinutes });
  await notify(services, {
    recipientIds: (await meetingInviteeIds(db, meeting.group_id)).filter((id) => id !== actor.id),
    kind: "meeting.rescheduled",
    title: moved ? `Meeting moved: ${details.title}` : `Meeting details changed: ${details.title}`,
    body: `Now ${when} (New Zealand time)${details.location ? `, ${details.location}` : ""}${details.onlineUrl ? `, online: ${details.onlineUrl}` : ""}. Calendars subscribed to the group's feed update by themselves; a downloaded invite needs downloading again.`,
    link: `/groups/${meeting.group_id}/meetings/${meeting.id}`,
    groupId: meeting.group_id,
  });
}

/** Cancels a scheduled meeting, with a reason the members are told. It stays on record. */
export async function cancelMeeting(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; reason: string; ip?: string | null },
): Promise<void> {
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > CANCEL_REASON_MAX) {
    throw new AppError("INVALID_INPUT", `Give a reason of 1 to ${CANCEL_REASON_MAX} characters`, "reason");
  }
  const meeting = await db.transaction().execute(async (trx) => {
    const meeting = await lockMeeting(trx, input.meetingId);
    assertMay(actor, "meeting.manage", meeting.group_id, "Only the chair or the secretary can cancel a meeting");
    if (meeting.status === "cancelled") throw new AppError("MEETING_CANCELLED", "This meeting is already cancelled");
    if (meeting.status !== "scheduled") throw new AppError("MEETING_NOT_SCHEDULED", "A meeting that has started cannot be cancelled");
    await trx
      .updateTable("meetings")
      .set({ status: "cancelled", cancelled_at: new Date(), cancelled_by: actor.id, cancel_reason: reason, sequence: sql`sequence + 1`, updated_at: new Date() })
      .where("id", "=", meeting.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "meeting.cancelled",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      details: { reasonGiven: true },
    });
    return meeting;
  });
  if (!services) return;
  announceMeetingChange(services, meeting.id, "cancelled");
  await notify(services, {
    recipientIds: (await meetingInviteeIds(db, meeting.group_id)).filter((id) => id !== actor.id),
    kind: "meeting.cancelled",
    title: `Meeting cancelled: ${meeting.title}`,
    body: `The meeting on ${meetingWhen(meeting)} is cancelled. Reason: ${reason}`,
    link: `/groups/${meeting.group_id}/meetings/${meeting.id}`,
    groupId: meeting.group_id,
  });
}

// ---- the agenda ---------------------------------------------------------------------------------

/** Locks a meeting whose agenda may still change: not cancelled, not closed. */
async function lockAgendaMeeting(trx: Transaction<Database>, actor: Actor, meetingId: string): Promise<Meeting> {
  const meeting = await lockMeeting(trx, meetingId);
  assertMay(actor, "meeting.manage", meeting.group_id, "Only the chair or the secretary can change the agenda");
  if (meeting.status === "cancelled") throw new AppError("MEETING_CANCELLED", "This meeting was cancelled");
  if (meeting.status === "closed") throw new AppError("MEETING_NOT_SCHEDULED", "This meeting has ended; its agenda is part of the record");
  return meeting;
}

export interface AgendaItemInput {
  title: string;
  presenter: string | null;
  minutesAllotted: number | null;
  /** Documents of the group to link as the item's papers. */
  paperIds: readonly string[];
}

function checkAgendaItem(input: AgendaItemInput): AgendaItemInput {
  const title = input.title.trim();
  if (title.length === 0 || title.length > AGENDA_TITLE_MAX) {
    throw new AppError("INVALID_INPUT", `Give the item a title of 1 to ${AGENDA_TITLE_MAX} characters`, "title");
  }
  const presenter = input.presenter?.trim() || null;
  if (presenter && presenter.length > 200) throw new AppError("INVALID_INPUT", "Keep the presenter's name to 200 characters", "presenter");
  const minutes = input.minutesAllotted;
  if (minutes !== null && (!Number.isInteger(minutes) || minutes < 1 || minutes > 600)) {
    throw new AppError("INVALID_INPUT", "Time allotted is a whole number of minutes from 1 to 600", "minutesAllotted");
  }
  return { title, presenter, minutesAllotted: minutes, paperIds: [...new Set(input.paperIds)] };
}

async function setPapers(trx: Transaction<Database>, meeting: Meeting, itemId: string, paperIds: readonly string[]): Promise<void> {
  if (paperIds.some((id) => !isUuid(id))) throw new AppError("INVALID_INPUT", "Choose papers from the group's documents", "paperIds");
  if (paperIds.length > 0) {
    const found = await trx
      .selectFrom("documents")
      .select("id")
      .where("id", "in", paperIds)
      .where("group_id", "=", meeting.group_id)
      .where("archived_at", "is", null)
      .execute();
    if (found.length !== paperIds.length) throw new AppError("INVALID_INPUT", "Choose papers from the group's documents", "paperIds");
  }
  await trx.deleteFrom("agenda_item_papers").where("agenda_item_id", "=", itemId).execute();
  if (paperIds.length > 0) {
    await trx
      .insertInto("agenda_item_papers")
      .values(paperIds.map((documentId, index) => ({ agenda_item_id: itemId, document_id: documentId, position: index + 1 })))
      .execute();
  }
}

/** Adds an item at the end of the agenda (before general business and closing items). */
export async function addAgendaItem(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: AgendaItemInput & { meetingId: string; ip?: string | null },
): Promise<string> {
  const item = checkAgendaItem(input);
  const { meeting, itemId } = await db.transaction().execute(async (trx) => {
    const meeting = await lockAgendaMeeting(trx, actor, input.meetingId);
    const existing = await trx.selectFrom("agenda_items").select(["id", "position", "kind"]).where("meeting_id", "=", meeting.id).orderBy("position").execute();
    const tail = existing.findIndex((row) => row.kind === "general_business" || row.kind === "closing");
    const position = tail === -1 ? existing.length + 1 : existing[tail]!.position;
    // Make room: everything from `position` on moves down one (checked at commit).
    await trx.updateTable("agenda_items").set({ position: sql`position + 1` }).where("meeting_id", "=", meeting.id).where("position", ">=", position).execute();
    const created = await trx
      .insertInto("agenda_items")
      .values({ meeting_id: meeting.id, position, title: item.title, presenter: item.presenter, minutes_allotted: item.minutesAllotted, kind: "item" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await setPapers(trx, meeting, created.id, item.paperIds);
    await recordAudit(trx, {
      actorId: actor.id,
      action: "agenda.item_added",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      details: { itemId: created.id, position, paperIds: item.paperIds },
    });
    return { meeting, itemId: created.id };
  });
  if (services) announceMeetingChange(services, meeting.id, "agenda");
  return itemId;
}

/** Changes an item's title, presenter, time or papers. */
export async function updateAgendaItem(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: AgendaItemInput & { meetingId: string; itemId: string; ip?: string | null },
): Promise<void> {
  const item = checkAgendaItem(input);
  const meeting = await db.transaction().execute(async (trx) => {
    const meeting = await lockAgendaMeeting(trx, actor, input.meetingId);
    const existing = await findItem(trx, meeting.id, input.itemId);
    await trx
      .updateTable("agenda_items")
      .set({ title: item.title, presenter: item.presenter, minutes_allotted: item.minutesAllotted, updated_at: new Date() })
      .where("id", "=", existing.id)
      .execute();
    await setPapers(trx, meeting, existing.id, item.paperIds);
    await recordAudit(trx, {
      actorId: actor.id,
      action: "agenda.item_changed",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      details: { itemId: existing.id, minutesAllotted: item.minutesAllotted, paperIds: item.paperIds },
    });
    return meeting;
  });
  if (services) announceMeetingChange(services, meeting.id, "agenda");
}

async function findItem(trx: Db, meetingId: string, itemId: string) {
  if (!isUuid(itemId)) throw new AppError("NOT_FOUND", "There is no such agenda item");
  const item = await trx.selectFrom("agenda_items").selectAll().where("id", "=", itemId).where("meeting_id", "=", meetingId).executeTakeFirst();
  if (!item) throw new AppError("NOT_FOUND", "There is no such agenda item");
  return item;
}

/** Removes an item, unless decisions were recorded under it or the meeting is on it now. */
export async function removeAgendaItem(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; itemId: string; ip?: string | null },
): Promise<void> {
  const meeting = await db.transaction().execute(async (trx) => {
    const meeting = await lockAgendaMeeting(trx, actor, input.meetingId);
    const item = await findItem(trx, meeting.id, input.itemId);
    if (meeting.current_agenda_item_id === item.id) {
      throw new AppError("AGENDA_ITEM_IN_USE", "The meeting is on this item now; move to another item first");
    }
    const used = await trx.selectFrom("decisions").select("id").where("agenda_item_id", "=", item.id).executeTakeFirst();
    const declared = await trx.selectFrom("conflict_declarations").select("id").where("agenda_item_id", "=", item.id).executeTakeFirst();
    if (used || declared) {
      throw new AppError("AGENDA_ITEM_IN_USE", "Decisions or conflicts of interest are recorded under this item, so it stays on the agenda");
    }
    await trx.deleteFrom("agenda_items").where("id", "=", item.id).execute();
    await trx.updateTable("agenda_items").set({ position: sql`position - 1` }).where("meeting_id", "=", meeting.id).where("position", ">", item.position).execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "agenda.item_removed",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      details: { itemId: item.id, position: item.position },
    });
    return meeting;
  });
  if (services) announceMeetingChange(services, meeting.id, "agenda");
}

/** Moves an item to position `toPosition` (1 = first); the others close up around it. */
export async function moveAgendaItem(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; itemId: string; toPosition: number; ip?: string | null },
): Promise<void> {
  const meeting = await db.transaction().execute(async (trx) => {
    const meeting = await lockAgendaMeeting(trx, actor, input.meetingId);
    const items = await trx.selectFrom("agenda_items").select(["id", "position"]).where("meeting_id", "=", meeting.id).orderBy("position").execute();
    const from = items.findIndex((item) => item.id === input.itemId);
    if (from === -1) throw new AppError("NOT_FOUND", "There is no such agenda item");
    if (!Number.isInteger(input.toPosition) || input.toPosition < 1 || input.toPosition > items.length) {
      throw new AppError("INVALID_INPUT", `Choose a position from 1 to ${items.length}`, "toPosition");
    }
    const order = items.map((item) => item.id);
    const [moved] = order.splice(from, 1);
    order.splice(input.toPosition - 1, 0, moved!);
    if (order.every((id, index) => id === items[index]!.id)) return meeting;
    // Positions are unique per meeting, checked at commit: every row can take its new place now.
    for (const [index, id] of order.entries()) {
      if (items.find((item) => item.id === id)!.position !== index + 1) {
        await trx.updateTable("agenda_items").set({ position: index + 1, updated_at: new Date() }).where("id", "=", id).execute();
      }
    }
    await recordAudit(trx, {
      actorId: actor.id,
      action: "agenda.reordered",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      details: { itemId: input.itemId, from: from + 1, to: input.toPosition },
    });
    return meeting;
  });
  if (services) announceMeetingChange(services, meeting.id, "agenda");
}

// ---- live meeting mode ----------------------------------------------------------------------------

/**
 * The chair opens the meeting: it is in progress, on its first agenda item, and its draft minute
 * exists so decisions can be recorded.
 */
export async function startMeeting(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; ip?: string | null; now?: Date },
): Promise<void> {
  const now = input.now ?? new Date();
  const meeting = await db.transaction().execute(async (trx) => {
    const meeting = await lockMeeting(trx, input.meetingId);
    assertMayRun(actor, meeting, "Only the chair (or the acting chair named for this meeting) can start the meeting");
    if (meeting.status === "cancelled") throw new AppError("MEETING_CANCELLED", "This meeting was cancelled");
    if (meeting.status !== "scheduled") throw new AppError("MEETING_NOT_SCHEDULED", "This meeting has already started");
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
    await recordAudit(trx, {
      actorId: actor.id,
      action: "meeting.started",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      details: { startedAt: now.toISOString() },
    });
    return meeting;
  });
  if (services) announceMeetingChange(services, meeting.id, "started");
}

/** The chair moves the meeting to an agenda item; everyone's screen follows. */
export async function moveToAgendaItem(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; itemId: string; ip?: string | null },
): Promise<void> {
  const meeting = await db.transaction().execute(async (trx) => {
    const meeting = await lockMeeting(trx, input.meetingId);
    assertMayRun(actor, meeting, "Only the chair (or the acting chair named for this meeting) can move the meeting through its agenda");
    if (meeting.status !== "in_progress") throw new AppError("MEETING_NOT_IN_PROGRESS", "This meeting is not in progress");
    const item = await findItem(trx, meeting.id, input.itemId);
    if (meeting.current_agenda_item_id === item.id) return meeting;
    await trx.updateTable("meetings").set({ current_agenda_item_id: item.id, updated_at: new Date() }).where("id", "=", meeting.id).execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "meeting.moved_to_item",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      details: { itemId: item.id, position: item.position },
    });
    return meeting;
  });
  if (services) announceMeetingChange(services, meeting.id, "item");
}

/** The chair closes the meeting; the secretary can go on drafting its minute. */
export async function endMeeting(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; ip?: string | null; now?: Date },
): Promise<void> {
  const now = input.now ?? new Date();
  const meeting = await db.transaction().execute(async (trx) => {
    const meeting = await lockMeeting(trx, input.meetingId);
    assertMayRun(actor, meeting, "Only the chair (or the acting chair named for this meeting) can end the meeting");
    if (meeting.status !== "in_progress") throw new AppError("MEETING_NOT_IN_PROGRESS", "This meeting is not in progress");
    await trx
      .updateTable("meetings")
      .set({ status: "closed", ended_at: now, current_agenda_item_id: null, updated_at: now })
      .where("id", "=", meeting.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "meeting.ended",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      details: { endedAt: now.toISOString() },
    });
    return meeting;
  });
  if (services) announceMeetingChange(services, meeting.id, "ended");
}

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
  const meeting = await db.transaction().execute(async (trx) => {
    const meeting = await lockMeeting(trx, input.meetingId);
    assertMay(actor, "meeting.manage", meeting.group_id, "Only the chair or the secretary can name an acting chair");
    if (meeting.status === "cancelled") throw new AppError("MEETING_CANCELLED", "This meeting was cancelled");
    if (meeting.status === "closed") throw new AppError("MEETING_NOT_SCHEDULED", "This meeting has ended");
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
      if (!member) throw new AppError("INVALID_INPUT", "Choose the acting chair from the group's members on the day of the meeting", "actingChair");
    }
    if (meeting.acting_chair_user_id === input.userId) return meeting;
    await trx.updateTable("meetings").set({ acting_chair_user_id: input.userId, updated_at: new Date() }).where("id", "=", meeting.id).execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "meeting.acting_chair_set",
      groupId: meeting.group_id,
      subjectType: "meeting",
      subjectId: meeting.id,
      ip: input.ip ?? null,
      details: { from: meeting.acting_chair_user_id, to: input.userId },
    });
    return meeting;
  });
  if (services) announceMeetingChange(services, meeting.id, "chair");
}
