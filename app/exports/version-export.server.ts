/**
 * What the Word and print exports of a document version need, loaded for the signed-in person:
 * the same door as the version page (requireVersion: "not found" when they may not read the
 * document, so its existence is not revealed).
 */
import type { AppLoadContext } from "@remix-run/node";
import { requireVersion } from "../http/require-document.server.js";
import { approvalOfVersion } from "../models/approvals.server.js";

export async function loadVersionForExport(
  request: Request,
  context: AppLoadContext,
  params: { groupId?: string; documentId?: string; versionNumber?: string },
) {
  const { document, group, version } = await requireVersion(request, context, params);
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
