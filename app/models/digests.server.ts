/**
 * The daily digest: for each person who chose "daily_digest", one email with every notification
 * not yet emailed, grouped by group and then by document, each with a link to the exact item.
 * Sent notifications are marked `emailed_at` in the transaction that queues the email, so running
 * it again, or in two processes at once, sends nothing twice.
 *
 * The job queue checks every hour, once across all processes (server/jobs/job-queue.ts): the first
 * check at or after 7 am New Zealand time sends that morning's digests, so a server that was down
 * at 7 catches up when it is back, and the mark in `schedule_marks` keeps it to once a day.
 */
import { formatNzDateTime, nzCalendarDate, nzWallClockInstant } from "../utils/dates.js";
import type { NotifyServices } from "./notifications.server.js";
import { issueUnsubscribeToken, unsubscribeUrl } from "./notification-preferences.server.js";
import { readScheduleMark, writeScheduleMark } from "./schedule-marks.server.js";

export type DigestServices = Pick<NotifyServices, "db" | "logger" | "jobs" | "config">;

export const DIGEST_HOUR = 7;
const markName = "daily-digest";

/**
 * The hourly check: sends the digests due at the last 7 am (notifications up to then) unless they
 * have gone already. Returns how many emails were queued, or null when there was nothing due.
 */
export async function runDailyDigest(services: DigestServices, now: Date = new Date()): Promise<number | null> {
  const sendAt = lastDigestTime(now);
  const sentUpTo = await readScheduleMark(services.db, markName);
  if (sentUpTo && sentUpTo >= sendAt) return null;
  const sent = await sendDailyDigests(services, sendAt);
  await writeScheduleMark(services.db, markName, sendAt);
  return sent;
}

const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const documentLinkPattern = new RegExp(`^/groups/(${uuid})/documents/(${uuid})(?:[/?#]|$)`, "i");

/** The latest 7 am New Zealand time at or before `now`. */
export function lastDigestTime(now: Date): Date {
  const today = nzWallClockInstant(nzCalendarDate(now), DIGEST_HOUR);
  if (today <= now) return today;
  return nzWallClockInstant(nzCalendarDate(new Date(now.getTime() - 24 * 60 * 60 * 1000)), DIGEST_HOUR);
}

/**
 * Sends one digest email to each digest reader with notifications created up to `now` (since
 * they chose the digest) and not yet emailed. Returns how many emails went out. A failure for
 * one person is logged and leaves their notifications for the next run.
 */
export async function sendDailyDigests(services: DigestServices, now: Date = new Date()): Promise<number> {
  const { db, logger } = services;
  const rows = await db
    .selectFrom("notifications")
    .innerJoin("notification_preferences", "notification_preferences.user_id", "notifications.user_id")
    .innerJoin("users", "users.id", "notifications.user_id")
    .leftJoin("groups", "groups.id", "notifications.group_id")
    .select([
      "notifications.id",
      "notifications.user_id",
      "notifications.title",
      "notifications.body",
      "notifications.link",
      "notifications.created_at",
      "users.email",
      "users.display_name",
      "groups.name as group_name",
    ])
    .where("notification_preferences.email_mode", "=", "daily_digest")
    .where("users.disabled_at", "is", null)
    .where("notifications.emailed_at", "is", null)
    .where("notifications.created_at", "<=", now)
    .where((eb) => eb("notifications.created_at", ">=", eb.ref("notification_preferences.updated_at")))
    .orderBy("notifications.user_id")
    .orderBy("notifications.created_at")
    .orderBy("notifications.id")
    .execute();
  if (rows.length === 0) return 0;

  // Document titles for the links that point into a document.
  const documentIds = [...new Set(rows.map((row) => documentLinkPattern.exec(row.link)?.[2]).filter((id): id is string => !!id))];
  const titles = new Map<string, string>();
  if (documentIds.length > 0) {
    const documents = await db
      .selectFrom("documents")
      .select(["id", "title"])
      .where("id", "in", documentIds)
      .execute();
    for (const document of documents) titles.set(document.id, document.title);
  }

  const byUser = new Map<string, typeof rows>();
  for (const row of rows) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row]);

  let sent = 0;
  for (const [userId, notifications] of byUser) {
    try {
      const first = notifications[0]!;
      const queued = await db.transaction().execute(async (trx) => {
        // Only those still unsent: another run that got here first has taken the rest.
        const taken = await trx
          .updateTable("notifications")
          .set({ emailed_at: now })
          .where("id", "in", notifications.map((notification) => notification.id))
          .where("emailed_at", "is", null)
          .returning("id")
          .execute();
        const takenIds = new Set(taken.map((row) => row.id));
        const items = notifications.filter((notification) => takenIds.has(notification.id));
        if (items.length === 0) return false;
        const token = await issueUnsubscribeToken(trx, userId);
        await services.jobs.sendEmail(trx, {
          to: first.email,
          subject: `Your daily summary: ${items.length} notification${items.length === 1 ? "" : "s"}`,
          text: digestText(services.config.publicUrl, first.display_name, items, titles, token),
        });
        return true;
      });
      if (queued) sent += 1;
    } catch (error) {
      logger.error({ category: "digest", userId, err: error }, "daily digest failed");
    }
  }
  logger.info({ category: "digest", emails: sent, notifications: rows.length }, "daily digests sent");
  return sent;
}

interface DigestItem {
  title: string;
  body: string;
  link: string;
  created_at: Date;
  group_name: string | null;
}

/** Sections per group ("Other" last), then per document within a group, oldest first. */
function digestText(publicUrl: string, name: string, items: DigestItem[], titles: Map<string, string>, token: string): string {
  const groups = new Map<string, Map<string, DigestItem[]>>();
  for (const item of items) {
    const groupName = item.group_name ?? "Other";
    const documentId = documentLinkPattern.exec(item.link)?.[2];
    const heading = documentId ? (titles.get(documentId) ?? "A document") : "General";
    const sections = groups.get(groupName) ?? new Map<string, DigestItem[]>();
    sections.set(heading, [...(sections.get(heading) ?? []), item]);
    groups.set(groupName, sections);
  }
  const lines = [`Kia ora ${name},`, "", "Here is what happened since your last summary.", ""];
  const ordered = [...groups.keys()].sort((a, b) => (a === "Other" ? 1 : b === "Other" ? -1 : a.localeCompare(b, "en-NZ")));
  for (const groupName of ordered) {
    lines.push(`== ${groupName} ==`, "");
    for (const [heading, sectionItems] of groups.get(groupName)!) {
      lines.push(`-- ${heading} --`);
      for (const item of sectionItems) {
        lines.push(`* ${item.title} (${formatNzDateTime(item.created_at)})`, `  ${item.body}`, `  ${publicUrl}${item.link}`);
      }
      lines.push("");
    }
  }
  lines.push(
    `You can see all your notifications at ${publicUrl}/notifications`,
    `Change how we email you: ${publicUrl}/account/notifications`,
    `To stop these emails: ${unsubscribeUrl(publicUrl, token)}`,
    "",
  );
  return lines.join("\n");
}
