/**
 * Choosing a new password from a reset link. On success every session the account has is ended
 * and the person goes to the sign-in page (`/login?reset=1`). Used and expired links answer 410
 * with a way to ask for a new one. Works without JavaScript.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { PASSWORD_MIN_LENGTH, newPasswordFields, passwordsMatch } from "../auth/new-password.server.js";
import { type PasswordResetLinkState, passwordResetLinkState, resetPassword } from "../auth/password-reset.server.js";

export const meta: MetaFunction = () => [{ title: "Choose a new password · Stewardship Workspace" }];

// Built on demand: the password rules are server-only, so nothing here runs in the browser.
const resetPasswordSchema = () => z.object(newPasswordFields).superRefine(passwordsMatch);

type Field = "password" | "confirmPassword";
type LinkView = { state: PasswordResetLinkState; passwordMinLength: number };
type ActionData =
  | { kind: "form"; fieldErrors: Partial<Record<Field, string>> }
  | { kind: "link"; state: Exclude<PasswordResetLinkState, "valid"> };

const statusOf = (state: PasswordResetLinkState) => (state === "valid" ? 200 : state === "not_found" ? 404 : 410);

export async function loader({ params, context }: LoaderFunctionArgs) {
  const state = await passwordResetLinkState(context.services.db, params.token);
  return data<LinkView>({ state, passwordMinLength: PASSWORD_MIN_LENGTH }, { status: statusOf(state) });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db, auth } = context.services;
  const form = Object.fromEntries(await request.formData());
  const parsed = resetPasswordSchema().safeParse(form);
  if (!parsed.success) {
    const fieldErrors: Partial<Record<Field, string>> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === "password" || field === "confirmPassword") && !fieldErrors[field]) fieldErrors[field] = issue.message;
    }
    return data<ActionData>({ kind: "form", fieldErrors }, { status: 400 });
  }
  const result = await resetPassword(
    db,
    auth,
    { token: params.token ?? "", password: parsed.data.password },
    { ip: context.clientIp },
  );
  if (!result.ok) {
    const state = result.error === "RESET_LINK_EXPIRED" ? "expired" : result.error === "RESET_LINK_USED" ? "used" : "not_found";
    return data<ActionData>({ kind: "link", state }, { status: statusOf(state) });
  }
  await context.services.accessChanged({ userId: result.userId });
  return redirect("/login?reset=1");
}

const linkMessages: Record<Exclude<PasswordResetLinkState, "valid">, { heading: string; body: string }> = {
  expired: {
    heading: "This link has expired",
    body: "This password reset link has expired: each link works for one hour. Ask for a new one.",
  },
  used: {
    heading: "This link has already been used",
    body: "This password reset link has already been used, and each link works only once. If you still need to reset your password, ask for a new one.",
  },
  not_found: {
    heading: "We could not find this link",
    body: "Check that you copied the whole link from the email, or ask for a new one.",
  },
};

export default function ResetPassword() {
  const loaded = useLoaderData<LinkView>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const state = actionData?.kind === "link" ? actionData.state : loaded.state;
  const fieldErrors = actionData?.kind === "form" ? actionData.fieldErrors : {};
  const submitting = navigation.state === "submitting";

  if (state !== "valid") {
    const message = linkMessages[state];
    return (
      <section className="panel narrow" aria-labelledby="reset-heading">
        <h1 id="reset-heading">{message.heading}</h1>
        <p>{message.body}</p>
        <p>
          <Link className="button" to="/forgot-password">
            Ask for a new link
          </Link>
        </p>
      </section>
    );
  }

  const describedBy = (field: Field, hint?: string) =>
    [hint, fieldErrors[field] ? `${field}-error` : undefined].filter(Boolean).join(" ") || undefined;
  return (
    <section className="panel narrow" aria-labelledby="reset-heading">
      <h1 id="reset-heading">Choose a new password</h1>
      <p>Once you have chosen it, you will be signed out everywhere and can sign in again with the new password.</p>
      <Form method="post" noValidate>
        <div className="field">
          <label htmlFor="password">New password</label>
          <span className="hint" id="password-hint">
            At least {loaded.passwordMinLength} characters. A few words you will remember works well.
          </span>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={loaded.passwordMinLength}
            aria-invalid={fieldErrors.password ? true : undefined}
            aria-describedby={describedBy("password", "password-hint")}
          />
          {fieldErrors.password ? (
            <p className="field-error" id="password-error">
              {fieldErrors.password}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="confirmPassword">Type the new password again</label>
          <input
            id="confirmPassword"
            name="confirmPassword"
            type="password"
            autoComplete="new-password"
            required
            aria-invalid={fieldErrors.confirmPassword ? true : undefined}
            aria-describedby={describedBy("confirmPassword")}
          />
          {fieldErrors.confirmPassword ? (
            <p className="field-error" id="confirmPassword-error">
              {fieldErrors.confirmPassword}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button" disabled={submitting}>
          {submitting ? "Saving…" : "Save new password"}
        </button>
      </Form>
    </section>
  );
}
