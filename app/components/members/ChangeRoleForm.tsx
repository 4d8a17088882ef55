/** Changing a member's role from a date: the earlier role ends the day before, and stays in the record. */
import { useNavigation } from "@remix-run/react";
import { HeadedIntentForm, SelectField, TextField, useAppForm } from "../forms/fields.js";
import { changeRoleSchema } from "../../identity/schemas.js";
import { NZ_DATE_HINT } from "../../utils/nz-date-schema.js";

export function ChangeRoleForm({
  memberships,
  roles,
  lastResult,
}: {
  memberships: readonly { value: string; label: string }[];
  roles: readonly { value: string; label: string }[];
  /** The action's reply when it came from this form (`resultFor(actionData, "change-role")`). */
  lastResult: unknown;
}) {
  const submitting = useNavigation().state === "submitting";
  const [form, fields] = useAppForm(changeRoleSchema, { id: "role", lastResult });
  return (
    <HeadedIntentForm form={form} intent="change-role" headingId="role-heading" heading="Change a role">
      <SelectField meta={fields.membershipId} label="Member" placeholder="Choose a member" options={memberships} />
      <SelectField meta={fields.newRole} label="New role" placeholder="Choose a role" options={roles} />
      <TextField meta={fields.onDate} label="First day in the new role" hint={`The earlier role ends the day before. ${NZ_DATE_HINT}`} />
      <button type="submit" className="button" disabled={submitting}>
        Change role
      </button>
    </HeadedIntentForm>
  );
}
