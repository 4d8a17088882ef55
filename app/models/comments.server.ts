/**
 * The comment commands on a document: a thread pinned to a range of its text with its first
 * comment, replies, editing and deleting one's own comment, resolving and reopening a thread, and
 * moving a thread's anchor to where the editor found its words again (`reanchorThread`).
 * Each command (runCommand) asks the policy (`document.comment`, `comment.edit`), changes, records
 * who is to hear of it (comment-notifications.server.ts: followers, participants, @mentions, with
 * their emails) and writes its audit entry in one transaction; then tells everyone with the
 * document open (`comment:changed` to the room `document:<id>`) and pushes the notifications.
 * Audit entries carry ids, never the words of a comment. The words come checked by their form's schema
 * (app/documents/schemas.ts); reading the threads is comment-threads.server.ts.
 */
import type { Kysely, Transaction } from "kysely";
import type { CommentThreadStatus, Database } from "../../db/database.js";
import * as Y from "yjs";
import { isRelativePosition, resolveAnchor, resolveThreadAnchor } from "../documents/comment-anchors.js";
import { COLLAB_FIELD } from "../documents/content.js";
import { plainTextOf } from "../documents/plain-text.js";
import { quoteSelectorAt } from "../documents/quote-selector.js";
import { storedAnchor } from "./comment-threads.server.js";
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
import { type CommentNotifyServices, type CommentedDocument, type CommentEvent, mayRead, recordCommentNotifications } from "./comment-notifications.server.js";
import { type NotifyServices, type StoredNotification, pushNotifications } from "./notifications.server.js";
import { commentResource, documentResource } from "./policy-resources.server.js";

/** The services a comment command uses: `context.services` in an action. */
export type CommentServices = NotifyServices &
  Pick<CommentNotifyServices, "replyAddress"> & {
    realtime: Pick<AppServices["realtime"], "emitToUser" | "emitToRoom">;
  };

export interface CommandOptions {
  ip?: string | null;
  /** How the command came: by email (a reply to a notification), or the web form when absent. */
  via?: "email";
  /** The document the form was on: a thread or comment of another document is not found. */
  inDocument?: string;
}

export interface CreateThreadInput {
  documentId: string;
  anchorStart: Uint8Array;
  anchorEnd: Uint8Array;
  /** Trimmed, 1 to COMMENT_QUOTE_MAX characters: the document's plain text the anchor covers. */
  quote: string;
  /**
   * The quote's context in the document's plain text (app/documents/quote-selector.ts): where it
   * starts and up to 32 characters either side. Absent, the thread is found again by its quote alone.
   */
  context?: { position: number; prefix: string; suffix: string };
  /** Trimmed, 1 to COMMENT_BODY_MAX characters. */
  body: string;
  /** The people the @ list picked (their names are in `body`). */
  mentionIds?: readonly string[];
}

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

/** After the commit: the document's open tabs reload the thread, and the people told are pushed it. */
async function announce(services: CommentServices, document: CommentedDocument, threadId: string, stored: readonly StoredNotification[] = []) {
  services.realtime.emitToRoom(documentRoom(document.id), "comment:changed", { documentId: document.id, threadId });
  await pushNotifications(services, stored);
}

/** In the command's transaction: who hears of it, with their emails (comment-notifications.server.ts). */
function tell(trx: Transaction<Database>, services: CommentServices, actor: Actor, document: CommentedDocument, event: CommentEvent) {
  return recordCommentNotifications(trx, services, actor, document, event);
}

/** A person the comment box's @ list offers: someone who may read the document now. */
export interface MentionablePerson {
  id: string;
  name: string;
  organisation: string | null;
}

/**
 * The people a comment on the document can @mention: the group's current members (consultees
 * included) who may read it now, by the policy, with their organisation; by name. Never the
 * person writing (`exceptId`), never a disabled account.
 */
export async function mentionablePeople(db: Kysely<Database>, document: CommentedDocument, exceptId: string): Promise<MentionablePerson[]> {
  const members = await db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .leftJoin("organisations", "organisations.id", "memberships.organisation_id")
    .select(["users.id", "users.display_name", "organisations.name as organisation"])
    .where("memberships.group_id", "=", document.group_id)
    .where("memberships.user_id", "!=", exceptId)
    .where(membershipActiveOn(nzCalendarDate()))
    .where("users.disabled_at", "is", null)
    .orderBy("users.display_name")
    .execute();
  const readers = await mayRead(db, document, members.map((member) => member.id));
  const people = new Map<string, MentionablePerson>();
  for (const member of members) {
    // Someone with two memberships (a seat and an alternate's) is offered once.
    if (readers.has(member.id) && !people.has(member.id)) people.set(member.id, { id: member.id, name: member.display_name, organisation: member.organisation });
  }
  return [...people.values()];
}

/**
 * The people `body` @mentions (`@Display Name`, ending at a word boundary) among those who may
 * be mentioned (`mentionablePeople`). Where two people share a name, the ones the @ list picked
 * (`pickedIds`) are meant; with no pick, both are.
 */
