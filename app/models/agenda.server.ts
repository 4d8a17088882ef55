/**
 * A meeting's agenda (journey 4): ordered items with presenter, time and papers (documents of the
 * group), changed by the chair or secretary until the meeting ends: added before general business
 * and the closing items, changed, removed (unless the record needs them) and reordered. Everyone
 * with the meeting open sees each change (`meeting:changed`).
 */
import { type Kysely, type Transaction, sql } from "kysely";
import type { Database, Meeting } from "../../db/database.js";
import { conflict, invalidInput, notFound } from "../errors.js";
import type { Actor } from "../policy/policy.js";
import { isUuid } from "../utils/ids.js";
import { type MeetingServices, assertMayOnMeeting, assertNotCancelled, findAgendaItem, lockMeeting, runMeetingChange } from "./meeting-command.server.js";

export interface AgendaItemInput {
  title: string;
  presenter: string | null;
  minutesAllotted: number | null;
  /** Documents of the group to link as the item's papers. */
  paperIds: readonly string[];
}

/** Locks a meeting whose agenda may still change (not cancelled, not closed), for someone who may change it. */
async function lockAgenda(trx: Transaction<Database>, actor: Actor, meetingId: string): Promise<Meeting> {
  const meeting = await lockMeeting(trx, meetingId);
  assertMayOnMeeting(actor, "meeting.manage", meeting, "Only the chair or the secretary can change the agenda");
  assertNotCancelled(meeting);
  if (meeting.status === "closed") throw conflict("MEETING_NOT_SCHEDULED", "This meeting has ended; its agenda is part of the record");
  return meeting;
}

async function setPapers(trx: Transaction<Database>, meeting: Meeting, itemId: string, paperIds: readonly string[]): Promise<void> {
  if (paperIds.some((id) => !isUuid(id))) throw invalidInput("Choose papers from the group's documents", "paperIds");
  if (paperIds.length > 0) {
    const found = await trx
      .selectFrom("documents")
      .select("id")
      .where("id", "in", paperIds)
      .where("group_id", "=", meeting.group_id)
      .where("archived_at", "is", null)
      .execute();
    if (found.length !== paperIds.length) throw invalidInput("Choose papers from the group's documents", "paperIds");
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
  const paperIds = [...new Set(input.paperIds)];
  return runMeetingChange(db, services, { actor, ip: input.ip, announce: "agenda", lock: (trx) => lockAgenda(trx, actor, input.meetingId) }, async (trx, meeting) => {
    const existing = await trx.selectFrom("agenda_items").select(["id", "position", "kind"]).where("meeting_id", "=", meeting.id).orderBy("position").execute();
    const tail = existing.findIndex((row) => row.kind === "general_business" || row.kind === "closing");
    const position = tail === -1 ? existing.length + 1 : existing[tail]!.position;
    // Make room: everything from `position` on moves down one (checked at commit).
    await trx.updateTable("agenda_items").set({ position: sql`position + 1` }).where("meeting_id", "=", meeting.id).where("position", ">=", position).execute();
    const created = await trx
      .insertInto("agenda_items")
      .values({ meeting_id: meeting.id, position, title: input.title, presenter: input.presenter, minutes_allotted: input.minutesAllotted, kind: "item" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await setPapers(trx, meeting, created.id, paperIds);
    return { result: created.id, audit: { action: "agenda.item_added", details: { itemId: created.id, position, paperIds } } };
  });
}

/** Changes an item's title, presenter, time or papers. */
export async function updateAgendaItem(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: AgendaItemInput & { meetingId: string; itemId: string; ip?: string | null },
): Promise<void> {
  const paperIds = [...new Set(input.paperIds)];
  await runMeetingChange(db, services, { actor, ip: input.ip, announce: "agenda", lock: (trx) => lockAgenda(trx, actor, input.meetingId) }, async (trx, meeting) => {
    const existing = await findAgendaItem(trx, meeting.id, input.itemId);
    await trx
      .updateTable("agenda_items")
      .set({ title: input.title, presenter: input.presenter, minutes_allotted: input.minutesAllotted, updated_at: new Date() })
      .where("id", "=", existing.id)
      .execute();
    await setPapers(trx, meeting, existing.id, paperIds);
    return { result: undefined, audit: { action: "agenda.item_changed", details: { itemId: existing.id, minutesAllotted: input.minutesAllotted, paperIds } } };
  });
}

/** Removes an item, unless decisions were recorded under it or the meeting is on it now. */
export async function removeAgendaItem(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; itemId: string; ip?: string | null },
): Promise<void> {
  await runMeetingChange(db, services, { actor, ip: input.ip, announce: "agenda", lock: (trx) => lockAgenda(trx, actor, input.meetingId) }, async (trx, meeting) => {
    const item = await findAgendaItem(trx, meeting.id, input.itemId);
    if (meeting.current_agenda_item_id === item.id) {
      throw conflict("AGENDA_ITEM_IN_USE", "The meeting is on this item now; move to another item first");
    }
    const used = await trx.selectFrom("decisions").select("id").where("agenda_item_id", "=", item.id).executeTakeFirst();
    const declared = await trx.selectFrom("conflict_declarations").select("id").where("agenda_item_id", "=", item.id).executeTakeFirst();
    if (used || declared) {
      throw conflict("AGENDA_ITEM_IN_USE", "Decisions or conflicts of interest are recorded under this item, so it stays on the agenda");
    }
    await trx.deleteFrom("agenda_items").where("id", "=", item.id).execute();
    await trx.updateTable("agenda_items").set({ position: sql`position - 1` }).where("meeting_id", "=", meeting.id).where("position", ">", item.position).execute();
    return { result: undefined, audit: { action: "agenda.item_removed", details: { itemId: item.id, position: item.position } } };
  });
}

/** Moves an item to position `toPosition` (1 = first); the others close up around it. */
export async function moveAgendaItem(
  db: Kysely<Database>,
  services: MeetingServices | null,
  actor: Actor,
  input: { meetingId: string; itemId: string; toPosition: number; ip?: string | null },
): Promise<void> {
  await runMeetingChange(db, services, { actor, ip: input.ip, announce: "agenda", lock: (trx) => lockAgenda(trx, actor, input.meetingId) }, async (trx, meeting) => {
    const items = await trx.selectFrom("agenda_items").select(["id", "position"]).where("meeting_id", "=", meeting.id).orderBy("position").execute();
    const from = items.findIndex((item) => item.id === input.itemId);
    if (from === -1) throw notFound("There is no such agenda item");
    // How long the agenda is needs the database: the form only knows it is a whole number.
    if (input.toPosition < 1 || input.toPosition > items.length) throw invalidInput(`Choose a position from 1 to ${items.length}`, "toPosition");
    const order = items.map((item) => item.id);
    const [moved] = order.splice(from, 1);
    order.splice(input.toPosition - 1, 0, moved!);
    if (order.every((id, index) => id === items[index]!.id)) return { result: undefined, audit: null };
    // Positions are unique per meeting, checked at commit: every row can take its new place now.
    for (const [index, id] of order.entries()) {
      if (items.find((item) => item.id === id)!.position !== index + 1) {
        await trx.updateTable("agenda_items").set({ position: index + 1, updated_at: new Date() }).where("id", "=", id).execute();
      }
    }
    return { result: undefined, audit: { action: "agenda.reordered", details: { itemId: input.itemId, from: from + 1, to: input.toPosition } } };
  });
}
