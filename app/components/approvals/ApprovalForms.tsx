/**
 * The chair's and secretary's approval forms: submit (with an optional cover note) and withdraw.
 * Both post to the document's approvals route, from there or from the document page.
 */
import { Form } from "@remix-run/react";
import { APPROVAL_TEXT_MAX } from "../../documents/limits.js";

/** The submit form; the cover note is optional. */
export function SubmitForApprovalForm({
  action,
  error,
  defaultValue,
  disabled,
}: {
  action: string;
  error?: string;
  defaultValue?: string;
  disabled?: boolean;
}) {
  return (
    <Form method="post" action={action} noValidate className="submit-approval-form">
      <input type="hidden" name="intent" value="submit" />
      <div className="field">
        <label htmlFor="cover-note">Cover note for the Lead Minister's office (optional)</label>
        <span className="hint" id="cover-note-hint">
          What changed and why, in a few sentences. Up to {APPROVAL_TEXT_MAX} characters.
        </span>
        <textarea
          id="cover-note"
          name="coverNote"
          rows={3}
          maxLength={APPROVAL_TEXT_MAX}
          defaultValue={defaultValue}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "cover-note-hint cover-note-error" : "cover-note-hint"}
        />
        {error ? (
          <p className="field-error" id="cover-note-error">
            {error}
          </p>
        ) : null}
      </div>
      <p className="muted">
        The text as it is now is saved as a version that never changes; the Minister's office reviews exactly that. You
        can keep editing the draft afterwards.
      </p>
      <button type="submit" className="button" disabled={disabled}>
        Submit for approval
      </button>
    </Form>
  );
}

/** The withdraw button for a pending submission. */
export function WithdrawSubmissionForm({ action, submissionId, disabled }: { action: string; submissionId: string; disabled?: boolean }) {
  return (
    <Form method="post" action={action} className="withdraw-form">
      <input type="hidden" name="intent" value="withdraw" />
      <input type="hidden" name="submissionId" value={submissionId} />
      <button type="submit" className="button button--secondary" disabled={disabled}>
        Withdraw the submission
      </button>
    </Form>
  );
}

