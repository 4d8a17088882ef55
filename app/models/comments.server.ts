/**
 * The comment commands on a document: a thread pinned to a range of its text with its first
 * comment, replies, editing and deleting one's own comment, resolving and reopening a thread.
 * Each command (runCommand) asks the policy (`document.comment`, `comment.edit`), changes and
 * writes its audit entry in one transaction, then tells everyone with the document open
 * (`comment:changed` to the room `document:<id>`) and notifies anyone @mentioned. Audit entries
 * carry ids, never the words of a comment. The words come checked by their form's schema
 * (app/documents/schemas.ts); reading the threads is comment-threads.server.ts.
 */
import type { Kysely } from "kysely";
import type { CommentThreadStatus, Database } from "../../db/database.js";
import { isRelativePosition } from "../documents/comment-anchors.js";
import { forbidden, invalidInput, notFound } from "../errors.js";
import { type Actor, can } from "../policy/policy.js";
import { documentRoom } from "../realtime/contract.js";
import type { AppServices } from "../services.js";
import { nzCalendarDate } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { runCommand } from "./command.server.js";
import { findDocument } from "./document-access.server.js";
import { documentAudit } from "./documents.server.js";
import { membershipActiveOn } from "./memberships.server.js";
import { type NotifyServices, notify } from "./notifications.server.js";
import { commentResource, documentResource } from "./policy-resources.server.js";

/** The services a comment command uses: `context.services` in an action. */
export type CommentServices = NotifyServices & {
  realtime: Pick<AppServices["realtime"], "emitToUser" | "emitToRoom">;
};

export interface CommandOptions {
  ip?: string | null;
  /** The document the form was on: a thread or comment of another document is not found. */
  inDocument?: string;
}

export interface CreateThreadInput {
  documentId: string;
  anchorStart: Uint8Array;
  anchorEnd: Uint8Array;
  /** Trimmed, 1 to COMMENT_QUOTE_MAX characters. */
  quote: string;
  /** Trimmed, 1 to COMMENT_BODY_MAX characters. */
  body: string;
}

type CommentedDocument = { id: string; group_id: string; title: string; archived_at: Date | null };

/** The document, if it exists and this person may comment on it. */
async function requireCommentable(db: Kysely<Database>, actor: Actor, documentId: string) {
  const document = await findDocument(db, documentId);
  if (!document) throw notFound("That document does not exist");
  const resource = await documentResource(db, actor, document);
  if (!can(actor, "document.comment", resource)) {
    // Someone who may not even read it is told nothing about it.
    if (!can(actor, "document.read", resource)) throw notFound("That document does not exist");
    throw forbidden("Your role does not include commenting on this document");
  }
  return { document, resource };
}

async function requireThread(db: Kysely<Database>, actor: Actor, threadId: string, options: CommandOptions) {
  const thread = isUuid(threadId)
    ? await db.selectFrom("comment_threads").select(["id", "document_id", "status"]).where("id", "=", threadId).executeTakeFirst()
    : undefined;
  if (!thread || (options.inDocument !== undefined && thread.document_id !== options.inDocument)) {
    throw notFound("That comment thread does not exist");
  }
  return { thread, ...(await requireCommentable(db, actor, thread.document_id)) };
}

/** One's own comment, not deleted, on a document one may still comment on. */
async function requireOwnComment(db: Kysely<Database>, actor: Actor, commentId: string, options: CommandOptions) {
  const comment = isUuid(commentId)
    ? await db
        .selectFrom("comments")
        .innerJoin("comment_threads", "comment_threads.id", "comments.thread_id")
        .select(["comments.id", "comments.thread_id", "comments.author_id", "comments.deleted_at", "comment_threads.document_id"])
        .where("comments.id", "=", commentId)
        .executeTakeFirst()
    : undefined;
  if (!comment || comment.deleted_at !== null || (options.inDocument !== undefined && comment.document_id !== options.inDocument)) {
    throw notFound("That comment does not exist");
  }
  const { thread, document, resource } = await requireThread(db, actor, comment.thread_id, options);
  if (!can(actor, "comment.edit", commentResource(actor, comment, resource))) throw forbidden("You can only change your own comments");
  return { comment, thread, document };
}

