/**
 * The layout of every page of a group: it checks the person has a place in the group, names the
 * group in the breadcrumb, and draws the shared frame (classification marking and breadcrumb,
 * components/PageFrame.tsx) around the page below it.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useParams } from "@remix-run/react";
import { ErrorPage } from "../components/ErrorPage.js";
import { PageFrame, type RouteHandle } from "../components/PageFrame.js";
import { requireGroup } from "../http/require-group.server.js";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { group } = await requireGroup(request, context, params);
  return { group: { id: group.id, name: group.name } };
}

export const handle: RouteHandle<typeof loader> = {
  breadcrumb: (data) => [{ to: `/groups/${data.group.id}`, label: data.group.name }],
};

export default function GroupLayout() {
  return (
    <PageFrame>
      <Outlet />
    </PageFrame>
  );
}

export function ErrorBoundary() {
  const { groupId } = useParams();
  return <ErrorPage back={groupId ? { to: `/groups/${groupId}`, label: "Back to the group's home page" } : undefined} />;
}
