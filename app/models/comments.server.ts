/**
 * Anchored comments on a document: threads pinned to a range of its text, replies, editing and
 * deleting one's own comment, resolving and reopening a thread. Each command asks the policy
 * (`document.comment`), runs in one transaction with its audit entry, and then tells everyone
 * with the document open (`comment:changed` to the room `document:<id>`) and notifies anyone
 * @mentioned. Audit entries carry ids, never the words of a comment.
 *
 * Whether a thread's words still exist is worked out from the document's Yjs state on reading
 * (app/documents/comment-anchors.ts): a thread whose text was deleted is kept and shown with its
 * original quote, never dropped.
 */
import type { Kysely, Transaction } from "kysely";
import * as Y from "yjs";
import type { CommentThreadStatus, Database } from "../../db/database.js";
import { documentRoom } from "../realtime/contract.js";
import type { AppServices, CollaborationService } from "../services.js";
import { COMMENT_QUOTE_MAX, commentBodyProblem } from "../documents/limits.js";
import { bytesToBase64, isRelativePosition, resolveAnchor } from "../documents/comment-anchors.js";
import { type Actor, can } from "../policy/policy.js";
import { isUuid } from "../utils/ids.js";
import { nzCalendarDate } from "../utils/dates.js";
import { recordAudit } from "./audit.server.js";
import { findDocument } from "./document-access.server.js";
import { commentResource, documentResource } from "./policy-resources.server.js";
import { type NotifyServices, notify } from "./notifications.server.js";
import { membershipActiveOn } from "./memberships.server.js";
import { AppError, forbidden } from "../errors.js";

type Db = Kysely<Database> | Transaction<Database>;

/** The services a comment command uses: `context.services` in an action. */
export type CommentServices = NotifyServices & {
  realtime: Pick<AppServices["realtime"], "emitToUser" | "emitToRoom">;
};

export interface CommandOptions {
  ip?: string | null;
}

export interface CreateThreadInput {
  documentId: string;
  anchorStart: Uint8Array;
  anchorEnd: Uint8Array;
  quote: string;
  body: string;
}

function requireBody(body: string): string {
  const problem = commentBodyProblem(body);
  if (problem) throw new AppError("INVALID_INPUT", problem, "body");
  return body.trim();
}

/** The document, if it exists and this person may comment on it. */
async function requireCommentable(db: Kysely<Database>, actor: Actor, documentId: string) {
  const document = await findDocument(db, documentId);
  if (!document) throw new AppError("NOT_FOUND", "That document does not exist");
  const resource = await documentResource(db, actor, document);
  if (!can(actor, "document.comment", resource)) {
    // Someone who may not even read it is told nothing about it.
    if (!can(actor, "document.read", resource)) throw new AppError("NOT_FOUND", "That document does not exist");
    throw new AppError("FORBIDDEN", "Your role does not include commenting on this document");
  }
  return { document, resource };
}

async function requireThread(db: Kysely<Database>, actor: Actor, threadId: string) {
  const thread = await findThread(db, threadId);
  if (!thread) throw new AppError("NOT_FOUND", "That comment thread does not exist");
  const { document, resource } = await requireCommentable(db, actor, thread.document_id);
  return { thread, document, resource };
}

function findThread(db: Db, threadId: string) {
  if (!isUuid(threadId)) return Promise.resolve(undefined);
  return db.selectFrom("comment_threads").select(["id", "document_id", "status"]).where("id", "=", threadId).executeTakeFirst();
}

/** Tells the document's open tabs; a push is a courtesy, so it never fails the command. */
function announce(services: CommentServices, documentId: string, threadId: string): void {
  try {
    services.realtime.emitToRoom(documentRoom(documentId), "comment:changed", { documentId, threadId });
  } catch (error) {
    services.logger.error({ category: "comments", documentId, threadId, err: error }, "comment push failed");
  }
}

/**
 * The group's current members named with `@Display Name` in `body` who may read the document
 * (a consultee is only told while it is open to them), except the author.
 */
