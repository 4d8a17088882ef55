/**
 * The layout of a meeting's pages (the meeting and its live mode, attendance, details, minutes):
 * it lets through only someone who may see the group's meetings (404 otherwise) and names the
 * meeting in the breadcrumb.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useParams } from "@remix-run/react";
import { ErrorPage } from "../components/ErrorPage.js";
import type { RouteHandle } from "../components/PageFrame.js";
import { requireMeeting } from "../http/require-meeting.server.js";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { meeting, group } = await requireMeeting(request, context, params);
  return { group: { id: group.id }, meeting: { id: meeting.id, title: meeting.title } };
}

export const handle: RouteHandle<typeof loader> = {
  breadcrumb: (data) => [
    { to: `/groups/${data.group.id}/meetings`, label: "Meetings" },
    { to: `/groups/${data.group.id}/meetings/${data.meeting.id}`, label: data.meeting.title },
  ],
};

export default function MeetingLayout() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const { groupId } = useParams();
  return <ErrorPage back={groupId ? { to: `/groups/${groupId}/meetings`, label: "Back to the group's meetings" } : undefined} />;
}
