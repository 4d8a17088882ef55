/**
 * The notification centre: telling people about something that needs them (a terms of reference
 * submitted for approval, a decision on it). A notification is a stored row per recipient, a live
 * Socket.io event `notification` to their open tabs, and an email.
 *
 * `notify` runs after the caller's transaction has committed, so a notification never announces a
 * change that was rolled back; it is best-effort: failures are logged and never undo or fail the
 * change it reports. Logs carry ids and the kind, never the title or body.
 */
import { type Kysely, type Transaction, sql } from "kysely";
import type { Database } from "../../db/database.js";
import type { NotificationEvent } from "../realtime/contract.js";
import type { AppServices, Outbox } from "../services.js";
import { isUuid } from "../utils/ids.js";
import { issueUnsubscribeToken, unsubscribeUrl } from "./notification-preferences.server.js";

type Db = Kysely<Database> | Transaction<Database>;

export type { NotificationEvent };

export interface NotifyInput {
  recipientIds: readonly string[];
  /** What happened, e.g. "approval.submitted". */
  kind: string;
  /** Says what happened and where; never the words of a document or a comment. */
  title: string;
  body: string;
  /** A same-site path, e.g. `/groups/<id>/documents/<id>`. */
  link: string;
  groupId?: string | null;
  /** The Reply-To address of each recipient's email, when they can answer it by email. */
  replyTo?: (trx: Transaction<Database>, recipientId: string) => Promise<string | undefined>;
  /** What an email with a Reply-To says about answering it; by default, answering in the thread. */
  replyHint?: string;
}

/** The services `notify` uses: `context.services` in a loader or action. */
export type NotifyServices = Pick<AppServices, "db" | "logger"> & {
  jobs: Outbox;
  realtime: Pick<AppServices["realtime"], "emitToUser">;
  config: Pick<AppServices["config"], "publicUrl">;
};

/** A notification stored in a transaction, to push to the person's tabs once it commits. */
export interface StoredNotification {
  id: string;
  userId: string;
  title: string;
  body: string;
  link: string;
  createdAt: Date;
}

const NOTIFICATION_TITLE_MAX = 200;

/** Same-site paths only: never another site's address, nor a protocol-relative `//host`. */
export function isSameSitePath(link: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  return /^\/(?![/\\])/.test(link) && !/[\u0000-\u001f\u007f]/.test(link);
}

/**
 * In the caller's transaction: stores one notification per recipient (each once, skipping
 * disabled accounts) and queues its email for those who want one at once. Push what it returns
 * with `pushNotifications` after the commit. A command calls this inside its change, so the
 * change and the news of it commit together or not at all.
 */
export async function recordNotifications(
  trx: Transaction<Database>,
  services: Pick<NotifyServices, "jobs" | "config">,
  input: NotifyInput,
): Promise<StoredNotification[]> {
  if (!isSameSitePath(input.link)) throw new Error("a notification's link must be a same-site path");
  const recipientIds = [...new Set(input.recipientIds)];
  if (recipientIds.length === 0) return [];
  const recipients = await trx
    .selectFrom("users")
    .leftJoin("notification_preferences", "notification_preferences.user_id", "users.id")
    .select(["users.id", "users.email", "users.display_name", "notification_preferences.email_mode"])
    .where("users.id", "in", recipientIds)
    .where("users.disabled_at", "is", null)
    .execute();
  if (recipients.length === 0) return [];
  const title = input.title.slice(0, NOTIFICATION_TITLE_MAX);
  const absoluteLink = `${services.config.publicUrl}${input.link}`;
  const stored = await trx
    .insertInto("notifications")
    .values(
      recipients.map((recipient) => ({
        user_id: recipient.id,
        group_id: input.groupId ?? null,
        kind: input.kind,
        title,
        body: input.body,
        link: input.link,
      })),
    )
    .returning(["id", "user_id", "created_at"])
    .execute();
  // Email at once only for "immediate" (the default); digest readers get it in the morning.
  // `emailed_at` records that the email was handed to the queue, which delivers it.
  for (const row of stored) {
    const recipient = recipients.find((candidate) => candidate.id === row.user_id)!;
    if ((recipient.email_mode ?? "immediate") !== "immediate") continue;
    const token = await issueUnsubscribeToken(trx, row.user_id);
    const replyTo = await input.replyTo?.(trx, row.user_id);
    const answer = replyTo ? `\n\n${input.replyHint ?? "Reply to this email to answer in the thread."}` : "";
    await services.jobs.sendEmail(trx, {
      to: recipient.email,
      subject: title,
      text: `Kia ora ${recipient.display_name},\n\n${input.body}\n\n${absoluteLink}${answer}\n\nYou can see all your notifications at ${services.config.publicUrl}/notifications\n\nTo stop these emails: ${unsubscribeUrl(services.config.publicUrl, token)}\n`,
      ...(replyTo ? { replyTo } : {}),
    });
    await trx.updateTable("notifications").set({ emailed_at: new Date() }).where("id", "=", row.id).execute();
  }
  return stored.map((row) => ({ id: row.id, userId: row.user_id, title, body: input.body, link: input.link, createdAt: row.created_at }));
}

