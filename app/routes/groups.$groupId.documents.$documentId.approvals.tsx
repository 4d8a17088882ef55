/**
 * The terms of reference's approval history: every submission to the Lead Minister's office and
 * what became of it. The chair and the secretary submit (with an optional cover note) and withdraw
 * here; the forms on the document page post to this route.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { SubmitForApprovalForm, WithdrawSubmissionForm } from "../components/approvals/ApprovalForms.js";
import { approvalsSchema } from "../documents/schemas.js";
import { requireTermsOfReference } from "../http/require-document.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { approvalNotifier, submitForApproval, withdrawSubmission } from "../models/approval-commands.server.js";
import { approvalPermissions, approvalStatus, listSubmissions } from "../models/approvals.server.js";
import { formatNzDateTime } from "../utils/dates.js";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Approvals · ${loaderData?.document.title ?? "Document"} · Stewardship Workspace` },
];

const statusLabels = {
  pending: "Waiting for the Lead Minister's office",
  withdrawn: "Withdrawn",
  approved: "Approved",
  returned: "Returned",
} as const;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, document, resource, group } = await requireTermsOfReference(request, context, params);
  const db = context.services.db;
  const [status, submissions] = await Promise.all([approvalStatus(db, document.id), listSubmissions(db, document.id)]);
  return {
    group,
    document: { id: document.id, title: document.title },
    status,
    may: approvalPermissions(actor, resource, status),
    submissions: submissions.map((submission) => ({
      id: submission.id,
      status: submission.status,
      statusLabel: statusLabels[submission.status],
      versionNumber: submission.version_number,
      coverNote: submission.cover_note,
      submittedBy: submission.submitted_by_name ?? "Unknown",
      submittedAt: formatNzDateTime(submission.submitted_at),
      decidedBy: submission.decided_by_name,
      decidedAt: submission.decided_at ? formatNzDateTime(submission.decided_at) : null,
      withdrawnBy: submission.withdrawn_by_name,
      withdrawnAt: submission.withdrawn_at ? formatNzDateTime(submission.withdrawn_at) : null,
      reasons: submission.decision_reasons,
      contentHash: submission.content_hash,
    })),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, document, group } = await requireTermsOfReference(request, context, params);
  const submission = parseWithZod(await request.formData(), { schema: approvalsSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const services = context.services;
  const documentPath = `/groups/${group.id}/documents/${document.id}`;
  const options = { ip: context.clientIp, notify: approvalNotifier(services), logger: services.logger };
  try {
    if (submission.value.intent === "submit") {
      await submitForApproval(services.db, services.collaboration, actor, document.id, {
        ...options,
        coverNote: submission.value.coverNote || null,
      });
      return redirect(`${documentPath}?submitted=1`);
    }
    await withdrawSubmission(services.db, actor, submission.value.submissionId, options);
    return redirect(`${documentPath}?withdrawn=1`);
  } catch (error) {
    return replyWithError(submission, error);
  }
}

export default function ApprovalHistory() {
  const { group, document, status, may, submissions } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const base = `/groups/${group.id}/documents/${document.id}`;
  const submitting = navigation.state === "submitting";

  return (
    <article aria-labelledby="approvals-title">
      <h1 id="approvals-title">Approval history</h1>
      <p className="lede approval-status" data-approval-state={status.state}>
        {status.line}
      </p>
      {status.inForce ? (
        <p>
          In force: <Link to={`${base}/approved`}>version {status.inForce.versionNumber}, approved on {status.inForce.approvedOn}</Link>
        </p>
      ) : (
        <p>No version has been approved yet.</p>
      )}

      {/* One of the two forms at most (submitting needs nothing pending): it takes the reply, whichever it answered. */}
      {may.submit || (may.withdraw && status.pendingSubmissionId) ? (
        <section className="panel" aria-labelledby="submit-heading">
          <h2 id="submit-heading">{may.submit ? "Submit for approval" : "Waiting for a decision"}</h2>
          {may.submit ? (
            <SubmitForApprovalForm action={`${base}/approvals`} lastResult={actionData} disabled={submitting} />
          ) : status.pendingSubmissionId ? (
            <WithdrawSubmissionForm
              action={`${base}/approvals`}
              lastResult={actionData}
              submissionId={status.pendingSubmissionId}
              disabled={submitting}
            />
          ) : null}
        </section>
      ) : null}

      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Submissions and decisions</h2>
        {submissions.length === 0 ? (
          <p>The terms of reference have not been submitted yet.</p>
        ) : (
          <ol className="list-plain submission-history">
            {submissions.map((submission) => (
              <li key={submission.id} className="panel">
                <h3>
                  <Link to={`${base}/versions/${submission.versionNumber}`}>Version {submission.versionNumber}</Link>:{" "}
                  {submission.statusLabel}
                </h3>
                <dl className="facts">
                  <dt>Submitted</dt>
                  <dd>
                    {submission.submittedAt} by {submission.submittedBy}
                  </dd>
                  {submission.coverNote ? (
                    <>
                      <dt>Cover note</dt>
                      <dd>{submission.coverNote}</dd>
                    </>
                  ) : null}
                  {submission.withdrawnAt ? (
                    <>
                      <dt>Withdrawn</dt>
                      <dd>
                        {submission.withdrawnAt}
                        {submission.withdrawnBy ? ` by ${submission.withdrawnBy}` : ""}
                      </dd>
                    </>
                  ) : null}
                  {submission.decidedAt ? (
                    <>
                      <dt>{submission.status === "approved" ? "Approved" : "Returned"}</dt>
                      <dd>
                        {submission.decidedAt}
                        {submission.decidedBy ? ` by ${submission.decidedBy}, Lead Minister's office` : ""}
                      </dd>
                    </>
                  ) : null}
                  {submission.reasons ? (
                    <>
                      <dt>Reasons</dt>
                      <dd>{submission.reasons}</dd>
                    </>
                  ) : null}
                  <dt>Text fingerprint (SHA-256)</dt>
                  <dd>
                    <code className="hash">{submission.contentHash}</code>
                  </dd>
                </dl>
              </li>
            ))}
          </ol>
        )}
      </section>
    </article>
  );
}
