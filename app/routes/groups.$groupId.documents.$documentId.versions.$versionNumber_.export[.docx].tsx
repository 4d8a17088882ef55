/**
 * A saved version as a Word document, downloaded. Who may read the document may download it;
 * the file carries the classification marking in every page's header and footer.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { versionToDocx } from "../exports/docx.server.js";
import { exportFileName, loadVersionForExport } from "../exports/version-export.server.js";
import { DOCX_TYPE, attachment, exportETag, notModified } from "../http/attachment.server.js";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { document, group, version, approval, standingLine, secretaryName } = await loadVersionForExport(request, context, params);
  const inputs = {
    title: document.title,
    groupName: group.name,
    classification: document.classification,
    content: version.state,
    versionLabel: standingLine,
    secretaryName,
    ...(approval ? { approval } : {}),
  };
  // Asked again for the same version, unchanged: a 304 before any rendering (ADR 022).
  const etag = exportETag(inputs);
  const unchanged = notModified(request, etag);
  if (unchanged) return unchanged;
  const file = await versionToDocx(inputs);
  const fileName = exportFileName(document.title, version.number, "docx");
  context.services.logger.info(
    { category: "export", requestId: context.requestId, userId: context.user?.id, documentId: document.id, version: version.number, format: "docx" },
    "document version exported",
  );
  return attachment(file, fileName, DOCX_TYPE, etag);
}
