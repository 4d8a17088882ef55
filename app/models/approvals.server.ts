/**
 * Where documents stand with the Lead Minister's office (docs/DOMAIN.md, journey 2): their
 * submissions and decisions, the version in force, the status line pages show, the queue of the
 * office's submissions waiting, and what a person may do about it now. The commands that change
 * them are in approval-commands.server.ts.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/database.js";
import type { ExportApproval, VersionStanding } from "../documents/approval-wording.js";
import { type Actor, can } from "../policy/policy.js";
import { formatNzShortDate } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { type DocumentResource, groupResource, submissionResource } from "./policy-resources.server.js";

type Db = Kysely<Database> | Transaction<Database>;

function submissionQuery(db: Db) {
  return db
    .selectFrom("document_submissions as s")
    .innerJoin("document_versions as v", "v.id", "s.version_id")
    .innerJoin("documents as d", "d.id", "s.document_id")
    .innerJoin("groups as g", "g.id", "d.group_id")
    .leftJoin("users as submitter", "submitter.id", "s.submitted_by")
    .leftJoin("users as decider", "decider.id", "s.decided_by")
    .leftJoin("users as withdrawer", "withdrawer.id", "s.withdrawn_by")
    .select([
      "s.id",
      "s.document_id",
      "s.version_id",
      "s.status",
      "s.cover_note",
      "s.submitted_by",
      "s.submitted_at",
      "s.withdrawn_at",
      "s.decided_at",
      "s.decision_reasons",
      "s.content_hash",
      "v.number as version_number",
      "d.title as document_title",
      "d.group_id",
      "d.classification",
      "g.name as group_name",
      "submitter.display_name as submitted_by_name",
      "decider.display_name as decided_by_name",
      "withdrawer.display_name as withdrawn_by_name",
    ]);
}

export type SubmissionSummary = Awaited<ReturnType<typeof listSubmissions>>[number];

/** Every submission of a document, newest first. */
export async function listSubmissions(db: Db, documentId: string) {
  return submissionQuery(db).where("s.document_id", "=", documentId).orderBy("s.submitted_at", "desc").execute();
}

/** One submission with the submitted version's text. */
export async function findSubmission(db: Db, submissionId: string) {
  if (!isUuid(submissionId)) return undefined;
  return submissionQuery(db)
    .select(["v.content_html", "v.content_text", "v.content_hash as version_hash"])
    .where("s.id", "=", submissionId)
    .executeTakeFirst();
}

/** The last approved submission of a document, with its version's text: the version in force. */
export async function findApprovedVersion(db: Db, documentId: string, before?: Date) {
  let query = submissionQuery(db)
    .select(["v.content_html", "v.content_text"])
    .where("s.document_id", "=", documentId)
    .where("s.status", "=", "approved");
  if (before) query = query.where("s.decided_at", "<", before);
  return query.orderBy("s.decided_at", "desc").executeTakeFirst();
}

/**
 * The submission the office returned most recently before `submittedAt`, with its text and
 * reasons: what a resubmission answers.
 */
export async function findReturnedBefore(db: Db, documentId: string, submittedAt: Date) {
  return submissionQuery(db)
    .select(["v.content_text"])
    .where("s.document_id", "=", documentId)
    .where("s.status", "=", "returned")
    .where("s.decided_at", "<=", submittedAt)
    .orderBy("s.decided_at", "desc")
    .executeTakeFirst();
}

/**
 * Where a document stands with the Lead Minister's office: the pending submission if any, the
 * latest decision, and the version in force (the last approved one).
 */
export async function approvalOverview(db: Db, documentId: string) {
  const submissions = await listSubmissions(db, documentId);
  const pending = submissions.find((submission) => submission.status === "pending") ?? null;
  const decisions = submissions
    .filter((submission) => submission.status === "approved" || submission.status === "returned")
    .sort((a, b) => b.decided_at!.getTime() - a.decided_at!.getTime());
  const latestDecision = decisions[0] ?? null;
  const inForce = decisions.find((submission) => submission.status === "approved") ?? null;
  return { pending, latestDecision, inForce, submissions };
}

/** The groups where the actor may approve or return submissions (the Lead Minister's office's). */
export function approverGroupIds(actor: Actor): string[] {
  return [...actor.rolesByGroup.keys()].filter((groupId) => can(actor, "document.approve", groupResource(groupId)));
}

/** True when the person may decide submissions in any group: they have an approvals queue. */
export function holdsMinisterOffice(actor: Actor): boolean {
  return approverGroupIds(actor).length > 0;
}

/** Pending submissions in every group where the actor may approve, oldest first. */
export async function listPendingForApprover(db: Db, actor: Actor) {
  const groupIds = approverGroupIds(actor);
  if (groupIds.length === 0) return [];
  return submissionQuery(db)
    .where("s.status", "=", "pending")
    .where("d.group_id", "in", groupIds)
    .where("d.archived_at", "is", null)
    .orderBy("s.submitted_at", "asc")
    .execute();
}