/** After the commit: each stored notification to its person's open tabs. Never throws. */
export async function pushNotifications(
  services: Pick<NotifyServices, "db" | "logger" | "realtime">,
  stored: readonly StoredNotification[],
): Promise<void> {
  for (const notification of stored) {
    try {
      const event: NotificationEvent = {
        id: notification.id,
        title: notification.title,
        body: notification.body,
        link: notification.link,
        createdAt: notification.createdAt.toISOString(),
        unreadCount: await unreadCount(services.db, notification.userId),
      };
      services.realtime.emitToUser(notification.userId, "notification", event);
    } catch (error) {
      services.logger.error({ category: "notification", notificationId: notification.id, userId: notification.userId, err: error }, "live notification failed");
    }
  }
}

/**
 * Stores, emails and pushes a notification in a transaction of its own, after the change it
 * reports has committed. Never throws: a failure is logged, and the change it reports stands.
 * (A command that can, records its notifications in its own transaction instead.)
 */
export async function notify(services: NotifyServices, input: NotifyInput): Promise<void> {
  try {
    const stored = await services.db.transaction().execute((trx) => recordNotifications(trx, services, input));
    await pushNotifications(services, stored);
    services.logger.info({ category: "notification", kind: input.kind, groupId: input.groupId ?? null, recipients: stored.length }, "notified");
  } catch (error) {
    services.logger.error({ category: "notification", kind: input.kind, groupId: input.groupId ?? null, err: error }, "notify failed");
  }
}

/** A person's notifications, newest first. */
export async function listNotifications(db: Db, userId: string, options: { limit?: number } = {}) {
  return db
    .selectFrom("notifications")
    .select(["id", "kind", "title", "body", "link", "group_id", "created_at", "read_at"])
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(options.limit ?? 100)
    .execute();
}

/** How many of a person's notifications they have not opened or marked as read. */
export async function unreadCount(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom("notifications")
    .select((eb) => eb.fn.countAll<string | number>().as("count"))
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Marks one of the person's own notifications as read (again is harmless); returns its link, or
 * undefined when there is no such notification of theirs.
 */
export async function markRead(db: Db, userId: string, notificationId: string): Promise<string | undefined> {
  if (!isUuid(notificationId)) return undefined;
  const row = await db
    .updateTable("notifications")
    .set({ read_at: sql<Date>`coalesce(read_at, now())` })
    .where("id", "=", notificationId)
    .where("user_id", "=", userId)
    .returning("link")
    .executeTakeFirst();
  return row?.link;
}

/** Marks all the person's notifications as read; returns how many were unread. */
export async function markAllRead(db: Db, userId: string): Promise<number> {
  const result = await db
    .updateTable("notifications")
    .set({ read_at: new Date() })
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
