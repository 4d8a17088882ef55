/**
 * The forms about documents, one schema each, shared by the browser (Conform's `useAppForm`) and
 * the actions (`parseWithZod`): creating, renaming and archiving a document, saving and restoring
 * a version, the approval by the Lead Minister's office, consultations and comments. A page with
 * several forms parses one `z.discriminatedUnion("intent", …)` of its forms' schemas. The messages
 * are the ones people see; the limits are in limits.ts.
 *
 * Shared with the browser: no server imports here.
 */
import * as z from "zod";
import type { ErrorCode } from "../errors.js";
import { classifications, documentKinds } from "../../db/database.js";
import { base64ToBytes } from "./base64.js";
import {
  APPROVAL_TEXT_MAX,
  COMMENT_BODY_MAX,
  COMMENT_QUOTE_MAX,
  CONSULTATION_BRIEF_MAX,
  DOCUMENT_TITLE_MAX,
  VERSION_NAME_MAX,
  QUOTE_CONTEXT,
} from "./limits.js";
import { nzDate } from "../utils/nz-date-schema.js";

/** A required text, trimmed, of at most `max` characters. */
function requiredText(max: number, messages: { missing: string; tooLong: string }) {
  return z.string({ error: messages.missing }).trim().min(1, messages.missing).max(max, messages.tooLong);
}

// ---- documents ----------------------------------------------------------------------------------

const titleField = requiredText(DOCUMENT_TITLE_MAX, {
  missing: "Enter a title",
  tooLong: `Keep the title to ${DOCUMENT_TITLE_MAX} characters or fewer`,
});

/** Anything but these three is refused: the platform is not accredited for higher markings. */
/** The comment form's parts a refusal can be about: the two ends of the selection are one "anchor". */
export type CommentField = "body" | "quote" | "anchor" | "form";
export type CommentFieldErrors = Partial<Record<CommentField, string>>;

/** What the comment commands answer the comments panel (a fetcher reads it). */
export type CommentActionData = { ok: true; intent: string; threadId?: string; changed?: boolean } | { ok: false; error: ErrorCode; fieldErrors: CommentFieldErrors };

export const classificationRefusal =
  "This platform cannot hold material above SENSITIVE. Choose UNCLASSIFIED, IN-CONFIDENCE or SENSITIVE.";

export const createDocumentSchema = z.object({
  title: titleField,
  kind: z.enum(documentKinds, { error: "Choose what kind of document this is" }),
  classification: z.enum(classifications, { error: classificationRefusal }).default("IN-CONFIDENCE"),
});

export const renameDocumentSchema = z.object({ intent: z.literal("rename"), title: titleField });
export const archiveDocumentSchema = z.object({ intent: z.literal("archive") });
/** Following the document's comments (being told of each new thread), or stopping. */
export const followDocumentSchema = z.object({ intent: z.enum(["follow", "unfollow"]) });

/** The document page's own forms (saving a version and the approval forms post elsewhere). */
export const documentPageSchema = z.discriminatedUnion("intent", [renameDocumentSchema, archiveDocumentSchema, followDocumentSchema]);

const linkMessage = "Enter a web address starting with https:// (or an email address starting with mailto:)";

/** A link in the document's text (the editor's link form): a web address, or an email address as mailto:. */
export const linkSchema = z.object({
  href: z.string({ error: linkMessage }).trim().regex(/^(https?:\/\/|mailto:)/i, linkMessage),
});

// ---- versions -----------------------------------------------------------------------------------

export const saveVersionSchema = z.object({
  intent: z.literal("save"),
  name: requiredText(VERSION_NAME_MAX, {
    missing: "Enter a name for the version",
    tooLong: `Keep the name to ${VERSION_NAME_MAX} characters or fewer`,
  }),
});

export const restoreVersionSchema = z.object({ intent: z.literal("restore") });

/** Which two texts to compare: version numbers, or "current" (a GET form; the comparison page reads its address). */
export const compareVersionsSchema = z.object({
  from: z.string({ error: "Choose the earlier text" }),
  to: z.string({ error: "Choose the later text" }),
});

// ---- approval by the Lead Minister's office ------------------------------------------------------

export const submitForApprovalSchema = z.object({
  intent: z.literal("submit"),
  coverNote: z.string().trim().max(APPROVAL_TEXT_MAX, `Keep the cover note to ${APPROVAL_TEXT_MAX} characters or fewer`).optional(),
});

export const withdrawSubmissionSchema = z.object({
  intent: z.literal("withdraw"),
  submissionId: z.uuid("That submission is not recognised. Reload the page and try again."),
});

/** The chair's and secretary's forms on the approval history (and the document page). */
export const approvalsSchema = z.discriminatedUnion("intent", [submitForApprovalSchema, withdrawSubmissionSchema]);

/** The reasons for returning a submission: required, 1–2000 characters. */
export const returnReasonsField = requiredText(APPROVAL_TEXT_MAX, {
  missing: "Enter the reasons for returning the terms of reference",
  tooLong: `Keep the reasons to ${APPROVAL_TEXT_MAX} characters or fewer`,
});

/** The hash of the text the reviewer was shown, sent back with their decision. */
const reviewedHash = z.string().regex(/^[0-9a-f]{64}$/);

export const approveSubmissionSchema = z
  .object({ intent: z.literal("approve"), expectedHash: z.string().optional() })
  // A hidden field: its message belongs to the whole form.
  .refine((value) => reviewedHash.safeParse(value.expectedHash).success, "The review form is incomplete. Reload the page and try again.");