export async function mentionedMembers(
  db: Kysely<Database>,
  document: CommentedDocument,
  authorId: string,
  body: string,
  pickedIds: readonly string[] = [],
): Promise<string[]> {
  if (!body.includes("@")) return [];
  const lowered = body.toLocaleLowerCase("en-NZ");
  const byName = new Map<string, string[]>();
  for (const person of await mentionablePeople(db, document, authorId)) {
    const name = person.name.toLocaleLowerCase("en-NZ");
    if (namesIn(lowered, name)) byName.set(name, [...(byName.get(name) ?? []), person.id]);
  }
  const mentioned: string[] = [];
  for (const ids of byName.values()) {
    const picked = ids.filter((id) => pickedIds.includes(id));
    mentioned.push(...(ids.length > 1 && picked.length > 0 ? picked : ids));
  }
  return mentioned;
}

/** "@Tama Ngata" but not "@Tama Ngatahi": the name must end at a word boundary. */
function namesIn(loweredBody: string, loweredName: string): boolean {
  const handle = `@${loweredName}`;
  let at = loweredBody.indexOf(handle);
  while (at !== -1) {
    if (!/[\p{L}\p{N}]/u.test(loweredBody.charAt(at + handle.length))) return true;
    at = loweredBody.indexOf(handle, at + 1);
  }
  return false;
}

/** Keeps a comment's mentions by id; returns the people it mentions now and did not before. */
async function saveMentions(trx: Transaction<Database>, commentId: string, mentioned: readonly string[]): Promise<string[]> {
  const before = new Set((await trx.selectFrom("comment_mentions").select("user_id").where("comment_id", "=", commentId).execute()).map((row) => row.user_id));
  await trx.deleteFrom("comment_mentions").where("comment_id", "=", commentId).execute();
  if (mentioned.length > 0) {
    await trx
      .insertInto("comment_mentions")
      .values(mentioned.map((userId) => ({ comment_id: commentId, user_id: userId })))
      .execute();
  }
  return mentioned.filter((id) => !before.has(id));
}

/** Starts a thread on a range of the document's text with its first comment; returns the thread id. */
export async function createThread(
  db: Kysely<Database>,
  services: CommentServices,
  actor: Actor,
  input: CreateThreadInput,
  options: CommandOptions = {},
): Promise<{ threadId: string; commentId: string }> {
  const { threadId, commentId } = await runCommand(
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
          .values({
            document_id: document.id,
            anchor_start: input.anchorStart,
            anchor_end: input.anchorEnd,
            quote: input.quote,
            quote_prefix: input.context?.prefix ?? null,
            quote_suffix: input.context?.suffix ?? null,
            quote_position: input.context?.position ?? null,
            created_by: actor.id,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        const comment = await trx
          .insertInto("comments")
          .values({ thread_id: thread.id, author_id: actor.id, body: input.body })
          .returning("id")
          .executeTakeFirstOrThrow();
        const mentioned = await mentionedMembers(trx, document, actor.id, input.body, input.mentionIds);
        await saveMentions(trx, comment.id, mentioned);
        const told = await tell(trx, services, actor, document, { kind: "thread", threadId: thread.id, body: input.body, quote: input.quote, mentioned });
        return { threadId: thread.id, commentId: comment.id, told };
      },
      audit: ({ document }, { threadId, commentId }) => documentAudit(actor, document, "comment.created", options.ip, { threadId, commentId }),
      announce: ({ document }, created) => announce(services, document, created.threadId, created.told),
    },
    { logger: services.logger },
  );
  return { threadId, commentId };
}

/** Adds a comment (`body` trimmed, 1 to COMMENT_BODY_MAX characters) to a thread, open or resolved. */
export async function reply(
  db: Kysely<Database>,
  services: CommentServices,
  actor: Actor,
  threadId: string,
  body: string,
  options: CommandOptions & { mentionIds?: readonly string[] } = {},
): Promise<{ commentId: string }> {
  const { commentId } = await runCommand(
    db,
    {
      lock: (trx) => requireThread(trx, actor, threadId, options),
      change: async (trx, { thread, document }) => {
        const comment = await trx.insertInto("comments").values({ thread_id: thread.id, author_id: actor.id, body }).returning("id").executeTakeFirstOrThrow();
        const mentioned = await mentionedMembers(trx, document, actor.id, body, options.mentionIds);
        await saveMentions(trx, comment.id, mentioned);
        const told = await tell(trx, services, actor, document, { kind: "reply", threadId: thread.id, body, mentioned });
        return { commentId: comment.id, told };
      },
      audit: ({ thread, document }, { commentId }) =>
        documentAudit(actor, document, "comment.replied", options.ip, { threadId: thread.id, commentId, ...(options.via ? { via: options.via } : {}) }),
      announce: ({ thread, document }, { told }) => announce(services, document, thread.id, told),
    },
    { logger: services.logger },
  );
  return { commentId };
}

