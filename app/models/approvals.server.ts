/**
 * Approval of the terms of reference by the Lead Minister's office (docs/DOMAIN.md, journey 2).
 *
 * Submitting freezes the document's current text as an immutable version (reason "submission")
 * and records its hash; the Minister's office approves or returns exactly that version, so editing
 * the working draft afterwards never changes what they are looking at. The draft stays editable
 * while a submission is pending. One submission per document may be pending at a time (a partial
 * unique index), and a submission is frozen once it leaves "pending" (a trigger).
 *
 * Each command checks the policy, runs in one transaction with its audit entry, and only after the
 * commit tells the people concerned (best effort: a failed notification never undoes a decision).
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, MembershipRole, SubmissionStatus } from "../../db/database.js";
import { APPROVAL_TEXT_MAX } from "../documents/limits.js";
import { type Actor, can } from "../policy/policy.js";
import { isUuid } from "../utils/ids.js";
import { formatNzDateTime, formatNzShortDate, nzCalendarDate } from "../utils/dates.js";
import { recordAudit } from "./audit.server.js";
import { findDocument } from "./document-access.server.js";
import { documentResource, submissionResource } from "./policy-resources.server.js";
import { notify } from "./notifications.server.js";
import { type DocumentStateService, captureCurrentContent, insertVersion } from "./document-versions.server.js";
import { membershipActiveOn } from "./memberships.server.js";
import { AppError, forbidden } from "../errors.js";
import type { ExportApproval } from "../exports/approval.js";

type Db = Kysely<Database> | Transaction<Database>;

export { APPROVAL_TEXT_MAX };

/** What the notification centre is asked to deliver (app/models/notifications.server.ts `notify`). */
export interface ApprovalNotification {
  recipientIds: string[];
  kind: "approval.submitted" | "approval.approved" | "approval.returned";
  title: string;
  body: string;
  link: string;
  groupId: string;
}

/** Delivers a notification after the command's transaction has committed. */
export type ApprovalNotifier = (notification: ApprovalNotification) => Promise<void>;

interface CommandOptions {
  ip?: string | null;
  /** Called after commit; its failure is swallowed (the decision stands). */
  notify?: ApprovalNotifier;
}


/** Roles told about a decision: everyone who works on the group's documents. */
const decisionAudience: readonly MembershipRole[] = ["chair", "secretary", "member", "minister_office", "observer"];

function optionalText(value: string | null | undefined, field: "coverNote", label: string): string | null {
  const text = (value ?? "").trim();
  if (text.length === 0) return null;
  if (text.length > APPROVAL_TEXT_MAX) {
    throw new AppError("INVALID_INPUT", `Keep the ${label} to ${APPROVAL_TEXT_MAX} characters or fewer`, field);
  }
  return text;
}

/** The reasons for returning a submission: required, 1–2000 characters. */
export function requireReasons(value: string | null | undefined): string {
  const text = (value ?? "").trim();
  if (text.length === 0) throw new AppError("INVALID_INPUT", "Enter the reasons for returning the terms of reference", "reasons");
  if (text.length > APPROVAL_TEXT_MAX) {
    throw new AppError("INVALID_INPUT", `Keep the reasons to ${APPROVAL_TEXT_MAX} characters or fewer`, "reasons");
  }
  return text;
}

async function notifySafely(notify: ApprovalNotifier | undefined, notification: ApprovalNotification): Promise<void> {
  if (!notify || notification.recipientIds.length === 0) return;
  try {
    await notify(notification);
  } catch {
    // Best effort: the decision is committed and recorded in the audit log either way.
  }
}

async function currentMemberIds(db: Kysely<Database>, groupId: string, roles: readonly MembershipRole[]): Promise<string[]> {
  const today = nzCalendarDate();
  const rows = await db
    .selectFrom("memberships")
    .select("user_id")
    .distinct()
    .where("group_id", "=", groupId)
    .where("role", "in", [...roles])
    .where(membershipActiveOn(today))
    .execute();
  return rows.map((row) => row.user_id);
}

function documentPath(document: { id: string; group_id: string }): string {
  return `/groups/${document.group_id}/documents/${document.id}`;
}