export async function mentionedMembers(
  db: Kysely<Database>,
  document: { id: string; group_id: string; archived_at: Date | null },
  authorId: string,
  body: string,
): Promise<string[]> {
  if (!body.includes("@")) return [];
  const today = nzCalendarDate();
  const members = await db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select(["users.id", "users.display_name", "memberships.role"])
    .where("memberships.group_id", "=", document.group_id)
    .where(membershipActiveOn(today))
    .where("users.disabled_at", "is", null)
    .execute();
  const lowered = body.toLocaleLowerCase("en-NZ");
  const mentioned = new Set<string>();
  for (const member of members) {
    if (member.id === authorId || mentioned.has(member.id)) continue;
    const name = `@${member.display_name.toLocaleLowerCase("en-NZ")}`;
    let at = lowered.indexOf(name);
    while (at !== -1) {
      // "@Tama Ngata" but not "@Tama Ngatahi": the name must end at a word boundary.
      const next = lowered.charAt(at + name.length);
      if (!/[\p{L}\p{N}]/u.test(next)) break;
      at = lowered.indexOf(name, at + 1);
    }
    if (at === -1) continue;
    const memberActor: Actor = { id: member.id, isPlatformAdmin: false, rolesByGroup: new Map([[document.group_id, member.role]]) };
    if (can(memberActor, "document.read", await documentResource(db, memberActor, document))) mentioned.add(member.id);
  }
  return [...mentioned];
}

async function notifyMentions(
  services: CommentServices,
  actor: Actor,
  document: { id: string; group_id: string; title: string; archived_at: Date | null },
  body: string,
): Promise<void> {
  try {
    const recipientIds = await mentionedMembers(services.db, document, actor.id, body);
    if (recipientIds.length === 0) return;
    const author = await services.db.selectFrom("users").select("display_name").where("id", "=", actor.id).executeTakeFirst();
    await notify(services, {
      recipientIds,
      kind: "comment.mentioned",
      title: `${author?.display_name ?? "Someone"} mentioned you in a comment on “${document.title}”`,
      body: `${author?.display_name ?? "Someone"} mentioned you in a comment on “${document.title}”. Open the document to read it and reply.`,
      link: `/groups/${document.group_id}/documents/${document.id}`,
      groupId: document.group_id,
    });
  } catch (error) {
    services.logger.error({ category: "comments", documentId: document.id, err: error }, "mention notification failed");
  }
}

/** Starts a thread on a range of the document's text with its first comment; returns the thread id. */
export async function createThread(
  db: Kysely<Database>,
  services: CommentServices,
  actor: Actor,
  input: CreateThreadInput,
  options: CommandOptions = {},
): Promise<{ threadId: string; commentId: string }> {
  const { document } = await requireCommentable(db, actor, input.documentId);
  const body = requireBody(input.body);
  if (!isRelativePosition(input.anchorStart) || !isRelativePosition(input.anchorEnd)) {
    throw new AppError("INVALID_INPUT", "Select the words to comment on again", "anchor");
  }
  const quote = input.quote.trim();
  if (quote.length === 0) throw new AppError("INVALID_INPUT", "Select the words to comment on", "quote");
  if (quote.length > COMMENT_QUOTE_MAX) {
    throw new AppError("INVALID_INPUT", `Select ${COMMENT_QUOTE_MAX} characters or fewer to comment on`, "quote");
  }
  const created = await db.transaction().execute(async (trx) => {
    const thread = await trx
      .insertInto("comment_threads")
      .values({
        document_id: document.id,
        anchor_start: input.anchorStart,
        anchor_end: input.anchorEnd,
        quote,
        created_by: actor.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const comment = await trx
      .insertInto("comments")
      .values({ thread_id: thread.id, author_id: actor.id, body })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "comment.created",
      groupId: document.group_id,
      subjectType: "document",
      subjectId: document.id,
      ip: options.ip ?? null,
      details: { threadId: thread.id, commentId: comment.id },
    });
    return { threadId: thread.id, commentId: comment.id };
  });
  announce(services, document.id, created.threadId);
  await notifyMentions(services, actor, document, body);
  return created;
}

