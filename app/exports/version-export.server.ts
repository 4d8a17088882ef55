/**
 * What the Word and print exports of a document version need, loaded for the signed-in person:
 * the same door as the version page (requireVersion: "not found" when they may not read the
 * document, so its existence is not revealed).
 */
import type { AppLoadContext } from "@remix-run/node";
import { requireVersion } from "../http/require-document.server.js";
import { versionExportLine } from "../documents/approval-wording.js";
import { standingOfVersion } from "../models/approvals.server.js";
import { secretaryOnDate } from "../models/minutes.server.js";
import { formatNzDateTime, nzCalendarDate } from "../utils/dates.js";

/**
 * The version, its approval when it has one, the line under its title saying what it is now
 * (approved on … by …, not the name it was saved with), and the group's secretary today, who is
 * named with the group in the Word file's properties.
 */
export async function loadVersionForExport(
  request: Request,
  context: AppLoadContext,
  params: { groupId?: string; documentId?: string; versionNumber?: string },
) {
  const { document, group, version } = await requireVersion(request, context, params);
  const db = context.services.db;
  const [standing, secretaryName] = await Promise.all([standingOfVersion(db, version.id), secretaryOnDate(db, group.id, nzCalendarDate())]);
  return {
    document,
    group,
    version,
    approval: standing.state === "approved" ? standing.approval : null,
    standingLine: versionExportLine({ number: version.number, name: version.name, savedAt: formatNzDateTime(version.created_at) }, standing),
    secretaryName: secretaryName ?? null,
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
