/**
 * The rules for choosing a password, shared by every form that sets one (accepting an
 * invitation, resetting a forgotten password, changing it on the account page), and hashing it
 * with Argon2id. Server-only: build schemas from these inside loaders and actions, and pass the
 * minimum length to components through loader data.
 */
import { hash } from "@node-rs/argon2";
import { z } from "zod";

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;

/** A new password typed twice; spread into a form's `z.object` and add `passwordsMatch`. */
export const newPasswordFields = {
  password: z
    .string({ error: "Enter a password" })
    .min(1, "Enter a password")
    .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters`)
    .max(PASSWORD_MAX_LENGTH, `Use ${PASSWORD_MAX_LENGTH} characters or fewer`),
  confirmPassword: z.string({ error: "Type the password again" }).min(1, "Type the password again"),
};

/** For `.superRefine`: puts "do not match" on `confirmPassword` when the two differ. */
export function passwordsMatch(
  value: { password: string; confirmPassword: string },
  context: z.RefinementCtx<{ password: string; confirmPassword: string }>,
): void {
  if (value.password !== value.confirmPassword) {
    context.addIssue({ code: "custom", path: ["confirmPassword"], message: "The two passwords do not match" });
  }
}

/** Argon2id (the library's default algorithm) with its default cost. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}