// ---------------------------------------------------------------------------------------------
// Commands

/**
 * Submits the terms of reference for approval: commits anything still being typed, freezes the
 * text as an immutable version (reason "submission") and records its hash. Chair or secretary
 * only; refused with SUBMISSION_PENDING while another submission waits.
 */
export async function submitForApproval(
  db: Kysely<Database>,
  collaboration: Pick<DocumentStateService, "flush" | "encodeState">,
  actor: Actor,
  documentId: string,
  input: CommandOptions & { coverNote?: string | null } = {},
): Promise<{ submissionId: string; versionNumber: number; contentHash: string }> {
  const document = await findDocument(db, documentId);
  if (!document) throw new AppError("NOT_FOUND", "There is no such document");
  const resource = await documentResource(db, actor, document);
  if (!can(actor, "document.read", resource)) throw new AppError("NOT_FOUND", "There is no such document");
  if (!can(actor, "document.submit", { ...resource, locked: false })) {
    throw new AppError("FORBIDDEN", "Only the chair or the secretary can submit the terms of reference for approval");
  }
  if (document.kind !== "terms_of_reference") {
    throw new AppError("INVALID_INPUT", "Only the terms of reference are approved by the Lead Minister's office");
  }
  if (resource.locked) throw new AppError("DOCUMENT_LOCKED", "An archived document cannot be submitted");
  const coverNote = optionalText(input.coverNote, "coverNote", "cover note");
  const ip = input.ip ?? null;

  // Outside the transaction: the collaboration service uses its own connection (PGlite has one).
  const content = await captureCurrentContent(collaboration, document.id);

  const submitted = await db
    .transaction()
    .execute(async (trx) => {
      await trx.selectFrom("documents").select("id").where("id", "=", document.id).forUpdate().executeTakeFirstOrThrow();
      const pending = await trx
        .selectFrom("document_submissions")
        .select("id")
        .where("document_id", "=", document.id)
        .where("status", "=", "pending")
        .executeTakeFirst();
      if (pending) throw pendingError();
      const version = await insertVersion(trx, actor, document, {
        name: "Submitted for approval",
        reason: "submission",
        content,
        ip,
      });
      const submission = await trx
        .insertInto("document_submissions")
        .values({
          document_id: document.id,
          version_id: version.id,
          cover_note: coverNote,
          submitted_by: actor.id,
          content_hash: content.hash,
        })
        .returning(["id"])
        .executeTakeFirstOrThrow();
      await trx.updateTable("documents").set({ status: "submitted" }).where("id", "=", document.id).execute();
      await recordAudit(trx, {
        actorId: actor.id,
        action: "document.submitted",
        groupId: document.group_id,
        subjectType: "document",
        subjectId: document.id,
        ip,
        details: {
          submissionId: submission.id,
          versionId: version.id,
          versionNumber: version.number,
          contentHash: content.hash,
          hasCoverNote: coverNote !== null,
        },
      });
      return { submissionId: submission.id, versionNumber: version.number, contentHash: content.hash };
    })
    .catch((error: unknown) => {
      // Two submissions at once: the partial unique index lets only one through.
      if (isUniqueViolation(error)) throw pendingError();
      throw error;
    });

  await notifySafely(input.notify, {
    recipientIds: (await currentMemberIds(db, document.group_id, ["minister_office"])).filter((id) => id !== actor.id),
    kind: "approval.submitted",
    title: `${document.title} submitted for approval`,
    body: `Version ${submitted.versionNumber} of “${document.title}” is waiting for the Lead Minister's office.`,
    link: `/approvals/${submitted.submissionId}`,
    groupId: document.group_id,
  });
  return submitted;
}

function pendingError(): AppError {
  return new AppError(
    "SUBMISSION_PENDING",
    "A submission of this document is already waiting for the Lead Minister's office; withdraw it before submitting again",
  );
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === "23505";
}

