/**
 * A new password typed twice, as every form that sets one asks for it (accepting an invitation,
 * a reset link, the account page): the rule for its length in the hint, and the browser told it
 * is a new password so a password manager can offer one. Each form keeps its own words.
 */
import type { FieldMetadata } from "@conform-to/react";
import { PASSWORD_MIN_LENGTH } from "../../auth/schemas.js";
import { TextField } from "../forms/fields.js";

type PasswordMeta = FieldMetadata<string, Record<string, unknown>, string[]>;

export function NewPasswordFields({
  password,
  confirmPassword,
  labels,
  advice,
}: {
  password: PasswordMeta;
  confirmPassword: PasswordMeta;
  labels: { password: string; confirmPassword: string };
  /** The hint's second sentence, after the minimum length. */
  advice: string;
}) {
  return (
    <>
      <TextField
        meta={password}
        label={labels.password}
        type="password"
        autoComplete="new-password"
        hint={`At least ${PASSWORD_MIN_LENGTH} characters. ${advice}`}
      />
      <TextField meta={confirmPassword} label={labels.confirmPassword} type="password" autoComplete="new-password" />
    </>
  );
}
