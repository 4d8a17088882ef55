/**
 * The comment commands for one document, posted by the comments panel and the editor's comment
 * form (fetchers): start a thread on the selected words, reply, edit or delete one's own comment,
 * resolve or reopen a thread, and store a thread's anchor where the editor found its words again
 * (`reanchor`, answered `{ ok: true, intent, changed }`). The form is parsed with the comment forms' one schema
 * (`commentCommandSchema`, app/documents/schemas.ts). Answers JSON that the panel reads:
 * `{ ok: true, intent }`, or `{ ok: false, error: CODE, fieldErrors }` with the code's status
 * (400 with the field's message, 403, 404, 409). The threads themselves are read by the document page.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { parseWithZod } from "@conform-to/zod/v4";
import { type CommentActionData, type CommentField, commentCommandSchema, commentReloadMessage } from "../documents/schemas.js";
import { type AppError, invalidInput, isAppError, notFound } from "../errors.js";
import { requireReadableDocument } from "../http/require-document.server.js";
import { refuse } from "../http/responses.server.js";
import { createThread, deleteOwn, editOwn, reanchorThread, reopen, reply, resolve } from "../models/comments.server.js";

/** A resource route answers with a real Response: `data()` would lose its status here. */
function answer(body: CommentActionData, status = 200): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

/** The one answer to a refusal, from the schema or a command: its code, its status, and its message beside the field it is about. */
function refusal(error: unknown): Response {
  if (!isAppError(error)) throw error;
  return answer({ ok: false, error: error.code, fieldErrors: { [commentField(error.field)]: error.message } }, error.status);
}

/** The form's field a message belongs to: the two ends of the selection are one "anchor". */
function commentField(name: string | undefined): CommentField {
  if (name === "body" || name === "quote" || name === "anchor") return name;
  return name === "anchorStart" || name === "anchorEnd" ? "anchor" : "form";
}

/** What the schema refused, as one refusal: the words first, then the selection, then the rest. */
function formRefusal(errors: Record<string, string[] | null> | null | undefined): AppError {
  const named = Object.entries(errors ?? {}).filter((entry): entry is [string, string[]] => Boolean(entry[1]?.length));
  const rank = (name: string) => ["body", "quote", "anchor", "form"].indexOf(commentField(name));
  const [name, messages] = named.sort(([a], [b]) => rank(a) - rank(b))[0] ?? ["form", [commentReloadMessage]];
  return invalidInput(commentField(name) === "form" ? commentReloadMessage : messages[0]!, name);
}

export async function loader() {
  refuse(notFound());
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, document } = await requireReadableDocument(request, context, params);
  const submission = parseWithZod(await request.formData(), { schema: commentCommandSchema });
  if (submission.status !== "success") return refusal(formRefusal(submission.error));
  const services = context.services;
  const db = services.db;
  const command = submission.value;
  const options = { ip: context.clientIp, inDocument: document.id };
  try {
    switch (command.intent) {
      case "create": {
        const { anchorStart, anchorEnd, quote, body, mention, quotePosition, quotePrefix, quoteSuffix } = command;
        // An empty prefix or suffix (the words start or end the document) arrives as no field at all.
        const context = quotePosition === undefined ? undefined : { position: quotePosition, prefix: quotePrefix ?? "", suffix: quoteSuffix ?? "" };
        const created = await createThread(db, services, actor, { documentId: document.id, anchorStart, anchorEnd, quote, context, body, mentionIds: mention }, options);
        return answer({ ok: true, intent: command.intent, threadId: created.threadId });
      }
      case "reply":
        await reply(db, services, actor, command.threadId, command.body, { ...options, mentionIds: command.mention });
        break;
      case "edit":
        await editOwn(db, services, actor, command.commentId, command.body, { ...options, mentionIds: command.mention });
        break;
      case "delete":
        await deleteOwn(db, services, actor, command.commentId, options);
        break;
      case "resolve":
        await resolve(db, services, actor, command.threadId, options);
        break;
      case "reopen":
        await reopen(db, services, actor, command.threadId, options);
        break;
      case "reanchor": {
        const { threadId, anchorStart, anchorEnd } = command;
        const changed = await reanchorThread(db, services, actor, { threadId, anchorStart, anchorEnd }, options);
        return answer({ ok: true, intent: command.intent, changed });
      }
    }
    return answer({ ok: true, intent: command.intent });
  } catch (error) {
    return refusal(error);
  }
}