/** Adds a comment to a thread (open or resolved). */
export async function reply(
  db: Kysely<Database>,
  services: CommentServices,
  actor: Actor,
  threadId: string,
  bodyText: string,
  options: CommandOptions = {},
): Promise<{ commentId: string }> {
  const { thread, document } = await requireThread(db, actor, threadId);
  const body = requireBody(bodyText);
  const commentId = await db.transaction().execute(async (trx) => {
    const comment = await trx
      .insertInto("comments")
      .values({ thread_id: thread.id, author_id: actor.id, body })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "comment.replied",
      groupId: document.group_id,
      subjectType: "document",
      subjectId: document.id,
      ip: options.ip ?? null,
      details: { threadId: thread.id, commentId: comment.id },
    });
    return comment.id;
  });
  announce(services, document.id, thread.id);
  await notifyMentions(services, actor, document, body);
  return { commentId };
}

/** One's own comment, not deleted, on a document one may still comment on. */
async function requireOwnComment(db: Kysely<Database>, actor: Actor, commentId: string) {
  const comment = isUuid(commentId)
    ? await db
        .selectFrom("comments")
        .select(["id", "thread_id", "author_id", "deleted_at"])
        .where("id", "=", commentId)
        .executeTakeFirst()
    : undefined;
  if (!comment || comment.deleted_at !== null) throw new AppError("NOT_FOUND", "That comment does not exist");
  const { thread, document, resource } = await requireThread(db, actor, comment.thread_id);
  if (!can(actor, "comment.edit", commentResource(actor, comment, resource))) throw forbidden("You can only change your own comments");
  return { comment, thread, document };
}

/** Changes the words of one's own comment. */
export async function editOwn(
  db: Kysely<Database>,
  services: CommentServices,
  actor: Actor,
  commentId: string,
  bodyText: string,
  options: CommandOptions = {},
): Promise<void> {
  const { comment, thread, document } = await requireOwnComment(db, actor, commentId);
  const body = requireBody(bodyText);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("comments").set({ body, edited_at: new Date() }).where("id", "=", comment.id).execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "comment.edited",
      groupId: document.group_id,
      subjectType: "document",
      subjectId: document.id,
      ip: options.ip ?? null,
      details: { threadId: thread.id, commentId: comment.id },
    });
  });
  announce(services, document.id, thread.id);
}

/** Deletes one's own comment: it shows as "comment deleted" in its thread, its words never again. */
export async function deleteOwn(
  db: Kysely<Database>,
  services: CommentServices,
  actor: Actor,
  commentId: string,
  options: CommandOptions = {},
): Promise<void> {
  const { comment, thread, document } = await requireOwnComment(db, actor, commentId);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("comments").set({ deleted_at: new Date() }).where("id", "=", comment.id).execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "comment.deleted",
      groupId: document.group_id,
      subjectType: "document",
      subjectId: document.id,
      ip: options.ip ?? null,
      details: { threadId: thread.id, commentId: comment.id },
    });
  });
  announce(services, document.id, thread.id);
}

async function setThreadStatus(
  db: Kysely<Database>,
  services: CommentServices,
  actor: Actor,
  threadId: string,
  status: CommentThreadStatus,
  options: CommandOptions,
): Promise<void> {
  const { thread, document } = await requireThread(db, actor, threadId);
  if (thread.status === status) return;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("comment_threads")
      .set(
        status === "resolved"
          ? { status, resolved_by: actor.id, resolved_at: new Date() }
          : { status, resolved_by: null, resolved_at: null },
      )
      .where("id", "=", thread.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: status === "resolved" ? "comment.resolved" : "comment.reopened",
      groupId: document.group_id,
      subjectType: "document",
      subjectId: document.id,
      ip: options.ip ?? null,
      details: { threadId: thread.id },
    });
  });
  announce(services, document.id, thread.id);
}

/** Marks a thread resolved (it moves out of the open list; its highlight goes). */
export function resolve(db: Kysely<Database>, services: CommentServices, actor: Actor, threadId: string, options: CommandOptions = {}) {
  return setThreadStatus(db, services, actor, threadId, "resolved", options);
}

/** Opens a resolved thread again. */
export function reopen(db: Kysely<Database>, services: CommentServices, actor: Actor, threadId: string, options: CommandOptions = {}) {
  return setThreadStatus(db, services, actor, threadId, "open", options);
}

export interface CommentView {
  id: string;
  authorId: string;
  authorName: string;
  /** Null once deleted: a deleted comment's words never leave the server. */
  body: string | null;
  deleted: boolean;
  edited: boolean;
  createdAt: Date;
}

