/**
 * Meetings in people's calendars: an ICS invite for one meeting, and a private feed of all the
 * group's meetings that calendar apps subscribe to. Times are written as UTC instants (DTSTART
 * …Z), which every calendar shows in its own time zone, so a meeting across a daylight-saving
 * change keeps its real start and end. Each event's UID is stable and its SEQUENCE goes up with
 * each reschedule or cancellation, so calendars replace the event rather than adding another.
 *
 * A feed's address carries a secret (only its SHA-256 is stored); the person can replace it,
 * which stops the old address at once, and it stops answering when they leave the group.
 */
import { type EventAttributes, createEvents } from "ics";
import type { Kysely } from "kysely";
import type { Database, Meeting } from "../../db/database.js";
import { createEmailToken, hashEmailToken, isWellFormedEmailToken } from "../auth/tokens.server.js";
import { type Actor, can } from "../policy/policy.js";
import { forbidden } from "../errors.js";
import { loadActor } from "./actor.server.js";
import { runCommand } from "./command.server.js";
import { type Db, meetingAgenda, meetingEndsAt } from "./meetings.server.js";
import { groupResource } from "./policy-resources.server.js";

export interface CalendarGroup {
  id: string;
  name: string;
}

/** The calendar event for a meeting, for an invite or a feed. */
export function meetingEvent(meeting: Meeting, group: CalendarGroup, publicUrl: string, agenda: readonly { position: number; title: string }[] = []): EventAttributes {
  const link = `${publicUrl}/groups/${group.id}/meetings/${meeting.id}`;
  const lines = [
    meeting.status === "cancelled" ? `Cancelled${meeting.cancel_reason ? `: ${meeting.cancel_reason}` : ""}` : null,
    `${group.name}.`,
    meeting.online_url ? `Join online: ${meeting.online_url}` : null,
    agenda.length > 0 ? `Agenda:\n${agenda.map((item) => `${item.position}. ${item.title}`).join("\n")}` : null,
    `Meeting page, papers and agenda: ${link}`,
  ].filter((line): line is string => line !== null);
  return {
    // Independent of PUBLIC_URL, so moving the site never duplicates subscribed events.
    uid: `meeting-${meeting.id}@stewardship-workspace`,
    sequence: meeting.sequence,
    start: meeting.starts_at.getTime(),
    startInputType: "utc",
    startOutputType: "utc",
    end: meetingEndsAt(meeting).getTime(),
    endInputType: "utc",
    endOutputType: "utc",
    title: meeting.status === "cancelled" ? `Cancelled: ${meeting.title}` : meeting.title,
    description: lines.join("\n\n"),
    location: meeting.location ?? meeting.online_url ?? undefined,
    url: link,
    status: meeting.status === "cancelled" ? "CANCELLED" : "CONFIRMED",
    busyStatus: meeting.status === "cancelled" ? "FREE" : "BUSY",
    lastModified: meeting.updated_at.getTime(),
    created: meeting.created_at.getTime(),
  };
}

function toIcs(events: EventAttributes[], calName: string): string {
  const { error, value } = createEvents(events, { productId: "-//Stewardship Workspace//Meetings//EN", method: "PUBLISH", calName });
  if (error || value === null) throw error ?? new Error("could not write the calendar");
  return value;
}

/** An ICS file with one meeting, to download and add to a calendar. */
export async function meetingInviteIcs(db: Db, meeting: Meeting, group: CalendarGroup, publicUrl: string): Promise<string> {
  return toIcs([meetingEvent(meeting, group, publicUrl, await meetingAgenda(db, meeting.id))], `${group.name}: ${meeting.title}`);
}

