/**
 * The comment commands for one document, posted by the comments panel and the editor's comment
 * form (fetchers): start a thread on the selected words, reply, edit or delete one's own comment,
 * resolve or reopen a thread. Answers JSON: `{ ok: true }`, a 400 with field messages, a 403
 * `{ error: "FORBIDDEN" }`, or a 404. The threads themselves are read by the document page.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { COMMENT_BODY_MAX, COMMENT_QUOTE_MAX } from "../documents/limits.js";
import { base64ToBytes } from "../documents/comment-anchors.js";
import { createThread, deleteOwn, editOwn, reopen, reply, requireCommentOfDocument, requireThreadOfDocument, resolve } from "../models/comments.server.js";
import { requireReadableDocument } from "../http/require-document.server.js";
import { AppError, type ErrorCode } from "../errors.js";

const body = z
  .string({ error: "Enter a comment" })
  .refine((value) => value.trim().length > 0, "Enter a comment")
  .refine((value) => value.length <= COMMENT_BODY_MAX, `Keep the comment to ${COMMENT_BODY_MAX} characters or fewer`);
const anchor = z.string({ error: "Select the words to comment on again" }).max(4096, "Select the words to comment on again");

const commentCommand = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("create"),
    anchorStart: anchor,
    anchorEnd: anchor,
    quote: z
      .string({ error: "Select the words to comment on" })
      .trim()
      .min(1, "Select the words to comment on")
      .max(COMMENT_QUOTE_MAX, `Select ${COMMENT_QUOTE_MAX} characters or fewer to comment on`),
    body,
  }),
  z.object({ intent: z.literal("reply"), threadId: z.uuid(), body }),
  z.object({ intent: z.literal("edit"), commentId: z.uuid(), body }),
  z.object({ intent: z.literal("delete"), commentId: z.uuid() }),
  z.object({ intent: z.literal("resolve"), threadId: z.uuid() }),
  z.object({ intent: z.literal("reopen"), threadId: z.uuid() }),
]);

export type CommentFieldErrors = Partial<Record<"body" | "quote" | "anchor" | "form", string>>;

export type CommentActionData =
  | { ok: true; intent: string; threadId?: string }
  | { ok: false; error: ErrorCode; fieldErrors: CommentFieldErrors };

/** A resource route answers with a real Response: `data()` would lose its status here. */
function answer(body: CommentActionData, init: { status: number } = { status: 200 }): Response {
  return Response.json(body, { status: init.status, headers: { "Cache-Control": "no-store" } });
}

export async function loader() {
  throw new Response("Not found", { status: 404 });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, document } = await requireReadableDocument(request, context, params);
  const services = context.services;
  const db = services.db;
  const options = { ip: context.clientIp };
  const parsed = commentCommand.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const fieldErrors: CommentFieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      const key = field === "body" || field === "quote" ? field : field === "anchorStart" || field === "anchorEnd" ? "anchor" : "form";
      fieldErrors[key] ??= key === "form" ? "That comment action is not recognised. Reload the page and try again." : issue.message;
    }
    return answer({ ok: false, error: "INVALID_INPUT", fieldErrors }, { status: 400 });
  }
  const command = parsed.data;
  try {
    switch (command.intent) {
      case "create": {
        const anchorStart = base64ToBytes(command.anchorStart);
        const anchorEnd = base64ToBytes(command.anchorEnd);
        if (!anchorStart || !anchorEnd) throw new AppError("INVALID_INPUT", "Select the words to comment on again", "anchor");
        const created = await createThread(
          db,
          services,
          actor,
          { documentId: document.id, anchorStart, anchorEnd, quote: command.quote, body: command.body },
          options,
        );
        return answer({ ok: true, intent: command.intent, threadId: created.threadId });
      }
      case "reply":
        await requireThreadOfDocument(db, command.threadId, document.id);
        await reply(db, services, actor, command.threadId, command.body, options);
        break;
      case "edit":
        await requireCommentOfDocument(db, command.commentId, document.id);
        await editOwn(db, services, actor, command.commentId, command.body, options);
        break;
      case "delete":
        await requireCommentOfDocument(db, command.commentId, document.id);
        await deleteOwn(db, services, actor, command.commentId, options);
        break;
      case "resolve":
        await requireThreadOfDocument(db, command.threadId, document.id);
        await resolve(db, services, actor, command.threadId, options);
        break;
      case "reopen":
        await requireThreadOfDocument(db, command.threadId, document.id);
        await reopen(db, services, actor, command.threadId, options);
        break;
    }
    return answer({ ok: true, intent: command.intent });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === "INVALID_INPUT") {
      return answer(
        { ok: false, error: error.code, fieldErrors: { [error.field ?? "form"]: error.message } },
        { status: 400 },
      );
    }
    return answer(
      { ok: false, error: error.code, fieldErrors: { form: error.message } },
      { status: error.status },
    );
  }
}
