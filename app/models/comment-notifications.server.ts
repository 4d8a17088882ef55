/**
 * Who hears of what happens in a document's comments, recorded in the command's own transaction
 * (app/models/notifications.server.ts `recordNotifications`), so a comment and the news of it
 * commit together:
 *
 * | event | told |
 * | --- | --- |
 * | a new thread | the document's followers (document-follows.server.ts) |
 * | a reply | everyone who took part in the thread (consultees included) |
 * | resolved or reopened | the thread's author and everyone who took part |
 * | an @mention (new, or added by an edit) | the person mentioned |
 *
 * One notification per person per event: someone mentioned hears of the mention only, even if
 * they also follow or took part. Never the person who did it; only people who may read the
 * document now (a consultee only while it is open to them), and never a disabled account.
 * Titles name the person and the document, never the words of a comment or the document.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/database.js";
import { type Actor, can } from "../policy/policy.js";
import type { Outbox } from "../services.js";
import { actorFor, rolesByUser } from "./actor.server.js";
import { followersOf } from "./document-follows.server.js";
import { type NotifyInput, type NotifyServices, type StoredNotification, recordNotifications } from "./notifications.server.js";
import { documentResource } from "./policy-resources.server.js";

type Db = Kysely<Database> | Transaction<Database>;

export interface CommentedDocument {
  id: string;
  group_id: string;
  title: string;
  archived_at: Date | null;
}

export type CommentEvent =
  | { kind: "thread"; threadId: string; body: string; quote: string; mentioned: readonly string[] }
  | { kind: "reply"; threadId: string; body: string; mentioned: readonly string[] }
  | { kind: "edit"; threadId: string; body: string; mentioned: readonly string[] }
  | { kind: "status"; threadId: string; resolved: boolean };

/** What a comment command needs to tell people: the outbox, the address links use, and Reply-To. */
export type CommentNotifyServices = Pick<NotifyServices, "config"> & {
  jobs: Outbox;
  /** The Reply-To address for one person's email about a thread, when replies by email are on. */
  replyAddress?: (trx: Transaction<Database>, recipient: { userId: string; threadId: string; documentId: string }) => Promise<string | undefined>;
};

const EXCERPT_MAX = 500;

/** Records the notifications of one comment event; push what it returns after the commit. */
export async function recordCommentNotifications(
  trx: Transaction<Database>,
  services: CommentNotifyServices,
  actor: Actor,
  document: CommentedDocument,
  event: CommentEvent,
): Promise<StoredNotification[]> {
  const author = await trx.selectFrom("users").select("display_name").where("id", "=", actor.id).executeTakeFirst();
  const who = author?.display_name ?? "Someone";
  const mentioned = new Set("mentioned" in event ? event.mentioned : []);
  const audience = await audienceOf(trx, document, event);
  const others = audience.filter((id) => !mentioned.has(id));
  const readers = await mayRead(trx, document, [...mentioned, ...others].filter((id) => id !== actor.id));
  const link = `/groups/${document.group_id}/documents/${document.id}?comments=all#thread-${event.threadId}`;
  const common = {
    link,
    groupId: document.group_id,
    replyTo: services.replyAddress
      ? (inner: Transaction<Database>, userId: string) => services.replyAddress!(inner, { userId, threadId: event.threadId, documentId: document.id })
      : undefined,
  } satisfies Partial<NotifyInput>;
  const said = "body" in event ? `\n\n“${excerpt(event.body)}”` : "";
  const on = event.kind === "thread" ? `\n\nOn the words: “${excerpt(event.quote)}”` : "";
  const stored: StoredNotification[] = [];

  const mentionedReaders = [...mentioned].filter((id) => readers.has(id));
  if (mentionedReaders.length > 0) {
    stored.push(
      ...(await recordNotifications(trx, services, {
        ...common,
        recipientIds: mentionedReaders,
        kind: "comment.mentioned",
        title: `${who} mentioned you in a comment on “${document.title}”`,
        body: `${who} mentioned you in a comment on “${document.title}”.${said}${on}`,
      })),
    );
  }
  const otherReaders = others.filter((id) => readers.has(id));
  if (otherReaders.length > 0) {
    const { kind, title, body } = wording(event, who, document.title);
    stored.push(...(await recordNotifications(trx, services, { ...common, recipientIds: otherReaders, kind, title, body: `${body}${said}${on}` })));
  }
  return stored;
}

function wording(event: CommentEvent, who: string, title: string): { kind: string; title: string; body: string } {
  switch (event.kind) {
    case "thread":
      return { kind: "comment.thread_created", title: `${who} commented on “${title}”`, body: `${who} started a comment thread on “${title}”.` };
    case "reply":
      return { kind: "comment.replied", title: `${who} replied in a comment thread on “${title}”`, body: `${who} replied in a thread you took part in on “${title}”.` };
    case "status":
      return event.resolved
        ? { kind: "comment.resolved", title: `${who} resolved a comment thread on “${title}”`, body: `${who} resolved a thread you took part in on “${title}”.` }
        : { kind: "comment.reopened", title: `${who} reopened a comment thread on “${title}”`, body: `${who} reopened a thread you took part in on “${title}”.` };
    case "edit":
      // An edit tells only the people it newly mentions.
      return { kind: "comment.edited", title: "", body: "" };
  }
}

/** Who an event concerns, before the mentions and the readers' check. */
async function audienceOf(trx: Transaction<Database>, document: CommentedDocument, event: CommentEvent): Promise<string[]> {
  switch (event.kind) {
    case "thread":
      return followersOf(trx, document);
    case "reply":
    case "status":
      return participantsOf(trx, event.threadId);
    case "edit":
      return [];
  }
}

/** The thread's author and everyone who wrote in it (a deleted comment's author took part too). */
export async function participantsOf(db: Db, threadId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("comment_threads")
    .leftJoin("comments", "comments.thread_id", "comment_threads.id")
    .select(["comment_threads.created_by", "comments.author_id"])
    .where("comment_threads.id", "=", threadId)
    .execute();
  return [...new Set(rows.flatMap((row) => [row.created_by, row.author_id]).filter((id): id is string => id !== null))];
}

/** Of `userIds`, those who may read the document now, by the policy. */
export async function mayRead(db: Db, document: CommentedDocument, userIds: readonly string[]): Promise<Set<string>> {
  const roles = await rolesByUser(db as Kysely<Database>, userIds);
  const readers = new Set<string>();
  for (const userId of new Set(userIds)) {
    const reader = actorFor({ id: userId, isPlatformAdmin: false, email: "", displayName: "" }, roles.get(userId));
    if (can(reader, "document.read", await documentResource(db, reader, document))) readers.add(userId);
  }
  return readers;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > EXCERPT_MAX ? `${flat.slice(0, EXCERPT_MAX - 1)}…` : flat;
}
