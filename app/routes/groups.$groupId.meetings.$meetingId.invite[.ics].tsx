/**
 * One meeting as an ICS file to add to a calendar. Times are UTC instants, so the calendar shows
 * the meeting at the right New Zealand time whatever its own zone; a cancelled meeting's file says
 * so (STATUS:CANCELLED), and downloading it again after a change replaces the event (same UID,
 * higher SEQUENCE). See app/models/calendar.server.ts.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportFileName } from "../exports/version-export.server.js";
import { meetingInviteIcs } from "../models/calendar.server.js";
import { requireMeeting } from "../http/require-meeting.server.js";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { meeting, group } = await requireMeeting(request, context, params, "meeting.view");
  const ics = await meetingInviteIcs(context.services.db, meeting, group, context.services.config.publicUrl);
  // The shared file-name rule (macrons folded, ASCII only), without its version suffix.
  const fileName = exportFileName(meeting.title, 0, "ics").replace(/-v0\.ics$/, ".ics");
  return new Response(ics, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      // Where and when the group meets is not for shared caches.
      "Cache-Control": "private, no-cache",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
