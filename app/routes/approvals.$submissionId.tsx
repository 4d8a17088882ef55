/**
 * One submission, as the Lead Minister's office reviews it: the submitted version read-only (its
 * stored HTML, which never changes), with the classification marking at the top and bottom, what
 * changed since the last approved version, and the decision: approve (bound to the hash of the text
 * shown, sent back in a hidden field) or return with reasons.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { APPROVAL_TEXT_MAX } from "../documents/limits.js";
import { WordDiff } from "../components/diff/WordDiff.js";
import { ClassificationMarking } from "../components/editor/ClassificationMarking.js";
import { requireActor } from "../http/require.server.js";
import {
  approvalNotifier,
  approveSubmission,
  findApprovedVersion,
  findSubmission,
  returnSubmission,
} from "../models/approvals.server.js";
import { findDocument } from "../models/document-access.server.js";
import { documentResource } from "../models/policy-resources.server.js";
import { diffSummary, diffWords } from "../documents/word-diff.js";
import { type Actor, can } from "../policy/policy.js";
import editorStyles from "../styles/editor.css";
import { formatNzDateTime, formatNzShortDate } from "../utils/dates.js";
import type { AppLoadContext } from "@remix-run/node";
import { AppError } from "../errors.js";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: editorStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  {
    title: loaderData
      ? `Review: ${loaderData.submission.documentTitle}, version ${loaderData.submission.versionNumber} · Stewardship Workspace`
      : "Review · Stewardship Workspace",
  },
];

const approveSchema = z.object({ intent: z.literal("approve"), expectedHash: z.string().regex(/^[0-9a-f]{64}$/) });
const returnSchema = z.object({
  intent: z.literal("return"),
  reasons: z
    .string({ error: "Enter the reasons for returning the terms of reference" })
    .trim()
    .min(1, "Enter the reasons for returning the terms of reference")
    .max(APPROVAL_TEXT_MAX, `Keep the reasons to ${APPROVAL_TEXT_MAX} characters or fewer`),
  expectedHash: z.string().optional(),
});

type ActionData = { fieldErrors?: { reasons?: string }; formError?: string; values?: { reasons: string } };

/**
 * The submission and the person, if they may read its document's history (the group's readers):
 * 404 when they may not read the document at all, 403 when they may read its text but not its
 * history (a consultee of this very document).
 */
async function requireReadableSubmission(request: Request, context: AppLoadContext, submissionId: string | undefined) {
  const { actor } = await requireActor(request, context);
  const db = context.services.db;
  const submission = await findSubmission(db, submissionId ?? "");
  if (!submission) throw new Response("Not found", { status: 404 });
  const document = await findDocument(db, submission.document_id);
  if (!document) throw new Response("Not found", { status: 404 });
  const resource = await documentResource(db, actor, document);
  if (!can(actor, "document.read", resource)) throw new Response("Not found", { status: 404 });
  if (!can(actor, "document.history", resource)) throw new Response("Forbidden", { status: 403 });
  return { actor, submission, resource };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, submission, resource } = await requireReadableSubmission(request, context, params.submissionId);
  const db = context.services.db;
  // The version in force when this submission was made (or decided): the one it would replace.
  const approved = await findApprovedVersion(db, submission.document_id, submission.decided_at ?? undefined);
  const parts = approved ? diffWords(approved.content_text, submission.content_text) : null;
  const url = new URL(request.url);
  return {
    submission: {
      id: submission.id,
      status: submission.status,
      documentTitle: submission.document_title,
      documentPath: `/groups/${submission.group_id}/documents/${submission.document_id}`,
      groupName: submission.group_name,
      classification: submission.classification,
      versionNumber: submission.version_number,
      coverNote: submission.cover_note,
      submittedBy: submission.submitted_by_name ?? "Unknown",
      submittedAt: formatNzDateTime(submission.submitted_at),
      decidedAt: submission.decided_at ? formatNzShortDate(submission.decided_at) : null,
      withdrawnAt: submission.withdrawn_at ? formatNzDateTime(submission.withdrawn_at) : null,
      reasons: submission.decision_reasons,
      contentHash: submission.content_hash,
      // Stored HTML rendered by app/documents/content.ts when the version was saved; every text escaped.
      html: submission.content_html,
    },
    comparison: approved && parts
      ? { versionNumber: approved.version_number, approvedOn: formatNzShortDate(approved.decided_at!), parts, summary: diffSummary(parts) }
      : null,
    mayDecide: submission.status === "pending" && can(actor, "document.approve", resource),
    decided: url.searchParams.get("decided"),
  };
}