/** The group's meetings from a year ago on, cancelled ones marked so calendars remove them. */
export async function groupCalendarIcs(db: Db, group: CalendarGroup, publicUrl: string, now = new Date()): Promise<string> {
  const meetings = await db
    .selectFrom("meetings")
    .selectAll()
    .where("group_id", "=", group.id)
    // The record of decisions made between meetings is no event in anyone's calendar.
    .where("kind", "=", "meeting")
    .where("starts_at", ">=", new Date(now.getTime() - 366 * 24 * 3600 * 1000))
    .orderBy("starts_at")
    .execute();
  const events = await Promise.all(meetings.map(async (meeting) => meetingEvent(meeting, group, publicUrl, await meetingAgenda(db, meeting.id))));
  return toIcs(events, group.name);
}

/** The person's feed for the group, if they have one. */
export async function activeCalendarFeed(db: Db, userId: string, groupId: string) {
  return db
    .selectFrom("calendar_feeds")
    .select(["id", "created_at"])
    .where("user_id", "=", userId)
    .where("group_id", "=", groupId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
}

/**
 * Gives the person a new private feed address for the group's meetings, replacing (and so
 * stopping) any earlier one. Returns the secret for the address; it is not kept anywhere.
 */
export async function createCalendarFeed(db: Kysely<Database>, actor: Actor, groupId: string, ip?: string | null): Promise<string> {
  const { token, tokenHash } = createEmailToken();
  await runCommand(db, {
    lock: async () => groupResource(groupId),
    check: (group) => {
      if (!can(actor, "meeting.view", group)) throw forbidden("You cannot see this group's meetings");
    },
    change: async (trx) => {
      await trx
        .updateTable("calendar_feeds")
        .set({ revoked_at: new Date() })
        .where("user_id", "=", actor.id)
        .where("group_id", "=", groupId)
        .where("revoked_at", "is", null)
        .execute();
      return trx.insertInto("calendar_feeds").values({ user_id: actor.id, group_id: groupId, token_hash: tokenHash }).returning("id").executeTakeFirstOrThrow();
    },
    audit: (_group, feed) => ({ actorId: actor.id, action: "calendar.feed_created", groupId, subjectType: "calendar_feed", subjectId: feed.id, ip: ip ?? null }),
  });
  return token;
}

/** Stops the person's feed for the group. */
export async function revokeCalendarFeed(db: Kysely<Database>, actor: Actor, groupId: string, ip?: string | null): Promise<boolean> {
  const revoked = await runCommand(db, {
    lock: async () => groupResource(groupId),
    change: (trx) =>
      trx
        .updateTable("calendar_feeds")
        .set({ revoked_at: new Date() })
        .where("user_id", "=", actor.id)
        .where("group_id", "=", groupId)
        .where("revoked_at", "is", null)
        .returning("id")
        .execute(),
    audit: (_group, feeds) =>
      feeds.map((feed) => ({ actorId: actor.id, action: "calendar.feed_revoked", groupId, subjectType: "calendar_feed", subjectId: feed.id, ip: ip ?? null })),
  });
  return revoked.length > 0;
}

/**
 * The calendar behind a feed address, or undefined when the address is unknown, replaced, or its
 * owner may no longer see the group's meetings (left the group, account disabled).
 */
export async function calendarForFeedToken(db: Kysely<Database>, token: string, publicUrl: string): Promise<string | undefined> {
  if (!isWellFormedEmailToken(token)) return undefined;
  const feed = await db
    .selectFrom("calendar_feeds")
    .innerJoin("users", "users.id", "calendar_feeds.user_id")
    .innerJoin("groups", "groups.id", "calendar_feeds.group_id")
    .select(["users.id as userId", "users.email", "users.display_name", "users.is_platform_admin", "users.disabled_at", "groups.id as groupId", "groups.name"])
    .where("calendar_feeds.token_hash", "=", hashEmailToken(token))
    .where("calendar_feeds.revoked_at", "is", null)
    .executeTakeFirst();
  if (!feed || feed.disabled_at !== null) return undefined;
  const actor = await loadActor(db, { id: feed.userId, email: feed.email, displayName: feed.display_name, isPlatformAdmin: feed.is_platform_admin });
  if (!can(actor, "meeting.view", groupResource(feed.groupId))) return undefined;
  return groupCalendarIcs(db, { id: feed.groupId, name: feed.name }, publicUrl);
}
