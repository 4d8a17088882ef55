/**
 * Opening a notification: marks it read and goes to what it is about. Only the person it was
 * sent to can open it; anyone else gets "not found", as if it did not exist.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireUser } from "../http/require.server.js";
import { invariantResponse } from "../http/responses.server.js";
import { isSameSitePath, markRead } from "../models/notifications.server.js";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = requireUser(request, context);
  const link = await markRead(context.services.db, user.id, params.notificationId ?? "");
  invariantResponse(link);
  // Stored links are same-site paths (checked on the way in and by the database); check again.
  return redirect(isSameSitePath(link) ? link : "/notifications");
}
