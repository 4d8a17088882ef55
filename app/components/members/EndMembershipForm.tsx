/** Ending a membership on its last day, with a reason (the chair, secretary or platform administrator). */
import { useNavigation } from "@remix-run/react";
import { HeadedIntentForm, SelectField, TextField, useAppForm } from "../forms/fields.js";
import { MEMBERSHIP_END_REASON_MAX, endMembershipSchema } from "../../identity/schemas.js";
import { NZ_DATE_HINT } from "../../utils/nz-date-schema.js";

export function EndMembershipForm({
  memberships,
  lastResult,
}: {
  memberships: readonly { value: string; label: string }[];
  /** The action's reply when it came from this form (`resultFor(actionData, "end")`). */
  lastResult: unknown;
}) {
  const submitting = useNavigation().state === "submitting";
  const [form, fields] = useAppForm(endMembershipSchema, { id: "end", lastResult });
  return (
    <HeadedIntentForm form={form} intent="end" headingId="end-heading" heading="End a membership">
      <SelectField meta={fields.membershipId} label="Membership" placeholder="Choose a member" options={memberships} />
      <TextField meta={fields.endsOn} label="Last day of the membership" hint={NZ_DATE_HINT} />
      <TextField meta={fields.reason} label="Reason" maxLength={MEMBERSHIP_END_REASON_MAX} />
      <button type="submit" className="button button--danger" disabled={submitting}>
        End membership
      </button>
    </HeadedIntentForm>
  );
}
