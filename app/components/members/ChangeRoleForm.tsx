/** Changing a member's role from a date: the earlier role ends the day before, and stays in the record. */
import { Form, useNavigation } from "@remix-run/react";
import { FormErrors, IntentInput, SelectField, TextField, formProps, useAppForm } from "../forms/fields.js";
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
    <div>
      <h3 id="role-heading">Change a role</h3>
      <FormErrors form={form} />
      <Form method="post" {...formProps(form)} aria-labelledby="role-heading">
        <IntentInput value="change-role" />
        <SelectField meta={fields.membershipId} label="Member" placeholder="Choose a member" options={memberships} />
        <SelectField meta={fields.newRole} label="New role" placeholder="Choose a role" options={roles} />
        <TextField meta={fields.onDate} label="First day in the new role" hint={`The earlier role ends the day before. ${NZ_DATE_HINT}`} />
        <button type="submit" className="button" disabled={submitting}>
          Change role
        </button>
      </Form>
    </div>
  );
}
