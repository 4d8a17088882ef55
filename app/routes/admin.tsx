/**
 * The layout of the Hub's administration pages: only a platform administrator gets in, the pages
 * below name "Administration" in the breadcrumb, and the shared frame is drawn once
 * (components/PageFrame.tsx). Each page's own loader and action still check the door: Remix may
 * call them without this one.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet } from "@remix-run/react";
import { PageFrame, type RouteHandle } from "../components/PageFrame.js";
import { requirePlatformAdmin } from "../http/require-admin.server.js";

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePlatformAdmin(request, context);
  return { section: "Administration" };
}

export const handle: RouteHandle<typeof loader> = {
  breadcrumb: (data) => [{ to: "/admin", label: data.section }],
};

export default function AdministrationLayout() {
  return (
    <PageFrame>
      <Outlet />
    </PageFrame>
  );
}
