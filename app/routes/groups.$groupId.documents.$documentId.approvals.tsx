/**
 * The terms of reference's approval history: every submission to the Lead Minister's office and
 * what became of it. The chair and the secretary submit (with an optional cover note) and withdraw
 * here; the forms on the document page post to this route.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { APPROVAL_TEXT_MAX } from "../documents/limits.js";
import { SubmitForApprovalForm, WithdrawSubmissionForm } from "../components/approvals/ApprovalForms.js";
import {
  approvalNotifier,
  approvalStatus,
  listSubmissions,
  submitForApproval,
  withdrawSubmission,
} from "../models/approvals.server.js";
import { requireDocumentHistory } from "../http/require-document.server.js";
import { submissionResource } from "../models/policy-resources.server.js";
import { can } from "../policy/policy.js";
import editorStyles from "../styles/editor.css";
import { formatNzDateTime } from "../utils/dates.js";
import { AppError } from "../errors.js";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: editorStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Approvals · ${loaderData?.document.title ?? "Document"} · Stewardship Workspace` },
];

const submitSchema = z.object({
  intent: z.literal("submit"),
  coverNote: z
    .string()
    .trim()
    .max(APPROVAL_TEXT_MAX, `Keep the cover note to ${APPROVAL_TEXT_MAX} characters or fewer`)
    .optional(),
});
const withdrawSchema = z.object({ intent: z.literal("withdraw"), submissionId: z.string().uuid() });

type ActionData = { fieldErrors?: { coverNote?: string }; formError?: string; values?: { coverNote: string } };

const statusLabels = {
  pending: "Waiting for the Lead Minister's office",
  withdrawn: "Withdrawn",
  approved: "Approved",
  returned: "Returned",
} as const;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, document, resource, group } = await requireDocumentHistory(request, context, params);
  if (document.kind !== "terms_of_reference") throw new Response("Not found", { status: 404 });
  const db = context.services.db;
  const [status, submissions] = await Promise.all([approvalStatus(db, document.id), listSubmissions(db, document.id)]);
  const pending = { group_id: document.group_id, submitted_by: status.pendingSubmittedBy, status: "pending" };
  return {
    group,
    document: { id: document.id, title: document.title, classification: document.classification },
    status,
    maySubmit: can(actor, "document.submit", resource) && status.pendingSubmissionId === null,
    mayWithdraw: status.pendingSubmissionId !== null && can(actor, "submission.withdraw", submissionResource(actor, pending)),
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
  const { actor, document, group } = await requireDocumentHistory(request, context, params);
  if (document.kind !== "terms_of_reference") throw new Response("Not found", { status: 404 });
  const form = Object.fromEntries(await request.formData());
  const services = context.services;
  const documentPath = `/groups/${group.id}/documents/${document.id}`;
  const options = { ip: context.clientIp, notify: approvalNotifier(services) };

  try {
    if (form.intent === "submit") {
      const coverNote = typeof form.coverNote === "string" ? form.coverNote.slice(0, APPROVAL_TEXT_MAX + 100) : "";
      const parsed = submitSchema.safeParse(form);
      if (!parsed.success) {
        return data<ActionData>(
          { fieldErrors: { coverNote: parsed.error.issues[0]?.message ?? "Check the cover note" }, values: { coverNote } },
          { status: 400 },
        );
      }
      await submitForApproval(services.db, services.collaboration, actor, document.id, {
        ...options,
        coverNote: parsed.data.coverNote ?? null,
      });
      return redirect(`${documentPath}?submitted=1`);
    }
    if (form.intent === "withdraw") {
      const parsed = withdrawSchema.safeParse(form);
      if (!parsed.success) {
        return data<ActionData>({ formError: "That submission is not recognised. Reload the page and try again." }, { status: 400 });
      }
      await withdrawSubmission(services.db, actor, parsed.data.submissionId, options);
      return redirect(`${documentPath}?withdrawn=1`);
    }
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === "FORBIDDEN") throw new Response("Forbidden", { status: 403 });
    if (error.code === "NOT_FOUND") throw new Response("Not found", { status: 404 });
    if (error.field === "coverNote") {
      return data<ActionData>({ fieldErrors: { coverNote: error.message }, values: { coverNote: String(form.coverNote ?? "") } }, { status: 400 });
    }
    return data<ActionData>({ formError: `${error.message}.` }, { status: error.code === "INVALID_INPUT" ? 400 : 409 });
  }
  return data<ActionData>({ formError: "That action is not recognised. Reload the page and try again." }, { status: 400 });
}

export default function ApprovalHistory() {
  const { group, document, status, maySubmit, mayWithdraw, submissions } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
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
      {actionData?.formError ? (
        <div className="alert alert--error" role="alert">
          <p>{actionData.formError}</p>
        </div>
      ) : null}

      {maySubmit || (mayWithdraw && status.pendingSubmissionId) ? (
        <section className="panel" aria-labelledby="submit-heading">
          <h2 id="submit-heading">{maySubmit ? "Submit for approval" : "Waiting for a decision"}</h2>
          {maySubmit ? (
            <SubmitForApprovalForm
              action={`${base}/approvals`}
              error={actionData?.fieldErrors?.coverNote}
              defaultValue={actionData?.values?.coverNote}
              disabled={submitting}
            />
          ) : status.pendingSubmissionId ? (
            <WithdrawSubmissionForm action={`${base}/approvals`} submissionId={status.pendingSubmissionId} disabled={submitting} />
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
