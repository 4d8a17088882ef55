/**
 * One submission, as the Lead Minister's office reviews it: the submitted version read-only (its
 * stored HTML, which never changes), with the classification marking at the top and bottom, what
 * changed, and the decision: approve (bound to the hash of the text shown, sent back in a hidden
 * field) or return with reasons. What changed is shown against the submission the office returned
 * before this one (with its reasons beside it: did the group make the changes asked for?) and
 * against the last approved version; `?compare=returned|approved` switches between them, the
 * returned one first when it is the later of the two.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { ApproveSubmissionForm, ReturnSubmissionForm } from "../components/approvals/ApprovalForms.js";
import { WordDiff } from "../components/diff/WordDiff.js";
import { ClassificationMarking } from "../components/editor/ClassificationMarking.js";
import { resultFor } from "../components/forms/fields.js";
import { decisionSchema } from "../documents/schemas.js";
import { diffSummary, diffWords } from "../documents/word-diff.js";
import { requireSubmission } from "../http/require-submission.server.js";
import { requirePermission } from "../http/require.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { approvalNotifier, approveSubmission, returnSubmission } from "../models/approval-commands.server.js";
import { findApprovedVersion, findReturnedBefore } from "../models/approvals.server.js";
import { permissionsFor } from "../policy/policy.js";
import editorStyles from "../styles/editor.css";
import { formatNzDateTime, formatNzShortDate } from "../utils/dates.js";
import { SuccessNotice } from "../components/SuccessNotice.js";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: editorStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  {
    title: loaderData
      ? `Review: ${loaderData.submission.documentTitle}, version ${loaderData.submission.versionNumber} · Stewardship Workspace`
      : "Review · Stewardship Workspace",
  },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, submission, resource } = await requireSubmission(request, context, params);
  const db = context.services.db;
  // The version in force when this submission was made (or decided): the one it would replace.
  const [approved, returned] = await Promise.all([
    findApprovedVersion(db, submission.document_id, submission.decided_at ?? undefined),
    findReturnedBefore(db, submission.document_id, submission.submitted_at),
  ]);
  const url = new URL(request.url);
  const asked = url.searchParams.get("compare");
  const returnedIsLater = returned !== undefined && (approved === undefined || returned.decided_at! > approved.decided_at!);
  const against: "returned" | "approved" | null =
    asked === "returned" && returned ? "returned" : asked === "approved" && approved ? "approved" : returnedIsLater ? "returned" : approved ? "approved" : null;
  const base = against === "returned" ? returned! : against === "approved" ? approved! : null;
  const parts = base ? diffWords(base.content_text, submission.content_text) : null;
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
    comparison:
      base && parts && against
        ? {
            against,
            versionNumber: base.version_number,
            decidedOn: formatNzShortDate(base.decided_at!),
            decidedBy: base.decided_by_name,
            reasons: against === "returned" ? base.decision_reasons : null,
            parts,
            summary: diffSummary(parts),
          }
        : null,
    // The other comparison, to switch to.
    alternatives: [
      ...(returned && against !== "returned" ? [{ compare: "returned", label: `Since version ${returned.version_number}, returned` }] : []),
      ...(approved && against !== "approved" ? [{ compare: "approved", label: `Since version ${approved.version_number}, the approved version` }] : []),
    ],
    mayDecide: submission.status === "pending" && permissionsFor(actor, resource, ["document.approve"])["document.approve"],
    decided: url.searchParams.get("decided"),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, submission, resource } = await requireSubmission(request, context, params);
  // Only the Lead Minister's office decides: everyone else gets a 403 before any input is read.
  requirePermission(actor, "document.approve", resource);
  const form = parseWithZod(await request.formData(), { schema: decisionSchema });
  if (form.status !== "success") return invalidForm(form);
  const options = { ip: context.clientIp, notify: approvalNotifier(context.services), logger: context.services.logger };
  try {
    if (form.value.intent === "approve") {
      await approveSubmission(context.services.db, actor, submission.id, form.value.expectedHash ?? "", options);
      return redirect(`/approvals/${submission.id}?decided=approved`);
    }
    await returnSubmission(context.services.db, actor, submission.id, form.value.reasons, {
      ...options,
      expectedHash: form.value.expectedHash ?? null,
    });
    return redirect(`/approvals/${submission.id}?decided=returned`);
  } catch (error) {
    return replyWithError(form, error);
  }
}

const statusLines = {
  pending: "Waiting for a decision.",
  withdrawn: "Withdrawn by the group.",
  approved: "Approved.",
  returned: "Returned to the group.",
} as const;

export default function ReviewSubmission() {
  const { submission, comparison, alternatives, mayDecide, decided } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";

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
        <SuccessNotice>{decided === "approved" ? "You approved this version. The group has been told." : "You returned this version with your reasons. The group has been told."}</SuccessNotice>
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
        <h2 id="changes-heading">What changed</h2>
        {comparison ? (
          <>
            {alternatives.length > 0 ? (
              <p className="review-compare__switch">
                Compared {comparison.against === "returned" ? "with the submission returned" : "with the approved version"}.{" "}
                {alternatives.map((alternative) => (
                  <Link key={alternative.compare} to={`/approvals/${submission.id}?compare=${alternative.compare}`} preventScrollReset>
                    Compare instead: {alternative.label.charAt(0).toLowerCase() + alternative.label.slice(1)}
                  </Link>
                ))}
              </p>
            ) : null}
            <div className={comparison.against === "returned" ? "review-compare review-compare--with-reasons" : "review-compare"}>
              {comparison.against === "returned" ? (
                <aside className="panel review-compare__reasons" aria-labelledby="returned-reasons-heading">
                  <h3 id="returned-reasons-heading">Why version {comparison.versionNumber} was returned</h3>
                  <p className="muted">
                    Returned on {comparison.decidedOn}
                    {comparison.decidedBy ? ` by ${comparison.decidedBy}, Lead Minister's office` : " by the Lead Minister's office"}
                  </p>
                  <p>{comparison.reasons}</p>
                </aside>
              ) : null}
              <div className="review-compare__diff">
                <p>
                  {comparison.against === "returned"
                    ? `Since version ${comparison.versionNumber}, returned on ${comparison.decidedOn}, to this submission.`
                    : `Since version ${comparison.versionNumber}, approved on ${comparison.decidedOn}, to this submission.`}
                </p>
                <WordDiff
                  parts={comparison.parts}
                  summary={comparison.summary}
                  label={comparison.against === "returned" ? "Changes since the returned submission" : "Changes since the approved version"}
                />
              </div>
            </div>
          </>
        ) : (
          <p role="status">First submission: there is no earlier submission to compare with.</p>
        )}
      </section>

      {mayDecide ? (
        <section className="panel" aria-labelledby="decision-heading">
          <h2 id="decision-heading">Your decision</h2>
          <ApproveSubmissionForm
            lastResult={resultFor(actionData, "approve")}
            disabled={busy}
            versionNumber={submission.versionNumber}
            contentHash={submission.contentHash}
          />
          <ReturnSubmissionForm lastResult={resultFor(actionData, "return")} disabled={busy} contentHash={submission.contentHash} />
        </section>
      ) : null}

      <p>
        <Link to="/approvals">Back to the approvals waiting</Link>
      </p>
      <ClassificationMarking classification={submission.classification} position="bottom" />
    </article>
  );
}
