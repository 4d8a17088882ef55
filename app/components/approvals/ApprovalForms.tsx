/**
 * The approval forms, each a Conform form with its schema from app/documents/schemas.ts: the
 * chair's and secretary's submit (with an optional cover note) and withdraw, which post to the
 * document's approvals route from there or from the document page; and the Lead Minister's
 * office's approve and return, on the submission's review page. Each takes its own reply
 * (`resultFor(actionData, intent)`) so a message appears beside the form it is about.
 */
import { Form } from "@remix-run/react";
import { APPROVAL_TEXT_MAX } from "../../documents/limits.js";
import {
  approveSubmissionSchema,
  returnSubmissionSchema,
  submitForApprovalSchema,
  withdrawSubmissionSchema,
} from "../../documents/schemas.js";
import { FormErrors, IntentInput, TextAreaField, formProps, useAppForm } from "../forms/fields.js";

interface ApprovalFormProps {
  /** The route the form posts to (the document's approvals route, or the review page itself). */
  action?: string;
  /** The action's reply to this form, when it answered one. */
  lastResult?: unknown;
  disabled?: boolean;
}

/** The submit form; the cover note is optional. */
export function SubmitForApprovalForm({ action, lastResult, disabled }: ApprovalFormProps) {
  const [form, fields] = useAppForm(submitForApprovalSchema, { id: "submit-for-approval", lastResult });
  return (
    <Form method="post" action={action} className="submit-approval-form" {...formProps(form)}>
      <FormErrors form={form} />
      <IntentInput value="submit" />
      <TextAreaField
        meta={fields.coverNote}
        label="Cover note for the Lead Minister's office (optional)"
        hint={`What changed and why, in a few sentences. Up to ${APPROVAL_TEXT_MAX} characters.`}
        rows={3}
      />
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
export function WithdrawSubmissionForm({ action, lastResult, disabled, submissionId }: ApprovalFormProps & { submissionId: string }) {
  const [form] = useAppForm(withdrawSubmissionSchema, { id: "withdraw-submission", lastResult });
  return (
    <Form method="post" action={action} className="withdraw-form" {...formProps(form)}>
      <FormErrors form={form} />
      <IntentInput value="withdraw" />
      <input type="hidden" name="submissionId" value={submissionId} />
      <button type="submit" className="button button--secondary" disabled={disabled}>
        Withdraw the submission
      </button>
    </Form>
  );
}

/** Approving, bound to the hash of the text shown (sent back in a hidden field). */
export function ApproveSubmissionForm({
  lastResult,
  disabled,
  versionNumber,
  contentHash,
}: ApprovalFormProps & { versionNumber: number; contentHash: string }) {
  const [form] = useAppForm(approveSubmissionSchema, { id: "approve-submission", lastResult });
  return (
    <Form method="post" className="approve-form" {...formProps(form)}>
      <FormErrors form={form} />
      <IntentInput value="approve" />
      <input type="hidden" name="expectedHash" value={contentHash} />
      <p>Approving puts version {versionNumber}, exactly as shown above, in force.</p>
      <button type="submit" className="button" disabled={disabled}>
        Approve version {versionNumber}
      </button>
    </Form>
  );
}

/** Returning, with the reasons the group will read. */
export function ReturnSubmissionForm({ lastResult, disabled, contentHash }: ApprovalFormProps & { contentHash: string }) {
  const [form, fields] = useAppForm(returnSubmissionSchema, { id: "return-submission", lastResult });
  return (
    <Form method="post" className="return-form" {...formProps(form)}>
      <FormErrors form={form} />
      <IntentInput value="return" />
      <input type="hidden" name="expectedHash" value={contentHash} />
      <TextAreaField
        meta={fields.reasons}
        label="Reasons for returning it"
        hint={`The group sees these reasons. Up to ${APPROVAL_TEXT_MAX} characters.`}
        rows={4}
      />
      <button type="submit" className="button button--secondary" disabled={disabled}>
        Return with reasons
      </button>
    </Form>
  );
}
