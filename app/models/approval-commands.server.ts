/**
 * The commands of the approval of the terms of reference by the Lead Minister's office
 * (docs/DOMAIN.md, journey 2): submitting, withdrawing, approving and returning.
 *
 * Submitting freezes the document's current text as an immutable version (reason "submission")
 * and records its hash; the Minister's office approves or returns exactly that version, so editing
 * the working draft afterwards never changes what they are looking at. The draft stays editable
 * while a submission is pending. One submission per document may be pending at a time (a partial
 * unique index), and a submission is frozen once it leaves "pending" (a trigger).
 *
 * Each command (runCommand) locks what it changes, checks the policy and the state, writes its
 * audit entry in the same transaction, and only after the commit tells the people concerned (a
 * failed notification never undoes a decision). Reading them is approvals.server.ts.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, MembershipRole, SubmissionStatus } from "../../db/database.js";
import { returnReasonsField } from "../documents/schemas.js";
import { type AppError, conflict, forbidden, invalidInput, notFound } from "../errors.js";
import { type Actor, can } from "../policy/policy.js";
import type { Logger } from "../services.js";
import { formatNzDateTime, nzCalendarDate } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { runCommand } from "./command.server.js";
import { findDocument } from "./document-access.server.js";
import { type DocumentStateService, captureCurrentContent, insertVersion } from "./document-versions.server.js";
import { documentAudit } from "./documents.server.js";
import { membershipActiveOn } from "./memberships.server.js";
import { notify } from "./notifications.server.js";
import { documentResource, submissionResource } from "./policy-resources.server.js";

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
  /** Called after commit; a failure is logged (the decision stands). */
  notify?: ApprovalNotifier;
  logger?: Pick<Logger, "error">;
}

/** Tells people through the notification centre (app/models/notifications.server.ts), after commit. */
export function approvalNotifier(services: Parameters<typeof notify>[0]): ApprovalNotifier {
  return (notification) => notify(services, notification);
}

/** Roles told about a decision: everyone who works on the group's documents. */
const decisionAudience: readonly MembershipRole[] = ["chair", "secretary", "member", "minister_office", "observer"];

async function notifyAfterCommit(notifier: ApprovalNotifier | undefined, notification: ApprovalNotification): Promise<void> {
  if (notifier && notification.recipientIds.length > 0) await notifier(notification);
}

async function currentMemberIds(db: Kysely<Database>, groupId: string, roles: readonly MembershipRole[]): Promise<string[]> {
  const rows = await db
    .selectFrom("memberships")
    .select("user_id")
    .distinct()
    .where("group_id", "=", groupId)
    .where("role", "in", [...roles])
    .where(membershipActiveOn(nzCalendarDate()))
    .execute();
  return rows.map((row) => row.user_id);
}

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
  if (!document) throw notFound("There is no such document");
  const resource = await documentResource(db, actor, document);
  if (!can(actor, "document.read", resource)) throw notFound("There is no such document");
  if (!can(actor, "document.submit", { ...resource, locked: false })) {
    throw forbidden("Only the chair or the secretary can submit the terms of reference for approval");
  }
  if (document.kind !== "terms_of_reference") throw invalidInput("Only the terms of reference are approved by the Lead Minister's office");
  if (resource.locked) throw conflict("DOCUMENT_LOCKED", "An archived document cannot be submitted");
  const coverNote = input.coverNote?.trim() || null;
  const ip = input.ip ?? null;

  // Outside the transaction: the collaboration service uses its own connection (PGlite has one).
  const content = await captureCurrentContent(collaboration, document.id);

  return runCommand(
    db,
    {
      lock: async (trx) => {
        await trx.selectFrom("documents").select("id").where("id", "=", document.id).forUpdate().executeTakeFirstOrThrow();
        return trx.selectFrom("document_submissions").select("id").where("document_id", "=", document.id).where("status", "=", "pending").executeTakeFirst();
      },
      check: (pending) => {
        if (pending) throw pendingError();
      },
      change: async (trx) => {
        const version = await insertVersion(trx, actor, document, { name: "Submitted for approval", reason: "submission", content, ip });
        const submission = await trx
          .insertInto("document_submissions")
          .values({ document_id: document.id, version_id: version.id, cover_note: coverNote, submitted_by: actor.id, content_hash: content.hash })
          .returning(["id"])
          .executeTakeFirstOrThrow();
        await trx.updateTable("documents").set({ status: "submitted" }).where("id", "=", document.id).execute();
        return { submissionId: submission.id, versionId: version.id, versionNumber: version.number, contentHash: content.hash };
      },
      audit: (_pending, submitted) =>
        documentAudit(actor, document, "document.submitted", ip, { ...submitted, hasCoverNote: coverNote !== null }),
      announce: async (_pending, submitted) =>
        notifyAfterCommit(input.notify, {
          recipientIds: (await currentMemberIds(db, document.group_id, ["minister_office"])).filter((id) => id !== actor.id),
          kind: "approval.submitted",
          title: `${document.title} submitted for approval`,
          body: `Version ${submitted.versionNumber} of “${document.title}” is waiting for the Lead Minister's office.`,
          link: `/approvals/${submitted.submissionId}`,
          groupId: document.group_id,
        }),
    },
    input.logger ? { logger: input.logger } : {},
  )
    .then(({ submissionId, versionNumber, contentHash }) => ({ submissionId, versionNumber, contentHash }))
    .catch((error: unknown) => {
      // Two submissions at once: the partial unique index lets only one through.
      if (isUniqueViolation(error)) throw pendingError();
      throw error;
    });
}

