/**
 * A meeting's minute of decision as a Word document, downloaded, in the Cabinet minute's form
 * (app/exports/minutes-docx.server.ts). Whoever may see the group's meetings may download it; a
 * meeting that has not started has no minute, so there is nothing to download (not found).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound } from "../errors.js";
import { minutesToDocx } from "../exports/minutes-docx.server.js";
import { requireMeeting } from "../http/require-meeting.server.js";
import { invariantResponse } from "../http/responses.server.js";
import { minuteView } from "../models/minutes.server.js";
import { nzCalendarDate } from "../utils/dates.js";

const DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { meeting } = await requireMeeting(request, context, params, "meeting.view");
  const view = await minuteView(context.services.db, meeting);
  invariantResponse(view.minute, notFound("This meeting has no minutes yet."));
  const file = await minutesToDocx(view);
  // References are ASCII by construction (SSCSG-26-MIN-0001); a draft is named by its NZ date.
  const fileName = view.minute.reference ? `${view.minute.reference}.docx` : `draft-minutes-${nzCalendarDate(meeting.starts_at)}.docx`;
  context.services.logger.info(
    { category: "export", requestId: context.requestId, userId: context.user?.id, meetingId: meeting.id, minuteStatus: view.minute.status, format: "docx" },
    "minutes exported",
  );
  return new Response(new Uint8Array(file), {
    headers: {
      "Content-Type": DOCX_TYPE,
      "Content-Length": String(file.byteLength),
      "Content-Disposition": `attachment; filename="${fileName}"`,
      // Classified content: never kept by a shared cache.
      "Cache-Control": "private, no-cache",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
