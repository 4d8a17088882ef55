/**
 * The door to a submission's review page (/approvals/:submissionId): the submission and the
 * person, when they may read its document's history (the group's readers). 404 when they may not
 * read the document at all, as if it did not exist; 403 when they may read its text but not its
 * history (a consultee of this very document).
 */
import type { AppLoadContext } from "@remix-run/node";
import { notFound } from "../errors.js";
import { findSubmission } from "../models/approvals.server.js";
import { findDocument } from "../models/document-access.server.js";
import { documentResource } from "../models/policy-resources.server.js";
import { requireActor, requirePermission } from "./require.server.js";
import { invariantResponse } from "./responses.server.js";

export async function requireSubmission(request: Request, context: AppLoadContext, params: { submissionId?: string }) {
  const { actor } = await requireActor(request, context);
  const db = context.services.db;
  const submission = await findSubmission(db, params.submissionId ?? "");
  invariantResponse(submission, notFound);
  const document = await findDocument(db, submission.document_id);
  invariantResponse(document, notFound);
  const resource = await documentResource(db, actor, document);
  requirePermission(actor, "document.read", resource, { hide: true });
  requirePermission(actor, "document.history", resource);
  return { actor, submission, resource };
}
