/**
 * The forms of signing in, passwords, accepting an invitation and a person's own account, one
 * schema each, shared by the browser (Conform) and the actions (`parseWithZod`). The rules for
 * choosing a password live here, so every form that sets one says the same thing.
 *
 * Shared with the browser: no server imports here.
 */
import * as z from "zod";

export const EMAIL_MAX = 254;
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;
export const DISPLAY_NAME_MAX = 100;

export const emailField = z
  .string({ error: "Enter your email address" })
  .trim()
  .min(1, "Enter your email address")
  .max(EMAIL_MAX, "That email address is too long")
  .pipe(z.email("Enter an email address like name@example.org"));

export const signInSchema = z.object({
  email: emailField,
  password: z.string({ error: "Enter your password" }).min(1, "Enter your password").max(200, "That password is too long"),
  redirectTo: z.string().max(2000).optional(),
});

export const forgotPasswordSchema = z.object({ email: emailField });

/** A new password typed twice; spread into a form's `z.object` and refine it with `passwordsMatch`. */
const newPasswordFields = {
  password: z
    .string({ error: "Enter a password" })
    .min(1, "Enter a password")
    .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters`)
    .max(PASSWORD_MAX_LENGTH, `Use ${PASSWORD_MAX_LENGTH} characters or fewer`),
  confirmPassword: z.string({ error: "Type the password again" }).min(1, "Type the password again"),
};

/** Puts "do not match" on `confirmPassword` when the two differ. */
function passwordsMatch(value: { password: string; confirmPassword: string }, context: z.RefinementCtx): void {
  if (value.password !== value.confirmPassword) {
    context.addIssue({ code: "custom", path: ["confirmPassword"], message: "The two passwords do not match" });
  }
}

/** The fields a password form must never send back to the page. */
export const passwordFields = ["password", "confirmPassword", "currentPassword"];

export const resetPasswordSchema = z.object(newPasswordFields).superRefine(passwordsMatch);

// ---- accepting an invitation (routes/invitations.$token.tsx) -------------------------------------

/** Someone whose email has no account yet creates one and joins. */
export const createAccountSchema = z
  .object({
    intent: z.literal("create_account"),
    displayName: z
      .string({ error: "Enter your name" })
      .trim()
      .min(1, "Enter your name")
      .max(DISPLAY_NAME_MAX, `Use ${DISPLAY_NAME_MAX} characters or fewer for your name`),
    ...newPasswordFields,
  })
  .superRefine(passwordsMatch);

/** The person invited, signed in, joins with one button. */
export const joinGroupSchema = z.object({ intent: z.literal("join") });

export const invitationResponseSchema = z.discriminatedUnion("intent", [createAccountSchema, joinGroupSchema]);

// ---- the account page (routes/account.tsx) ---------------------------------------------------------

export const changePasswordSchema = z
  .object({
    intent: z.literal("change-password"),
    currentPassword: z
      .string({ error: "Enter your current password" })
      .min(1, "Enter your current password")
      .max(PASSWORD_MAX_LENGTH, "That password is too long"),
    ...newPasswordFields,
  })
  .superRefine(passwordsMatch)
  .superRefine((value, context) => {
    if (value.password.length > 0 && value.password === value.currentPassword) {
      context.addIssue({ code: "custom", path: ["password"], message: "Choose a password different from your current one" });
    }
  });

export const signOutEverywhereSchema = z.object({ intent: z.literal("sign-out-everywhere") });

export const accountCommandSchema = z.discriminatedUnion("intent", [changePasswordSchema, signOutEverywhereSchema]);