/** The submission, its document and the policy resource, locked for a decision, in `trx`. */
async function lockSubmission(trx: Transaction<Database>, actor: Actor, submissionId: string) {
  if (!isUuid(submissionId)) throw new AppError("NOT_FOUND", "There is no such submission");
  const submission = await trx
    .selectFrom("document_submissions")
    .selectAll()
    .where("id", "=", submissionId)
    .executeTakeFirst();
  if (!submission) throw new AppError("NOT_FOUND", "There is no such submission");
  // The document row first, then the submission: the same order as submitting, so no deadlock.
  const document = await trx
    .selectFrom("documents")
    .select(["id", "group_id", "kind", "title", "status", "archived_at"])
    .where("id", "=", submission.document_id)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const locked = await trx
    .selectFrom("document_submissions")
    .selectAll()
    .where("id", "=", submissionId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const resource = await documentResource(trx, actor, document);
  if (!can(actor, "document.read", resource)) throw new AppError("NOT_FOUND", "There is no such submission");
  return { submission: locked, document, resource };
}

/** Why a submission can no longer be decided or withdrawn, in words. */
function notPendingError(submission: { status: SubmissionStatus; withdrawn_at: Date | null; decided_at: Date | null }) {
  const reload = "reload to see the current one";
  if (submission.status === "withdrawn") {
    return new AppError(
      "SUBMISSION_NOT_PENDING",
      `This submission was withdrawn on ${formatNzDateTime(submission.withdrawn_at!)}; ${reload}`,
    );
  }
  return new AppError(
    "SUBMISSION_NOT_PENDING",
    `This submission has already been decided (${submission.status} on ${formatNzDateTime(submission.decided_at!)}); ${reload}`,
  );
}

/** The document's status once no submission is pending: its latest decision, else draft. */
async function statusWithoutPending(trx: Transaction<Database>, documentId: string) {
  const latest = await trx
    .selectFrom("document_submissions")
    .select("status")
    .where("document_id", "=", documentId)
    .where("status", "in", ["approved", "returned"])
    .orderBy("decided_at", "desc")
    .executeTakeFirst();
  return latest?.status === "approved" ? ("approved" as const) : latest?.status === "returned" ? ("returned" as const) : ("draft" as const);
}

/** Withdraws a pending submission: by the person who submitted it, or by the chair or secretary. */
export async function withdrawSubmission(
  db: Kysely<Database>,
  actor: Actor,
  submissionId: string,
  input: CommandOptions = {},
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const { submission, document, resource } = await lockSubmission(trx, actor, submissionId);
    if (submission.status !== "pending") throw notPendingError(submission);
    if (!can(actor, "submission.withdraw", submissionResource(actor, { ...submission, group_id: resource.groupId }))) {
      throw forbidden("Only the person who submitted it, the chair or the secretary can withdraw a submission");
    }
    await trx
      .updateTable("document_submissions")
      .set({ status: "withdrawn", withdrawn_by: actor.id, withdrawn_at: new Date() })
      .where("id", "=", submission.id)
      .execute();
    await trx
      .updateTable("documents")
      .set({ status: await statusWithoutPending(trx, document.id) })
      .where("id", "=", document.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "submission.withdrawn",
      groupId: document.group_id,
      subjectType: "document",
      subjectId: document.id,
      ip: input.ip ?? null,
      details: { submissionId: submission.id, versionId: submission.version_id, contentHash: submission.content_hash },
    });
  });
}

type Decision = { kind: "approved" } | { kind: "returned"; reasons: string };