export interface ThreadView {
  id: string;
  status: CommentThreadStatus;
  quote: string;
  /** The anchor as base64 Yjs relative positions, for the editor's highlights. */
  anchorStart: string;
  anchorEnd: string;
  /** The anchored words were deleted: the thread is kept and shown with its quote. */
  onDeletedText: boolean;
  createdAt: Date;
  createdBy: string;
  resolvedByName: string | null;
  resolvedAt: Date | null;
  comments: CommentView[];
}

export interface ListThreadsOptions {
  status: CommentThreadStatus | "all";
  /** Reads the document's current Yjs state to tell which anchors still resolve. */
  collaboration: Pick<CollaborationService, "encodeState">;
}

/** The document's threads (oldest first) with their comments and whether their words still exist. */
export async function listThreads(db: Db, documentId: string, options: ListThreadsOptions): Promise<ThreadView[]> {
  let query = db
    .selectFrom("comment_threads")
    .leftJoin("users as resolver", "resolver.id", "comment_threads.resolved_by")
    .select([
      "comment_threads.id",
      "comment_threads.status",
      "comment_threads.quote",
      "comment_threads.anchor_start",
      "comment_threads.anchor_end",
      "comment_threads.created_at",
      "comment_threads.created_by",
      "comment_threads.resolved_at",
      "resolver.display_name as resolved_by_name",
    ])
    .where("comment_threads.document_id", "=", documentId);
  if (options.status !== "all") query = query.where("comment_threads.status", "=", options.status);
  const threads = await query.orderBy("comment_threads.created_at").orderBy("comment_threads.id").execute();
  if (threads.length === 0) return [];

  const comments = await db
    .selectFrom("comments")
    .innerJoin("users", "users.id", "comments.author_id")
    .select([
      "comments.id",
      "comments.thread_id",
      "comments.author_id",
      "users.display_name as author_name",
      "comments.body",
      "comments.created_at",
      "comments.edited_at",
      "comments.deleted_at",
    ])
    .where(
      "comments.thread_id",
      "in",
      threads.map((thread) => thread.id),
    )
    .orderBy("comments.created_at")
    .orderBy("comments.id")
    .execute();

  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, await options.collaboration.encodeState(documentId));
    return threads.map((thread) => ({
      id: thread.id,
      status: thread.status,
      quote: thread.quote,
      anchorStart: bytesToBase64(thread.anchor_start),
      anchorEnd: bytesToBase64(thread.anchor_end),
      onDeletedText: resolveAnchor(doc, thread.anchor_start, thread.anchor_end) === null,
      createdAt: thread.created_at,
      createdBy: thread.created_by,
      resolvedByName: thread.resolved_by_name,
      resolvedAt: thread.resolved_at,
      comments: comments
        .filter((comment) => comment.thread_id === thread.id)
        .map((comment) => ({
          id: comment.id,
          authorId: comment.author_id,
          authorName: comment.author_name,
          body: comment.deleted_at ? null : comment.body,
          deleted: comment.deleted_at !== null,
          edited: comment.edited_at !== null,
          createdAt: comment.created_at,
        })),
    }));
  } finally {
    doc.destroy();
  }
}

/** A thread named by a form must belong to the document in the page's address. */
export async function requireThreadOfDocument(db: Db, threadId: string, documentId: string): Promise<void> {
  const thread = isUuid(threadId)
    ? await db.selectFrom("comment_threads").select("id").where("id", "=", threadId).where("document_id", "=", documentId).executeTakeFirst()
    : undefined;
  if (!thread) throw new AppError("NOT_FOUND", "That comment thread does not exist");
}

/** A comment named by a form must belong to the document in the page's address. */
export async function requireCommentOfDocument(db: Db, commentId: string, documentId: string): Promise<void> {
  const comment = isUuid(commentId)
    ? await db
        .selectFrom("comments")
        .innerJoin("comment_threads", "comment_threads.id", "comments.thread_id")
        .select("comments.id")
        .where("comments.id", "=", commentId)
        .where("comment_threads.document_id", "=", documentId)
        .executeTakeFirst()
    : undefined;
  if (!comment) throw new AppError("NOT_FOUND", "That comment does not exist");
}
