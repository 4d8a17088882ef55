/**
 * Reading a document's comment threads: each with its comments (a deleted comment's words never
 * leave the server) and whether its words still exist, worked out from the document's Yjs state
 * by the same resolution the editor runs (`resolveThreadAnchor`, app/documents/comment-anchors.ts:
 * the relative positions, then the quote with its context): a thread whose text was deleted is
 * kept and shown with its original quote, never dropped. The commands are in comments.server.ts.
 */
import type { Kysely, Transaction } from "kysely";
import * as Y from "yjs";
import type { CommentThreadStatus, Database } from "../../db/database.js";
import { type StoredAnchor, bytesToBase64, resolveThreadAnchor } from "../documents/comment-anchors.js";
import { plainTextOf } from "../documents/plain-text.js";
import { COLLAB_FIELD } from "../documents/content.js";
import type { CollaborationService } from "../services.js";

type Db = Kysely<Database> | Transaction<Database>;

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
  /** The quote's context in the document's plain text when the thread was started (null for older threads). */
  quotePrefix: string | null;
  quoteSuffix: string | null;
  quotePosition: number | null;
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
      "comment_threads.quote_prefix",
      "comment_threads.quote_suffix",
      "comment_threads.quote_position",
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
    const plain = plainTextOf(doc.getXmlFragment(COLLAB_FIELD));
    return threads.map((thread) => ({
      id: thread.id,
      status: thread.status,
      quote: thread.quote,
      anchorStart: bytesToBase64(thread.anchor_start),
      anchorEnd: bytesToBase64(thread.anchor_end),
      quotePrefix: thread.quote_prefix,
      quoteSuffix: thread.quote_suffix,
      quotePosition: thread.quote_position,
      onDeletedText: resolveThreadAnchor(doc, storedAnchor(thread), plain).state === "deleted",
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

/** A thread row's anchor as comment-anchors.ts takes it. */
export function storedAnchor(thread: {
  anchor_start: Uint8Array;
  anchor_end: Uint8Array;
  quote: string;
  quote_prefix: string | null;
  quote_suffix: string | null;
  quote_position: number | null;
}): StoredAnchor {
  return {
    anchorStart: thread.anchor_start,
    anchorEnd: thread.anchor_end,
    selector: { exact: thread.quote, prefix: thread.quote_prefix, suffix: thread.quote_suffix, position: thread.quote_position },
  };
}
