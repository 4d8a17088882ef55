/**
 * What the Word and print exports of a document version need, loaded for the signed-in person:
 * the same door as the version page (requireDocumentHistory: "not found" when they may not read
 * the document, so its existence is not revealed).
 */
import type { AppLoadContext } from "@remix-run/node";
import type { ExportApproval } from "./approval.js";
import { findVersion } from "../models/document-versions.server.js";
import { requireDocumentHistory } from "../models/documents.server.js";

/** "3" → 3; anything that is not a version number → NaN (then "not found"). */
export function parseVersionNumber(value: string | undefined): number {
  return /^[1-9]\d{0,8}$/.test(value ?? "") ? Number(value) : Number.NaN;
}

export async function loadVersionForExport(
  request: Request,
  context: AppLoadContext,
  params: { groupId?: string; documentId?: string; versionNumber?: string },
) {
  const { document, group } = await requireDocumentHistory(request, context, params);
  const version = await findVersion(context.services.db, document.id, parseVersionNumber(params.versionNumber));
  if (!version) throw new Response("Not found", { status: 404 });
  return { document, group, version, approval: await approvalOfVersion(context, version.id) };
}

/** The Lead Minister's office's approval of this exact version, when it has one. */
async function approvalOfVersion(context: AppLoadContext, versionId: string): Promise<(ExportApproval & { approvedOn: string }) | null> {
  const row = await context.services.db
    .selectFrom("document_submissions")
    .leftJoin("users", "users.id", "document_submissions.decided_by")
    .select(["document_submissions.decided_at", "document_submissions.content_hash", "users.display_name"])
    .where("document_submissions.version_id", "=", versionId)
    .where("document_submissions.status", "=", "approved")
    .executeTakeFirst();
  if (!row?.decided_at) return null;
  return {
    approvedOn: row.decided_at.toISOString(),
    approvedBy: row.display_name ? `the Lead Minister's office (${row.display_name})` : "the Lead Minister's office",
    hash: row.content_hash,
  };
}

/** A file name that is safe in any file system and header: "terms-of-reference-v3.docx". */
export function exportFileName(title: string, versionNumber: number, extension: string): string {
  const stem = title
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "") // ā → a: ASCII for the plain filename parameter
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/, "");
  return `${stem || "document"}-v${versionNumber}.${extension}`;
}
