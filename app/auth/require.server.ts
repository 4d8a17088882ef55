/**
 * Authentication at the door for loaders and actions: `requireUser` throws a redirect to the
 * sign-in page (remembering where the person was going); `requireActor` adds their roles.
 */
import { redirect } from "@remix-run/node";
import type { AppLoadContext } from "@remix-run/node";
import { loadActor } from "../models/actor.server.js";
import type { Actor } from "../policy/policy.js";
import type { SessionUser } from "./lucia.server.js";

export function requireUser(request: Request, context: AppLoadContext): SessionUser {
  if (context.user) return context.user;
  const url = new URL(request.url);
  const redirectTo = `${url.pathname}${url.search}`;
  throw redirect(`/login?redirectTo=${encodeURIComponent(redirectTo)}`);
}

export async function requireActor(
  request: Request,
  context: AppLoadContext,
): Promise<{ user: SessionUser; actor: Actor }> {
  const user = requireUser(request, context);
  return { user, actor: await loadActor(context.services.db, user) };
}

/** Only same-site paths are followed after sign-in, so a link cannot send someone elsewhere. */
export function safeRedirectPath(value: unknown, fallback = "/groups"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) {
    return fallback;
  }
  return value;
}
