/**
 * What the Word and print exports of a document version need, loaded for the signed-in person:
 * the same door as the version page (requireDocumentHistory: "not found" when they may not read
 * the document, so its existence is not revealed).
 */
import type { AppLoadContext } from "@remix-run/node";
import { notFound } from "../errors.js";
import { invariantResponse } from "../http/responses.server.js";
import { approvalOfVersion } from "../models/approvals.server.js";
import { findVersion } from "../models/document-versions.server.js";
import { requireDocumentHistory } from "../http/require-document.server.js";

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
  invariantResponse(version, notFound);
  return { document, group, version, approval: await approvalOfVersion(context.services.db, version.id) };
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