function pendingError(): AppError {
  return conflict(
    "SUBMISSION_PENDING",
    "A submission of this document is already waiting for the Lead Minister's office; withdraw it before submitting again",
  );
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === "23505";
}

/** The submission, its document and the policy resource, locked for a decision, in `trx`. */
async function lockSubmission(trx: Transaction<Database>, actor: Actor, submissionId: string) {
  const found = isUuid(submissionId)
    ? await trx.selectFrom("document_submissions").select("document_id").where("id", "=", submissionId).executeTakeFirst()
    : undefined;
  if (!found) throw notFound("There is no such submission");
  // The document row first, then the submission: the same order as submitting, so no deadlock.
  const document = await trx
    .selectFrom("documents")
    .select(["id", "group_id", "kind", "title", "status", "archived_at"])
    .where("id", "=", found.document_id)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const submission = await trx.selectFrom("document_submissions").selectAll().where("id", "=", submissionId).forUpdate().executeTakeFirstOrThrow();
  const resource = await documentResource(trx, actor, document);
  if (!can(actor, "document.read", resource)) throw notFound("There is no such submission");
  return { submission, document, resource };
}

/** Why a submission can no longer be decided or withdrawn, in words. */
function notPendingError(submission: { status: SubmissionStatus; withdrawn_at: Date | null; decided_at: Date | null }) {
  const reload = "reload to see the current one";
  if (submission.status === "withdrawn") {
    return conflict("SUBMISSION_NOT_PENDING", `This submission was withdrawn on ${formatNzDateTime(submission.withdrawn_at!)}; ${reload}`);
  }
  return conflict(
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
export async function withdrawSubmission(db: Kysely<Database>, actor: Actor, submissionId: string, input: CommandOptions = {}): Promise<void> {
  await runCommand(db, {
    lock: (trx) => lockSubmission(trx, actor, submissionId),
    check: ({ submission, resource }) => {
      if (submission.status !== "pending") throw notPendingError(submission);
      if (!can(actor, "submission.withdraw", submissionResource(actor, { ...submission, group_id: resource.groupId }))) {
        throw forbidden("Only the person who submitted it, the chair or the secretary can withdraw a submission");
      }
    },
    change: async (trx, { submission, document }) => {
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
    },
    audit: ({ submission, document }) =>
      documentAudit(actor, document, "submission.withdrawn", input.ip, {
        submissionId: submission.id,
        versionId: submission.version_id,
        contentHash: submission.content_hash,
      }),
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
  await runCommand(
    db,
    {
      lock: async (trx) => {
        const locked = await lockSubmission(trx, actor, submissionId);
        const version = await trx
          .selectFrom("document_versions")
          .select(["id", "number"])
          .where("id", "=", locked.submission.version_id)
          .executeTakeFirstOrThrow();
        return { ...locked, version };
      },
      check: ({ submission, resource }) => {
        if (!can(actor, "document.approve", resource)) {
          throw forbidden("Only the Lead Minister's office can approve or return the terms of reference");
        }
        if (submission.status !== "pending") throw notPendingError(submission);
        if (expectedHash !== null && expectedHash !== submission.content_hash) {
          throw conflict("SUBMISSION_CHANGED", "The text you reviewed is not the text of this submission; reload and review it again");
        }
      },
      change: async (trx, { submission, document }) => {
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
        return decidedAt;
      },
      audit: ({ submission, document, version }, decidedAt) =>
        documentAudit(actor, document, decision.kind === "approved" ? "submission.approved" : "submission.returned", input.ip, {
          submissionId: submission.id,
          versionId: version.id,
          versionNumber: version.number,
          contentHash: submission.content_hash,
          decidedAt: decidedAt.toISOString(),
        }),
      announce: async ({ submission, document, version }) => {
        const members = await currentMemberIds(db, document.group_id, decisionAudience);
        const approved = decision.kind === "approved";
        await notifyAfterCommit(input.notify, {
          recipientIds: [...new Set([submission.submitted_by, ...members])].filter((id): id is string => id !== null && id !== actor.id),
          kind: approved ? "approval.approved" : "approval.returned",
          title: `${document.title} ${approved ? "approved" : "returned"} by the Lead Minister's office`,
          body: approved
            ? `Version ${version.number} of “${document.title}” is approved and now in force.`
            : `Version ${version.number} of “${document.title}” was returned: ${decision.reasons}`,
          link: `/groups/${document.group_id}/documents/${document.id}/approvals`,
          groupId: document.group_id,
        });
      },
    },
    input.logger ? { logger: input.logger } : {},
  );
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

/**
 * Returns a pending submission with reasons (required, 1–2000 characters: the return form's own
 * rule, returnReasonsField, checked here too for callers other than the form). Lead Minister's
 * office only.
 */
export async function returnSubmission(
  db: Kysely<Database>,
  actor: Actor,
  submissionId: string,
  reasons: string,
  input: CommandOptions & { expectedHash?: string | null } = {},
): Promise<void> {
  const parsed = returnReasonsField.safeParse(reasons);
  if (!parsed.success) throw invalidInput(parsed.error.issues[0]!.message, "reasons");
  await decide(db, actor, submissionId, { kind: "returned", reasons: parsed.data }, input.expectedHash ?? null, input);
}
