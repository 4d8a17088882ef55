/**
 * Where the terms of reference stand with the Lead Minister's office, on the document page, in
 * two parts so the document comes first: above the text, one status line (and the note that the
 * working draft differs from the version in force, or that it was just submitted or withdrawn)
 * with a link down to the approval panel; below the text, the panel itself: the version in
 * force, the chair's and secretary's forms (which post to the document's approvals route) and the
 * approval history.
 */
import { Link } from "@remix-run/react";
import { SubmitForApprovalForm, WithdrawSubmissionForm } from "./ApprovalForms.js";

export interface ApprovalPanelData {
  state: string;
  line: string;
  inForce: { versionNumber: number } | null;
  /** The working draft's text differs from the version in force. */
  draftDiffers: boolean;
  pendingSubmissionId: string | null;
  maySubmit: boolean;
  mayWithdraw: boolean;
  /** Just submitted or withdrawn (the approvals route sent the person back here). */
  flash: "submitted" | "withdrawn" | null;
}

/** Above the text: the status line, and a link to the panel below when there is something to do there. */
export function ApprovalSummary({ approval, base }: { approval: ApprovalPanelData; base: string }) {
  const action = approval.maySubmit ? "Submit for approval" : approval.mayWithdraw && approval.pendingSubmissionId ? "Withdraw the submission" : null;
  return (
    <div className="approval-summary">
      {approval.flash ? (
        <div className="alert alert--success" role="status">
          <p>
            {approval.flash === "submitted"
              ? "Submitted for approval. The Lead Minister's office reviews the text as it was at this moment; you can keep editing the draft."
              : "The submission has been withdrawn."}
          </p>
        </div>
      ) : null}
      <p className="approval-summary__line">
        <span className="approval-status" data-approval-state={approval.state}>
          <strong>{approval.line}</strong>
        </span>{" "}
        <a href="#approval-heading">{action ? `${action} (below the text)` : "Approval (below the text)"}</a>
      </p>
      {approval.inForce && approval.draftDiffers ? (
        <div className="alert" role="note">
          <p>
            <strong>Working draft — differs from the approved version.</strong>{" "}
            <Link to={`${base}/versions/compare?from=${approval.inForce.versionNumber}&to=current`}>See what the draft changes</Link>
          </p>
        </div>
      ) : null}
    </div>
  );
}

/** Below the text: the version in force, the forms, and the history. */
export function ApprovalPanel({ approval, base, busy }: { approval: ApprovalPanelData; base: string; busy: boolean }) {
  return (
    <section className="panel approval-panel" aria-labelledby="approval-heading">
      <h2 id="approval-heading">Approval</h2>
      {approval.inForce ? (
        <p>
          <Link to={`${base}/approved`} className="button button--secondary">
            Read the approved version (version {approval.inForce.versionNumber})
          </Link>
        </p>
      ) : null}
      {approval.maySubmit ? <SubmitForApprovalForm action={`${base}/approvals`} disabled={busy} /> : null}
      {approval.mayWithdraw && approval.pendingSubmissionId ? (
        <WithdrawSubmissionForm action={`${base}/approvals`} submissionId={approval.pendingSubmissionId} disabled={busy} />
      ) : null}
      <p>
        <Link to={`${base}/approvals`}>Approval history</Link>
      </p>
    </section>
  );
}
