/**
 * The forms of signing in and of passwords, one schema each, shared by the browser (Conform) and
 * the actions (`parseWithZod`).
 */
import { z } from "zod";

export const EMAIL_MAX = 254;

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