async function decide(
  db: Kysely<Database>,
  actor: Actor,
  submissionId: string,
  decision: Decision,
  expectedHash: string | null,
  input: CommandOptions,
): Promise<void> {
  const decided = await db.transaction().execute(async (trx) => {
    const { submission, document, resource } = await lockSubmission(trx, actor, submissionId);
    if (!can(actor, "document.approve", resource)) {
      throw new AppError("FORBIDDEN", "Only the Lead Minister's office can approve or return the terms of reference");
    }
    if (submission.status !== "pending") throw notPendingError(submission);
    if (expectedHash !== null && expectedHash !== submission.content_hash) {
      throw new AppError(
        "SUBMISSION_CHANGED",
        "The text you reviewed is not the text of this submission; reload and review it again",
      );
    }
    const version = await trx
      .selectFrom("document_versions")
      .select(["id", "number"])
      .where("id", "=", submission.version_id)
      .executeTakeFirstOrThrow();
    const decidedAt = new Date();
    await trx
      .updateTable("document_submissions")
      .set({
        status: decision.kind,
        decided_by: actor.id,
        decided_at: decidedAt,
        decision_reasons: decision.kind === "returned" ? decision.reasons : null,
      })
      .where("id", "=", submission.id)
      .execute();
    await trx.updateTable("documents").set({ status: decision.kind }).where("id", "=", document.id).execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: decision.kind === "approved" ? "submission.approved" : "submission.returned",
      groupId: document.group_id,
      subjectType: "document",
      subjectId: document.id,
      ip: input.ip ?? null,
      details: {
        submissionId: submission.id,
        versionId: version.id,
        versionNumber: version.number,
        contentHash: submission.content_hash,
        decidedAt: decidedAt.toISOString(),
      },
    });
    return { submission, document, versionNumber: version.number };
  });

  const { submission, document, versionNumber } = decided;
  const members = await currentMemberIds(db, document.group_id, decisionAudience);
  const recipientIds = [...new Set([submission.submitted_by, ...members])].filter((id) => id !== actor.id);
  await notifySafely(input.notify, {
    recipientIds,
    kind: decision.kind === "approved" ? "approval.approved" : "approval.returned",
    title:
      decision.kind === "approved"
        ? `${document.title} approved by the Lead Minister's office`
        : `${document.title} returned by the Lead Minister's office`,
    body:
      decision.kind === "approved"
        ? `Version ${versionNumber} of “${document.title}” is approved and now in force.`
        : `Version ${versionNumber} of “${document.title}” was returned: ${decision.reasons}`,
    link: `${documentPath(document)}/approvals`,
    groupId: document.group_id,
  });
}

/**
 * Approves a pending submission. `expectedHash` is the hash of the text the reviewer was shown;
 * a mismatch is refused (SUBMISSION_CHANGED). Lead Minister's office only.
 */
export async function approveSubmission(
  db: Kysely<Database>,
  actor: Actor,
  submissionId: string,
  expectedHash: string,
  input: CommandOptions = {},
): Promise<void> {
  await decide(db, actor, submissionId, { kind: "approved" }, expectedHash, input);
}

/** Returns a pending submission with reasons (required, 1–2000 characters). Lead Minister's office only. */
export async function returnSubmission(
  db: Kysely<Database>,
  actor: Actor,
  submissionId: string,
  reasons: string,
  input: CommandOptions & { expectedHash?: string | null } = {},
): Promise<void> {
  const text = requireReasons(reasons);
  await decide(db, actor, submissionId, { kind: "returned", reasons: text }, input.expectedHash ?? null, input);
}

// ---------------------------------------------------------------------------------------------
// Reading

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

/** True when the person holds the Lead Minister's office role in any group. */
export function holdsMinisterOffice(actor: Actor): boolean {
  return [...actor.rolesByGroup.values()].includes("minister_office");
}

/** Pending submissions in every group where the actor may approve, oldest first. */
export async function listPendingForApprover(db: Db, actor: Actor) {
  const groupIds = [...actor.rolesByGroup.entries()]
    .filter(([groupId]) => can(actor, "document.approve", { type: "document", groupId }))
    .map(([groupId]) => groupId);
  if (groupIds.length === 0) return [];
  return submissionQuery(db)
    .where("s.status", "=", "pending")
    .where("d.group_id", "in", groupIds)
    .where("d.archived_at", "is", null)
    .orderBy("s.submitted_at", "asc")
    .execute();
}

/** Tells people through the notification centre (app/models/notifications.server.ts), after commit. */
export function approvalNotifier(services: Parameters<typeof notify>[0]): ApprovalNotifier {
  return (notification) => notify(services, notification);
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
    approvedBy: row.display_name ? `the Lead Minister's office (${row.display_name})` : "the Lead Minister's office",
    hash: row.content_hash,
  };
}
