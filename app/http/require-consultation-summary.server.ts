/**
 * The consultation summary shared by its page and its Word export: the document, the latest
 * consultation in a line, and every comment thread. Group readers (not consultees) may see it.
 */
import type { AppLoadContext } from "@remix-run/node";
import { consultationClosingLabel, consultationSummary, latestConsultation } from "../models/consultations.server.js";
import { groupResource } from "../models/policy-resources.server.js";
import { requirePermission } from "./require.server.js";
import { requireReadableDocument } from "./require-document.server.js";

export async function requireConsultationSummary(
  request: Request,
  context: AppLoadContext,
  params: { groupId?: string; documentId?: string },
) {
  const { actor, document, group } = await requireReadableDocument(request, context, params);
  requirePermission(actor, "document.list", groupResource(document.group_id));
  const db = context.services.db;
  const consultation = await latestConsultation(db, document.id);
  const consultationLine = consultation
    ? consultation.isOpen
      ? `Open for comments until ${consultationClosingLabel(consultation.closes_at)} (New Zealand time).`
      : `Closed ${consultationClosingLabel(consultation.closed_early_at ?? consultation.closes_at)} (New Zealand time).`
    : null;
  const threads = await consultationSummary(db, document.id, document.group_id);
  return { document, group, consultationLine, threads };
}
