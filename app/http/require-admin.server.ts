/** The door to the Hub's administration pages (/admin): the signed-in platform administrator, or a 403. */
import type { AppLoadContext } from "@remix-run/node";
import { requireActor, requirePermission } from "./require.server.js";

export async function requirePlatformAdmin(request: Request, context: AppLoadContext) {
  const { user, actor } = await requireActor(request, context);
  requirePermission(actor, "platform.administer", { type: "platform" });
  return { user, actor };
}
