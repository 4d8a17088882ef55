/**
 * Authentication and authorisation at the door for loaders and actions: `requireUser` sends
 * someone who is not signed in to the sign-in page (remembering where they were going),
 * `requireActor` adds their roles, and `requirePermission` asks the policy and refuses with the
 * one error model (app/errors.ts) when it says no.
 */
import type { AppLoadContext } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import type { SessionUser } from "../auth/lucia.server.js";
import { forbidden, notFound, unauthenticated } from "../errors.js";
import { loadActor } from "../models/actor.server.js";
import { type Action, type Actor, type Resource, can } from "../policy/policy.js";
import { refuse } from "./responses.server.js";

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
  return { user, actor: await actorOf(context, user) };
}

/** The signed-in person's roles, read once per GET request however many loaders ask. */
export function actorOf(context: AppLoadContext, user: SessionUser): Promise<Actor> {
  return oncePerRequest(context, `actor:${user.id}`, () => loadActor(context.services.db, user));
}

/** `read()` once per GET request for `key`; every call for a form post reads afresh. */
export function oncePerRequest<T>(context: AppLoadContext, key: string, read: () => Promise<T>): Promise<T> {
  const cache = context.requestCache;
  if (!cache) return read();
  let pending = cache.get(key) as Promise<T> | undefined;
  if (!pending) {
    pending = read();
    cache.set(key, pending);
  }
  return pending;
}

/**
 * Refuses unless the policy allows `action` on `resource`: 401 with no actor, otherwise 403, or
 * 404 when `hide` is set (for those who may not know the thing exists).
 */
export function requirePermission(
  actor: Actor | null,
  action: Action,
  resource: Resource,
  options: { hide?: boolean; message?: string } = {},
): void {
  if (can(actor, action, resource)) return;
  if (!actor) refuse(unauthenticated());
  refuse(options.hide ? notFound() : forbidden(options.message));
}

/** Only same-site paths are followed after sign-in, so a link cannot send someone elsewhere. */
export function safeRedirectPath(value: unknown, fallback = "/groups"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) {
    return fallback;
  }
  return value;
}
