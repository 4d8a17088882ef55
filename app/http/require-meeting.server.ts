/**
 * The doors to a group's meeting pages: the signed-in person, the meeting or the group, and a
 * refusal with the one error model when the policy says no (404 for those who may not know the
 * meeting exists, 403 for those who may see it but not do this).
 */
import type { AppLoadContext } from "@remix-run/node";
import { notFound } from "../errors.js";
import { findGroup } from "../models/groups.server.js";
import { findMeeting, findMeetingGroup } from "../models/meetings.server.js";
import { groupResource, meetingResource } from "../models/policy-resources.server.js";
import type { Action } from "../policy/policy.js";
import { requireActor, requirePermission } from "./require.server.js";
import { refuse } from "./responses.server.js";

/** The meeting (404 when it does not exist or is not in this group) and its group, after the policy allows `action`. */
export async function requireMeeting(
  request: Request,
  context: AppLoadContext,
  params: { groupId?: string; meetingId?: string },
  action: Action = "meeting.view",
) {
  const { user, actor } = await requireActor(request, context);
  const db = context.services.db;
  const meeting = await findMeeting(db, params.meetingId ?? "");
  if (!meeting || meeting.group_id !== params.groupId) refuse(notFound());
  const resource = meetingResource(actor, meeting);
  requirePermission(actor, "meeting.view", resource, { hide: true });
  requirePermission(actor, action, resource);
  const group = await findMeetingGroup(db, meeting.group_id);
  return { user, actor, meeting, group, resource };
}

/**
 * For the group-wide meeting pages (meetings, the register, actions, scheduling): the group (404
 * when there is none), after the policy allows `action` (403 otherwise).
 */
export async function requireGroupMeetings(
  request: Request,
  context: AppLoadContext,
  params: { groupId?: string },
  action: Action = "meeting.view",
) {
  const { user, actor } = await requireActor(request, context);
  const group = await findGroup(context.services.db, params.groupId ?? "");
  if (!group) refuse(notFound());
  requirePermission(actor, action, groupResource(group.id));
  return { user, actor, group };
}
