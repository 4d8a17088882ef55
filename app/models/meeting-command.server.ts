/**
 * The shape every meeting command shares (runCommand, app/models/command.server.ts): lock the
 * meeting's row, check the policy with the meeting's own resource and the meeting's state, make
 * the change, write its audit entry about the meeting, and after the commit tell everyone with the
 * meeting open (`meeting:changed`), so their page reloads its data.
 */
import type { Transaction } from "kysely";
import type { Database, Meeting } from "../../db/database.js";
import { conflict, forbidden, notFound } from "../errors.js";
import { type Action, type Actor, can } from "../policy/policy.js";
import { meetingRoom } from "../realtime/contract.js";
import type { AppServices } from "../services.js";
import { isUuid } from "../utils/ids.js";
import type { AuditEntry } from "./audit.server.js";
import { runCommand } from "./command.server.js";
import type { Db } from "./meetings.server.js";
import type { NotifyServices } from "./notifications.server.js";
import { meetingResource } from "./policy-resources.server.js";

/** What commands need: the database, notifications, and pushes to the meeting's room. */
export type MeetingServices = NotifyServices & {
  realtime: Pick<AppServices["realtime"], "emitToUser" | "emitToRoom">;
};

/** Tells everyone with the meeting open that it changed; their page reloads its data. */
export function announceMeetingChange(services: Pick<MeetingServices, "realtime">, meetingId: string, what: string): void {
  services.realtime.emitToRoom(meetingRoom(meetingId), "meeting:changed", { meetingId, what });
}

/** Locks the meeting row for a change; NOT_FOUND when there is no such meeting. */
export async function lockMeeting(trx: Transaction<Database>, meetingId: string): Promise<Meeting> {
  const meeting = isUuid(meetingId) ? await trx.selectFrom("meetings").selectAll().where("id", "=", meetingId).forUpdate().executeTakeFirst() : undefined;
  if (!meeting) throw notFound("There is no such meeting");
  return meeting;
}

/** Refuses (FORBIDDEN, with `message`) unless the policy lets the actor take `action` on this meeting. */
export function assertMayOnMeeting(actor: Actor, action: Action, meeting: Meeting, message: string): void {
  if (!can(actor, action, meetingResource(actor, meeting))) throw forbidden(message);
}

/** Refuses a change to a meeting that was cancelled. */
export function assertNotCancelled(meeting: Meeting, message = "This meeting was cancelled"): void {
  if (meeting.status === "cancelled") throw conflict("MEETING_CANCELLED", message);
}

/** An item of this meeting's agenda, or NOT_FOUND. */
export async function findAgendaItem(trx: Db, meetingId: string, itemId: string) {
  const item = isUuid(itemId)
    ? await trx.selectFrom("agenda_items").selectAll().where("id", "=", itemId).where("meeting_id", "=", meetingId).executeTakeFirst()
    : undefined;
  if (!item) throw notFound("There is no such agenda item");
  return item;
}

/** What a meeting command's audit entry says beyond who, which meeting and from where; null when nothing changed. */
export interface MeetingAudit {
  action: string;
  details: Record<string, unknown>;
}

export interface MeetingCommand<Locked extends { meeting: Meeting }, Result> {
  lock(trx: Transaction<Database>): Promise<Locked>;
  check?(locked: Locked): void | Promise<void>;
  change(trx: Transaction<Database>, locked: Locked): Promise<Result>;
  audit(locked: Locked, result: Result): MeetingAudit | null;
  /** What the room is told changed (`meeting:changed`'s `what`), and anyone else to tell. */
  announce: string | ((services: MeetingServices, locked: Locked, result: Result) => void | Promise<void>);
}

/** Runs one meeting command (runCommand) with the audit entry about its meeting and the room told after the commit. */
export async function runMeetingCommand<Locked extends { meeting: Meeting }, Result>(
  db: Parameters<typeof runCommand>[0],
  services: MeetingServices | null,
  who: { actor: Actor; ip?: string | null },
  command: MeetingCommand<Locked, Result>,
): Promise<Result> {
  return runCommand(
    db,
    {
      lock: command.lock,
      check: command.check,
      change: command.change,
      audit: (locked, result): AuditEntry[] => {
        const entry = command.audit(locked, result);
        if (!entry) return [];
        const { meeting } = locked;
        return [{ actorId: who.actor.id, groupId: meeting.group_id, subjectType: "meeting", subjectId: meeting.id, ip: who.ip ?? null, ...entry }];
      },
      announce: async (locked, result) => {
        if (!services) return;
        if (typeof command.announce === "string") announceMeetingChange(services, locked.meeting.id, command.announce);
        else await command.announce(services, locked, result);
      },
    },
    services ? { logger: services.logger } : {},
  );
}

/** The change of a meeting command that decides its own audit entry (null when nothing changed). */
export type MeetingChange<Result> = (trx: Transaction<Database>, meeting: Meeting) => Promise<{ result: Result; audit: MeetingAudit | null }>;

/** Runs a meeting command whose checks are in its `lock` and whose change decides its own audit entry. */
export async function runMeetingChange<Result>(
  db: Parameters<typeof runCommand>[0],
  services: MeetingServices | null,
  options: { actor: Actor; ip?: string | null; lock(trx: Transaction<Database>): Promise<Meeting>; announce: string },
  change: MeetingChange<Result>,
): Promise<Result> {
  const outcome = await runMeetingCommand(db, services, options, {
    lock: async (trx) => ({ meeting: await options.lock(trx) }),
    change: (trx, { meeting }) => change(trx, meeting),
    audit: (_locked, outcome) => outcome.audit,
    announce: options.announce,
  });
  return outcome.result;
}
