/**
 * Reading a document's comment threads: each with its comments (a deleted comment's words never
 * leave the server) and whether its words still exist, worked out from the document's Yjs state
 * (app/documents/comment-anchors.ts): a thread whose text was deleted is kept and shown with its
 * original quote, never dropped. The commands are in comments.server.ts.
 */
import type { Kysely, Transaction } from "kysely";
import * as Y from "yjs";
import type { CommentThreadStatus, Database } from "../../db/database.js";
import { bytesToBase64, resolveAnchor } from "../documents/comment-anchors.js";
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