function refusal(error: AppError, reasons: string) {
  if (error.code === "FORBIDDEN") throw new Response("Forbidden", { status: 403 });
  if (error.code === "NOT_FOUND") throw new Response("Not found", { status: 404 });
  if (error.field === "reasons") return data<ActionData>({ fieldErrors: { reasons: error.message }, values: { reasons } }, { status: 400 });
  return data<ActionData>({ formError: `${error.message}.`, values: { reasons } }, { status: error.code === "INVALID_INPUT" ? 400 : 409 });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, submission } = await requireReadableSubmission(request, context, params.submissionId);
  const form = Object.fromEntries(await request.formData());
  const db = context.services.db;
  const options = { ip: context.clientIp, notify: approvalNotifier(context.services) };
  const reasons = typeof form.reasons === "string" ? form.reasons.slice(0, APPROVAL_TEXT_MAX + 100) : "";
  assertMayDecide(actor, submission.group_id);

  try {
    if (form.intent === "approve") {
      const parsed = approveSchema.safeParse(form);
      if (!parsed.success) {
        return data<ActionData>({ formError: "The review form is incomplete. Reload the page and try again." }, { status: 400 });
      }
      await approveSubmission(db, actor, submission.id, parsed.data.expectedHash, options);
      return redirect(`/approvals/${submission.id}?decided=approved`);
    }
    if (form.intent === "return") {
      const parsed = returnSchema.safeParse(form);
      if (!parsed.success) {
        return data<ActionData>(
          { fieldErrors: { reasons: parsed.error.issues[0]?.message ?? "Enter the reasons" }, values: { reasons } },
          { status: 400 },
        );
      }
      await returnSubmission(db, actor, submission.id, parsed.data.reasons, { ...options, expectedHash: parsed.data.expectedHash ?? null });
      return redirect(`/approvals/${submission.id}?decided=returned`);
    }
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return refusal(error, reasons);
  }
  return data<ActionData>({ formError: "That action is not recognised. Reload the page and try again." }, { status: 400 });
}

/** Only the Lead Minister's office decides: everyone else gets a 403 before any input is read. */
function assertMayDecide(actor: Actor, groupId: string) {
  if (!can(actor, "document.approve", { type: "document", groupId })) throw new Response("Forbidden", { status: 403 });
}

const statusLines = {
  pending: "Waiting for a decision.",
  withdrawn: "Withdrawn by the group.",
  approved: "Approved.",
  returned: "Returned to the group.",
} as const;