/** Changes the words of one's own comment (`body` as for `reply`). */
export async function editOwn(
  db: Kysely<Database>,
  services: CommentServices,
  actor: Actor,
  commentId: string,
  body: string,
  options: CommandOptions & { mentionIds?: readonly string[] } = {},
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
  options: CommandOptions & { mentionIds?: readonly string[] },
): Promise<void> {
  await runCommand(
    db,
    {
      lock: (trx) => requireOwnComment(trx, actor, commentId, options),
      change: async (trx, { comment, thread, document }) => {
        await trx.updateTable("comments").set(change).where("id", "=", comment.id).execute();
        if (!("body" in change)) return [];
        // Only the people an edit newly mentions are told.
        const mentioned = await mentionedMembers(trx, document, actor.id, change.body, options.mentionIds);
        const added = await saveMentions(trx, comment.id, mentioned);
        return tell(trx, services, actor, document, { kind: "edit", threadId: thread.id, body: change.body, mentioned: added });
      },
      audit: ({ comment, thread, document }) => documentAudit(actor, document, action, options.ip, { threadId: thread.id, commentId: comment.id }),
      announce: ({ thread, document }, told) => announce(services, document, thread.id, told),
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
      change: async (trx, { thread, document }) => {
        if (thread.status === status) return null;
        await trx
          .updateTable("comment_threads")
          .set(status === "resolved" ? { status, resolved_by: actor.id, resolved_at: new Date() } : { status, resolved_by: null, resolved_at: null })
          .where("id", "=", thread.id)
          .execute();
        return tell(trx, services, actor, document, { kind: "status", threadId: thread.id, resolved: status === "resolved" });
      },
      audit: ({ thread, document }, told) =>
        told ? documentAudit(actor, document, status === "resolved" ? "comment.resolved" : "comment.reopened", options.ip, { threadId: thread.id }) : [],
      announce: async ({ thread, document }, told) => {
        if (told) await announce(services, document, thread.id, told);
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

export interface ReanchorInput {
  threadId: string;
  anchorStart: Uint8Array;
  anchorEnd: Uint8Array;
}

/**
 * Stores the relative positions the editor made for a thread whose words it found again by their
 * quote (the paragraph holding them was replaced), so the next load finds them at once. Asked as
 * commenting is (`document.comment`). The server runs the same resolution on its own copy of the
 * document and takes the positions only when they cover exactly the words it finds there too (the
 * quote itself, unless the words were found by the fuzzy match); otherwise it refuses. Positions
 * that already cover the words change nothing. No audit entry: no one's words change.
 * Returns whether the anchor was changed.
 */
export async function reanchorThread(
  db: Kysely<Database>,
  services: CommentServices & { collaboration: Pick<AppServices["collaboration"], "encodeState"> },
  actor: Actor,
  input: ReanchorInput,
  options: CommandOptions = {},
): Promise<boolean> {
  const refused = () => invalidInput("Those words are not where the comment says they are now. Reload the page.", "anchor");
  const thread = isUuid(input.threadId) ? await db.selectFrom("comment_threads").select("document_id").where("id", "=", input.threadId).executeTakeFirst() : undefined;
  if (!thread) throw notFound("That comment thread does not exist");
  // Read before the transaction: loading a document's state may itself need the database.
  const state = await services.collaboration.encodeState(thread.document_id);
  return runCommand(
    db,
    {
      lock: (trx) => requireThread(trx, actor, input.threadId, options),
      check: () => {
        if (!isRelativePosition(input.anchorStart) || !isRelativePosition(input.anchorEnd)) throw refused();
      },
      change: async (trx, { thread }) => {
        const row = await trx
          .selectFrom("comment_threads")
          .select(["anchor_start", "anchor_end", "quote", "quote_prefix", "quote_suffix", "quote_position"])
          .where("id", "=", thread.id)
          .executeTakeFirstOrThrow();
        const doc = new Y.Doc();
        try {
          Y.applyUpdate(doc, state);
          const plain = plainTextOf(doc.getXmlFragment(COLLAB_FIELD));
          const found = resolveThreadAnchor(doc, storedAnchor(row), plain);
          if (found.state === "exact") return false;
          if (found.state !== "moved") throw refused();
          const posted = resolveAnchor(doc, input.anchorStart, input.anchorEnd, plain);
          if (!posted || posted.start !== found.start || posted.end !== found.end) throw refused();
          if (found.how !== "fuzzy" && plain.text.slice(posted.start, posted.end) !== row.quote) throw refused();
          const context = quoteSelectorAt(plain.text, posted.start, posted.end);
          await trx
            .updateTable("comment_threads")
            .set({
              anchor_start: input.anchorStart,
              anchor_end: input.anchorEnd,
              quote_prefix: context.prefix,
              quote_suffix: context.suffix,
              quote_position: context.position,
            })
            .where("id", "=", thread.id)
            .execute();
          return true;
        } finally {
          doc.destroy();
        }
      },
      audit: () => [],
      announce: async ({ document }, changed) => {
        if (changed) await announce(services, document, input.threadId);
      },
    },
    { logger: services.logger },
  );
}
