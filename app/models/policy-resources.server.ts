/**
 * Each kind of thing the policy decides about, described to it in one function: what the policy
 * must know of it for this actor (their authorship, the thing's state, a consultation open to
 * them). Every transport (loaders, actions, Socket.io events, the Yjs upgrade, email replies)
 * builds its resources here and nowhere else, so `can()` gets the same facts from all of them.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/database.js";
import type { Actor, Resource } from "../policy/policy.js";
import { isOpenToConsultee } from "./consultation-access.server.js";

type Db = Kysely<Database> | Transaction<Database>;

export type GroupResource = Extract<Resource, { type: "group" }>;
export type DocumentResource = Extract<Resource, { type: "document" }>;
export type MeetingResource = Extract<Resource, { type: "meeting" }>;
export type CommentResource = Extract<Resource, { type: "comment" }>;
export type SubmissionResource = Extract<Resource, { type: "submission" }>;
export type ConsultationResource = Extract<Resource, { type: "consultation" }>;
export type ActionResource = Extract<Resource, { type: "action" }>;
export type ProposalResource = Extract<Resource, { type: "proposal" }>;

export function groupResource(groupId: string): GroupResource {
  return { type: "group", groupId };
}

/**
 * A document as this actor sees it. `now` decides whether a consultation is still open (comments
 * end at its closing instant); tests pass their own.
 */
export async function documentResource(
  db: Db,
  actor: Actor,
  document: { id: string; group_id: string; archived_at: Date | null; status?: string },
  now: Date = new Date(),
): Promise<DocumentResource> {
  // Only a consultee's rights depend on a consultation: skip the query for everyone else.
  const consultee = actor.rolesByGroup.get(document.group_id) === "consultee";
  return {
    type: "document",
    groupId: document.group_id,
    // Archived: kept for the record, never edited again. A document submitted for approval stays
    // editable: the submission froze an immutable version, so the working draft can move on.
    locked: document.archived_at !== null,
    awaitingApproval: document.status === "submitted",
    openToActorForConsultation: consultee && (await isOpenToConsultee(db, actor.id, document.id, now)),
  };
}

/** A meeting: whether the actor is the acting chair named for it. */
export function meetingResource(actor: Actor, meeting: { group_id: string; acting_chair_user_id: string | null }): MeetingResource {
  return { type: "meeting", groupId: meeting.group_id, actorIsActingChair: meeting.acting_chair_user_id === actor.id };
}

/** A comment: whether the actor wrote it, and (for a consultee) whether its document is open to them. */
export function commentResource(actor: Actor, comment: { author_id: string }, document: DocumentResource): CommentResource {
  return {
    type: "comment",
    groupId: document.groupId,
    actorIsAuthor: comment.author_id === actor.id,
    openToActorForConsultation: document.openToActorForConsultation === true,
  };
}

/** A submission for approval: whether the actor made it, and whether it is still pending. */
export function submissionResource(
  actor: Actor,
  submission: { group_id: string; submitted_by: string | null; status: string },
): SubmissionResource {
  return {
    type: "submission",
    groupId: submission.group_id,
    actorIsSubmitter: submission.submitted_by === actor.id,
    pending: submission.status === "pending",
  };
}

/** A consultation: whether the actor was one of its invited consultees. */
export function consultationResource(groupId: string, actorInvited: boolean): ConsultationResource {
  return { type: "consultation", groupId, actorInvited };
}

/** An action from a decision: whether the actor, or their organisation in the group, owns it. */
export function actionResource(groupId: string, actorOwns: boolean): ActionResource {
  return { type: "action", groupId, actorOwns };
}

/** A proposal: open or closed, results shown, and whether the actor may take part and everyone has. */
export function proposalResource(
  proposal: { group_id: string; status: string; results: string },
  facts: { actorEligible: boolean; everyoneTookPart: boolean; liveAtMeeting?: boolean },
): ProposalResource {
  return {
    type: "proposal",
    groupId: proposal.group_id,
    open: proposal.status === "open",
    resultsShown: proposal.status === "closed" || proposal.results === "visible",
    actorEligible: facts.actorEligible,
    everyoneTookPart: facts.everyoneTookPart,
    liveAtMeeting: facts.liveAtMeeting === true,
  };
}
