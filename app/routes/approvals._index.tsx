/**
 * The Lead Minister's office's queue: submissions waiting for a decision, across every group where
 * the person holds that role, oldest first.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { forbidden } from "../errors.js";
import { requireActor } from "../http/require.server.js";
import { invariantResponse } from "../http/responses.server.js";
import { holdsMinisterOffice, listPendingForApprover } from "../models/approvals.server.js";
import { formatNzDateTime } from "../utils/dates.js";

export const meta: MetaFunction = () => [{ title: "Approvals · Stewardship Workspace" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context);
  invariantResponse(holdsMinisterOffice(actor), forbidden);
  const pending = await listPendingForApprover(context.services.db, actor);
  return {
    pending: pending.map((submission) => ({
      id: submission.id,
      documentTitle: submission.document_title,
      groupName: submission.group_name,
      versionNumber: submission.version_number,
      classification: submission.classification,
      submittedBy: submission.submitted_by_name ?? "Unknown",
      submittedAt: formatNzDateTime(submission.submitted_at),
      hasCoverNote: submission.cover_note !== null,
    })),
  };
}

export default function ApprovalQueue() {
  const { pending } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Waiting for approval</h1>
      <p className="lede">
        Terms of reference submitted to the Lead Minister's office. Each submission is one exact version: editing the
        draft afterwards never changes it.
      </p>
      {pending.length === 0 ? (
        <p role="status">Nothing is waiting for a decision.</p>
      ) : (
        <ul className="list-plain approval-queue">
          {pending.map((submission) => (
            <li key={submission.id} className="panel">
              <h2>
                <Link to={`/approvals/${submission.id}`}>
                  {submission.documentTitle}, version {submission.versionNumber}
                </Link>
              </h2>
              <p className="muted">
                {submission.groupName} · {submission.classification}
              </p>
              <p>
                Submitted {submission.submittedAt} by {submission.submittedBy}
                {submission.hasCoverNote ? ", with a cover note" : ""}.
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
