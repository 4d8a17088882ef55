/**
 * Where the terms of reference stand with the Lead Minister's office, on the document page: the
 * status line, the version in force and whether the working draft has moved on from it, and the
 * chair's and secretary's forms (which post to the document's approvals route).
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

export function ApprovalPanel({ approval, base, busy }: { approval: ApprovalPanelData; base: string; busy: boolean }) {
  return (
    <section className="panel approval-panel" aria-labelledby="approval-heading">
      <h2 id="approval-heading">Approval</h2>
      {approval.flash ? (
        <div className="alert alert--success" role="status">
          <p>
            {approval.flash === "submitted"
              ? "Submitted for approval. The Lead Minister's office reviews the text as it was at this moment; you can keep editing the draft."
              : "The submission has been withdrawn."}
          </p>
        </div>
      ) : null}
      <p className="approval-status" data-approval-state={approval.state}>
        <strong>{approval.line}</strong>
      </p>
      {approval.inForce ? (
        <p>
          <Link to={`${base}/approved`} className="button button--secondary">
            Read the approved version (version {approval.inForce.versionNumber})
          </Link>
        </p>
      ) : null}
      {approval.inForce && approval.draftDiffers ? (
        <div className="alert" role="note">
          <p>
            <strong>Working draft — differs from the approved version.</strong>{" "}
            <Link to={`${base}/versions/compare?from=${approval.inForce.versionNumber}&to=current`}>See what the draft changes</Link>
          </p>
        </div>
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