/** How a document stands with the Lead Minister's office, in words, for its page and the group home. */
export interface ApprovalStatus {
  /** "Approved on 14 March 2027 by the Lead Minister's office", "Returned: …", "Submitted for approval on …". */
  line: string;
  state: "approved" | "returned" | "pending" | "none";
  pendingSubmissionId: string | null;
  pendingSubmittedBy: string | null;
  /** The version in force: the last one approved. */
  inForce: { versionNumber: number; approvedOn: string; contentHash: string } | null;
}

export async function approvalStatus(db: Db, documentId: string): Promise<ApprovalStatus> {
  const { pending, latestDecision, inForce } = await approvalOverview(db, documentId);
  const line = pending
    ? `Submitted for approval on ${formatNzShortDate(pending.submitted_at)}, waiting for the Lead Minister's office`
    : latestDecision?.status === "approved"
      ? approvedLine(latestDecision.decided_at!)
      : latestDecision?.status === "returned"
        ? `Returned: ${latestDecision.decision_reasons ?? ""}`
        : "Not yet submitted for approval";
  return {
    line,
    state: pending ? "pending" : latestDecision?.status === "approved" ? "approved" : latestDecision ? "returned" : "none",
    pendingSubmissionId: pending?.id ?? null,
    pendingSubmittedBy: pending?.submitted_by ?? null,
    inForce: inForce
      ? { versionNumber: inForce.version_number, approvedOn: formatNzShortDate(inForce.decided_at!), contentHash: inForce.content_hash }
      : null,
  };
}

/** "Approved on 14 March 2027 by the Lead Minister's office" (a New Zealand date). */
export function approvedLine(decidedAt: Date): string {
  return `Approved on ${formatNzShortDate(decidedAt)} by the Lead Minister's office`;
}

/** "the Lead Minister's office (Alex Morgan)", or the office alone when the person is not known. */
function officeWith(name: string | null): string {
  return name ? `the Lead Minister's office (${name})` : "the Lead Minister's office";
}

/** Where this exact version stands with the Lead Minister's office now, for the line its exports print under the title. */
export async function standingOfVersion(db: Db, versionId: string): Promise<VersionStanding> {
  const row = await db
    .selectFrom("document_submissions")
    .leftJoin("users", "users.id", "document_submissions.decided_by")
    .select([
      "document_submissions.status",
      "document_submissions.submitted_at",
      "document_submissions.decided_at",
      "document_submissions.withdrawn_at",
      "document_submissions.content_hash",
      "users.display_name",
    ])
    .where("document_submissions.version_id", "=", versionId)
    .orderBy("document_submissions.submitted_at", "desc")
    .executeTakeFirst();
  if (!row) return { state: "none" };
  if (row.status === "approved" && row.decided_at) {
    return { state: "approved", approval: { approvedOn: row.decided_at.toISOString(), approvedBy: officeWith(row.display_name), hash: row.content_hash } };
  }
  if (row.status === "returned" && row.decided_at) return { state: "returned", decidedOn: row.decided_at, decidedBy: officeWith(row.display_name) };
  if (row.status === "withdrawn" && row.withdrawn_at) return { state: "withdrawn", withdrawnOn: row.withdrawn_at };
  return { state: "pending", submittedOn: row.submitted_at };
}

/** The Lead Minister's office's approval of this exact version, when it has one. */
export async function approvalOfVersion(db: Db, versionId: string): Promise<(ExportApproval & { approvedOn: string }) | null> {
  const row = await db
    .selectFrom("document_submissions")
    .leftJoin("users", "users.id", "document_submissions.decided_by")
    .select(["document_submissions.decided_at", "document_submissions.content_hash", "users.display_name"])
    .where("document_submissions.version_id", "=", versionId)
    .where("document_submissions.status", "=", "approved")
    .executeTakeFirst();
  if (!row?.decided_at) return null;
  return {
    approvedOn: row.decided_at.toISOString(),
    approvedBy: officeWith(row.display_name),
    hash: row.content_hash,
  };
}

/** What this person may do about the document's approval now: submit it (when nothing is pending), or withdraw the pending submission. */
export function approvalPermissions(actor: Actor, resource: DocumentResource, status: Pick<ApprovalStatus, "pendingSubmissionId" | "pendingSubmittedBy">) {
  const pending =
    status.pendingSubmissionId === null
      ? null
      : submissionResource(actor, { group_id: resource.groupId, submitted_by: status.pendingSubmittedBy, status: "pending" });
  return {
    submit: pending === null && can(actor, "document.submit", resource),
    withdraw: pending !== null && can(actor, "submission.withdraw", pending),
  };
}
