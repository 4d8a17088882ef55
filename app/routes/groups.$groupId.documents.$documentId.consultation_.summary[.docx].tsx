/**
 * The consultation summary as a Word document, downloaded; the classification marking is in every
 * page's header and footer.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { consultationSummaryToDocx } from "../exports/consultation-docx.server.js";
import { exportFileName } from "../exports/version-export.server.js";
import { DOCX_TYPE, attachment } from "../http/attachment.server.js";
import { requireConsultationSummary } from "../http/require-consultation-summary.server.js";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { document, group, consultationLine, threads } = await requireConsultationSummary(request, context, params);
  const file = await consultationSummaryToDocx({
    documentTitle: document.title,
    groupName: group.name,
    classification: document.classification,
    consultationLine,
    threads,
  });
  const fileName = exportFileName(`${document.title} consultation summary`, 0, "docx").replace(/-v0\.docx$|\.docx$/, ".docx");
  context.services.logger.info(
    { category: "export", requestId: context.requestId, userId: context.user?.id, documentId: document.id, format: "docx", kind: "consultation-summary" },
    "consultation summary exported",
  );
  return attachment(file, fileName, DOCX_TYPE);
}