/** After the commit: the document's open tabs reload the thread; anyone @mentioned in `body` is told. */
async function announce(services: CommentServices, actor: Actor, document: CommentedDocument, threadId: string, body?: string) {
  services.realtime.emitToRoom(documentRoom(document.id), "comment:changed", { documentId: document.id, threadId });
  if (body === undefined) return;
  const recipientIds = await mentionedMembers(services.db, document, actor.id, body);
  if (recipientIds.length === 0) return;
  const author = await services.db.selectFrom("users").select("display_name").where("id", "=", actor.id).executeTakeFirst();
  const who = author?.display_name ?? "Someone";
  await notify(services, {
    recipientIds,
    kind: "comment.mentioned",
    title: `${who} mentioned you in a comment on “${document.title}”`,
    body: `${who} mentioned you in a comment on “${document.title}”. Open the document to read it and reply.`,
    link: `/groups/${document.group_id}/documents/${document.id}`,
    groupId: document.group_id,
  });
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

/** Starts a thread on a range of the document's text with its first comment; returns the thread id. */
export async function createThread(
  db: Kysely<Database>,
  services: CommentServices,
  actor: Actor,
  input: CreateThreadInput,
  options: CommandOptions = {},
): Promise<{ threadId: string; commentId: string }> {
  return runCommand(
    db,
    {
      lock: (trx) => requireCommentable(trx, actor, input.documentId),
      // The server never trusts the browser's bytes: they must decode as Yjs relative positions.
      check: () => {
        if (!isRelativePosition(input.anchorStart) || !isRelativePosition(input.anchorEnd)) {
          throw invalidInput("Select the words to comment on again", "anchor");
        }
      },
      change: async (trx, { document }) => {
        const thread = await trx
          .insertInto("comment_threads")
          .values({ document_id: document.id, anchor_start: input.anchorStart, anchor_end: input.anchorEnd, quote: input.quote, created_by: actor.id })
          .returning("id")
          .executeTakeFirstOrThrow();
        const comment = await trx
          .insertInto("comments")
          .values({ thread_id: thread.id, author_id: actor.id, body: input.body })
          .returning("id")
          .executeTakeFirstOrThrow();
        return { threadId: thread.id, commentId: comment.id };
      },
      audit: ({ document }, created) => documentAudit(actor, document, "comment.created", options.ip, created),
      announce: ({ document }, created) => announce(services, actor, document, created.threadId, input.body),
    },
    { logger: services.logger },
  );
}

/** Adds a comment (`body` trimmed, 1 to COMMENT_BODY_MAX characters) to a thread, open or resolved. */
export async function reply(
  db: Kysely<Database>,
  services: CommentServices,
  actor: Actor,
  threadId: string,
  body: string,
  options: CommandOptions = {},
): Promise<{ commentId: string }> {
  return runCommand(
    db,
    {
      lock: (trx) => requireThread(trx, actor, threadId, options),
      change: async (trx, { thread }) => {
        const comment = await trx.insertInto("comments").values({ thread_id: thread.id, author_id: actor.id, body }).returning("id").executeTakeFirstOrThrow();
        return { commentId: comment.id };
      },
      audit: ({ thread, document }, { commentId }) => documentAudit(actor, document, "comment.replied", options.ip, { threadId: thread.id, commentId }),
      announce: ({ thread, document }) => announce(services, actor, document, thread.id, body),
    },
    { logger: services.logger },
  );
}

/** Changes the words of one's own comment (`body` as for `reply`). */
export async function editOwn(
  db: Kysely<Database>,
  services: CommentServices,
  actor: Actor,
  commentId: string,
  body: string,
  options: CommandOptions = {},
): Promise<void> {
  await changeOwn(db, services, actor, commentId, "comment.edited", { body, edited_at: new Date() }, options);
}

/** Deletes one's own comment: it shows as "comment deleted" in its thread, its words never again. */
export async function deleteOwn(
  db: Kysely<Database>,
  services: CommentServices,
  actor: Actor,
  commentId: string,
  options: CommandOptions = {},
): Promise<void> {
  await changeOwn(db, services, actor, commentId, "comment.deleted", { deleted_at: new Date() }, options);
}

async function changeOwn(
  db: Kysely<Database>,
  services: CommentServices,
  actor: Actor,
  commentId: string,
  action: "comment.edited" | "comment.deleted",
  change: { body: string; edited_at: Date } | { deleted_at: Date },
  options: CommandOptions,
): Promise<void> {
  await runCommand(
    db,
    {
      lock: (trx) => requireOwnComment(trx, actor, commentId, options),
      change: async (trx, { comment }) => {
        await trx.updateTable("comments").set(change).where("id", "=", comment.id).execute();
      },
      audit: ({ comment, thread, document }) => documentAudit(actor, document, action, options.ip, { threadId: thread.id, commentId: comment.id }),
      announce: ({ thread, document }) => announce(services, actor, document, thread.id),
    },
    { logger: services.logger },
  );
}

async function setThreadStatus(
  db: Kysely<Database>,
  services: CommentServices,
  actor: Actor,
  threadId: string,
  status: CommentThreadStatus,
  options: CommandOptions,
): Promise<void> {
  await runCommand(
    db,
    {
      lock: (trx) => requireThread(trx, actor, threadId, options),
      change: async (trx, { thread }) => {
        if (thread.status === status) return false;
        await trx
          .updateTable("comment_threads")
          .set(status === "resolved" ? { status, resolved_by: actor.id, resolved_at: new Date() } : { status, resolved_by: null, resolved_at: null })
          .where("id", "=", thread.id)
          .execute();
        return true;
      },
      audit: ({ thread, document }, changed) =>
        changed ? documentAudit(actor, document, status === "resolved" ? "comment.resolved" : "comment.reopened", options.ip, { threadId: thread.id }) : [],
      announce: async ({ thread, document }, changed) => {
        if (changed) await announce(services, actor, document, thread.id);
      },
    },
    { logger: services.logger },
  );
}

/** Marks a thread resolved (it moves out of the open list; its highlight goes). */
export function resolve(db: Kysely<Database>, services: CommentServices, actor: Actor, threadId: string, options: CommandOptions = {}) {
  return setThreadStatus(db, services, actor, threadId, "resolved", options);
}

/** Opens a resolved thread again. */
export function reopen(db: Kysely<Database>, services: CommentServices, actor: Actor, threadId: string, options: CommandOptions = {}) {
  return setThreadStatus(db, services, actor, threadId, "open", options);
}