export const returnSubmissionSchema = z.object({
  intent: z.literal("return"),
  reasons: returnReasonsField,
  // Compared with the submission's by the command (SUBMISSION_CHANGED when it differs).
  expectedHash: z.string().optional(),
});

/** The Lead Minister's office's decision on one submission. */
export const decisionSchema = z.discriminatedUnion("intent", [approveSubmissionSchema, returnSubmissionSchema]);

// ---- consultations ------------------------------------------------------------------------------

const consulteesField = z.array(z.string(), { error: "Choose at least one consultee" }).min(1, "Choose at least one consultee");

export const openConsultationSchema = z.object({
  intent: z.literal("open"),
  consulteeId: consulteesField,
  /** The last day comments are taken, "YYYY-MM-DD" in New Zealand; closes at its 11:59 pm. */
  closesOn: nzDate("Enter the last day for comments, like 8 December 2026"),
  brief: requiredText(CONSULTATION_BRIEF_MAX, {
    missing: "Write a brief for the consultees",
    tooLong: `Keep the brief to ${CONSULTATION_BRIEF_MAX} characters or fewer`,
  }),
});

export const addConsulteesSchema = z.object({ intent: z.literal("add"), consulteeId: consulteesField });
export const closeConsultationSchema = z.object({ intent: z.literal("close") });

export const consultationSchema = z.discriminatedUnion("intent", [openConsultationSchema, addConsulteesSchema, closeConsultationSchema]);

// ---- comments -----------------------------------------------------------------------------------

const commentBody = z
  .string({ error: "Enter a comment" })
  .max(COMMENT_BODY_MAX, `Keep the comment to ${COMMENT_BODY_MAX} characters or fewer`)
  .refine((value) => value.trim().length > 0, "Enter a comment")
  .transform((value) => value.trim());

const anchorMessage = "Select the words to comment on again";

/** One end of the selected words: a Yjs relative position as base64 (made by the editor). */
const anchorField = z
  .string({ error: anchorMessage })
  .max(4096, anchorMessage)
  .transform((value, context) => {
    const bytes = base64ToBytes(value);
    if (!bytes) context.addIssue({ code: "custom", message: anchorMessage });
    return bytes ?? new Uint8Array();
  });

/**
 * The people the comment box's @ list picked, by id: their names are in the words too, and the
 * id says which person a name means when two share it. Odd values are dropped, not refused.
 */
const mentionField = z
  .array(z.string())
  .max(50)
  .optional()
  .transform((ids) => [...new Set((ids ?? []).filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)).map((id) => id.toLowerCase()))]);

/**
 * The text either side of the selected words (the editor sends up to QUOTE_CONTEXT characters of
 * the document's plain text), kept as it is: spaces and line breaks are part of the context. An
 * empty one (the words start or end the document) arrives as nothing at all.
 */
const quoteContextField = z
  .string({ error: anchorMessage })
  .max(QUOTE_CONTEXT * 2, anchorMessage)
  .transform(asPlainTextLines)
  .refine((value) => value.length <= QUOTE_CONTEXT, anchorMessage)
  .optional();

/** A form sends each line break as CR LF; the document's plain text has LF alone. */
function asPlainTextLines(value: string): string {
  return value.replace(/\r\n/g, "\n");
}

export const createCommentSchema = z.object({
  intent: z.literal("create"),
  anchorStart: anchorField,
  anchorEnd: anchorField,
  quote: requiredText(COMMENT_QUOTE_MAX, {
    missing: "Select the words to comment on",
    tooLong: `Select ${COMMENT_QUOTE_MAX} characters or fewer to comment on`,
  }).transform(asPlainTextLines),
  /** Where the words start in the document's plain text; with it, a missing prefix or suffix is empty. */
  quotePosition: z.coerce.number({ error: anchorMessage }).int(anchorMessage).min(0, anchorMessage).max(10_000_000, anchorMessage).optional(),
  quotePrefix: quoteContextField,
  quoteSuffix: quoteContextField,
  body: commentBody,
  mention: mentionField,
});

/** For a comment form whose hidden fields were changed or lost. */
export const commentReloadMessage = "That comment action is not recognised. Reload the page and try again.";
const threadId = z.uuid(commentReloadMessage);
const commentId = z.uuid(commentReloadMessage);

export const replyCommentSchema = z.object({ intent: z.literal("reply"), threadId, body: commentBody, mention: mentionField });
export const editCommentSchema = z.object({ intent: z.literal("edit"), commentId, body: commentBody, mention: mentionField });
export const deleteCommentSchema = z.object({ intent: z.literal("delete"), commentId });
export const resolveThreadSchema = z.object({ intent: z.literal("resolve"), threadId });
export const reopenThreadSchema = z.object({ intent: z.literal("reopen"), threadId });
/** The editor found a thread's words again elsewhere (app/documents/comment-anchors.ts): their new relative positions. */
export const reanchorThreadSchema = z.object({ intent: z.literal("reanchor"), threadId, anchorStart: anchorField, anchorEnd: anchorField });

/** Every comment command the comments route takes (app/routes/…comments.tsx). */
export const commentCommandSchema = z.discriminatedUnion(
  "intent",
  [createCommentSchema, replyCommentSchema, editCommentSchema, deleteCommentSchema, resolveThreadSchema, reopenThreadSchema, reanchorThreadSchema],
  { error: commentReloadMessage },
);

/** The forms that send a comment's words, by intent. */
export const commentFormSchemas = { create: createCommentSchema, reply: replyCommentSchema, edit: editCommentSchema } as const;
