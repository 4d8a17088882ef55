/**
 * The door to a group's pages (the group layout, routes/groups.$groupId.tsx): the group, when the
 * person holds any place in it (a role, or the Hub's administration of its members). 404 when there
 * is no such group, 403 for a signed-in person with no place in it. A page under it names the
 * action it needs (`group.members.manage`…): 403 unless the policy allows that too.
 */
import type { AppLoadContext } from "@remix-run/node";
import { forbidden, notFound } from "../errors.js";
import { findGroup } from "../models/groups.server.js";
import { groupResource } from "../models/policy-resources.server.js";
import { type Action, can } from "../policy/policy.js";
import { oncePerRequest, requireActor, requirePermission } from "./require.server.js";
import { refuse } from "./responses.server.js";

export async function requireGroup(request: Request, context: AppLoadContext, params: { groupId?: string }, action?: Action) {
  const { user, actor } = await requireActor(request, context);
  const groupId = params.groupId ?? "";
  const group = await oncePerRequest(context, `group:${groupId}`, () => findGroup(context.services.db, groupId));
  if (!group) refuse(notFound());
  const resource = groupResource(group.id);
  if (!can(actor, "group.view", resource) && !can(actor, "group.members.view", resource)) refuse(forbidden());
  if (action) requirePermission(actor, action, resource);
  return { user, actor, group, resource };
}