export default function ReviewSubmission() {
  const { submission, comparison, mayDecide, decided } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const reasonsError = actionData?.fieldErrors?.reasons;

  return (
    <article aria-labelledby="review-title">
      <ClassificationMarking classification={submission.classification} position="top" />
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <Link to="/approvals">Approvals</Link>
          </li>
        </ol>
      </nav>
      <h1 id="review-title">
        {submission.documentTitle}, version {submission.versionNumber}
      </h1>
      <dl className="facts">
        <dt>Group</dt>
        <dd>{submission.groupName}</dd>
        <dt>Submitted</dt>
        <dd>
          {submission.submittedAt} by {submission.submittedBy}
        </dd>
        <dt>Status</dt>
        <dd data-submission-status={submission.status}>
          {submission.status === "approved" && submission.decidedAt
            ? `Approved on ${submission.decidedAt} by the Lead Minister's office.`
            : submission.status === "returned"
              ? `Returned: ${submission.reasons ?? ""}`
              : submission.status === "withdrawn"
                ? `Withdrawn on ${submission.withdrawnAt ?? ""}.`
                : statusLines[submission.status]}
        </dd>
        <dt>Text fingerprint (SHA-256)</dt>
        <dd>
          <code className="hash">{submission.contentHash}</code>
        </dd>
      </dl>
      {decided === "approved" || decided === "returned" ? (
        <div className="alert alert--success" role="status">
          <p>{decided === "approved" ? "You approved this version. The group has been told." : "You returned this version with your reasons. The group has been told."}</p>
        </div>
      ) : null}
      {actionData?.formError ? (
        <div className="alert alert--error" role="alert">
          <p>{actionData.formError}</p>
        </div>
      ) : null}
      {submission.coverNote ? (
        <section className="panel" aria-labelledby="cover-note-heading">
          <h2 id="cover-note-heading">Cover note</h2>
          <p>{submission.coverNote}</p>
        </section>
      ) : null}

      <section aria-labelledby="submitted-text-heading">
        <h2 id="submitted-text-heading">The submitted text</h2>
        <div className="alert read-only-notice" role="note">
          <p>This is the exact version submitted. It is read-only and never changes, even if the group edits the draft.</p>
        </div>
        <div className="document-text-frame">
          {/* Stored HTML rendered by app/documents/content.ts, which escapes every text and attribute. */}
          <div className="document-text" role="region" aria-label="Submitted text" dangerouslySetInnerHTML={{ __html: submission.html }} />
        </div>
      </section>

      <section aria-labelledby="changes-heading">
        <h2 id="changes-heading">What changed since the last approved version</h2>
        {comparison ? (
          <>
            <p>
              From version {comparison.versionNumber}, approved on {comparison.approvedOn}, to this submission.
            </p>
            <WordDiff parts={comparison.parts} summary={comparison.summary} label="Changes since the approved version" />
          </>
        ) : (
          <p role="status">First submission: there is no approved version to compare with.</p>
        )}
      </section>

      {mayDecide ? (
        <section className="panel" aria-labelledby="decision-heading">
          <h2 id="decision-heading">Your decision</h2>
          <Form method="post" className="approve-form">
            <input type="hidden" name="intent" value="approve" />
            <input type="hidden" name="expectedHash" value={submission.contentHash} />
            <p>Approving puts version {submission.versionNumber}, exactly as shown above, in force.</p>
            <button type="submit" className="button" disabled={busy}>
              Approve version {submission.versionNumber}
            </button>
          </Form>
          <Form method="post" noValidate className="return-form">
            <input type="hidden" name="intent" value="return" />
            <input type="hidden" name="expectedHash" value={submission.contentHash} />
            <div className="field">
              <label htmlFor="return-reasons">Reasons for returning it</label>
              <span className="hint" id="return-reasons-hint">
                The group sees these reasons. Up to {APPROVAL_TEXT_MAX} characters.
              </span>
              <textarea
                id="return-reasons"
                name="reasons"
                rows={4}
                required
                maxLength={APPROVAL_TEXT_MAX}
                defaultValue={actionData?.values?.reasons}
                aria-invalid={reasonsError ? true : undefined}
                aria-describedby={reasonsError ? "return-reasons-hint return-reasons-error" : "return-reasons-hint"}
              />
              {reasonsError ? (
                <p className="field-error" id="return-reasons-error">
                  {reasonsError}
                </p>
              ) : null}
            </div>
            <button type="submit" className="button button--secondary" disabled={busy}>
              Return with reasons
            </button>
          </Form>
        </section>
      ) : null}

      <p>
        <Link to="/approvals">Back to the approvals waiting</Link>
      </p>
      <ClassificationMarking classification={submission.classification} position="bottom" />
    </article>
  );
}
