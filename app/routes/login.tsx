/**
 * Sign-in. Works without JavaScript. A wrong email and a wrong password get the same message;
 * too many failures answer 429 with a Retry-After and say when to try again.
 */
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { signInSchema } from "../auth/schemas.js";
import { attemptSignIn } from "../models/sign-in.server.js";
import { FormErrors, TextField, formProps, useAppForm } from "../components/forms/fields.js";
import { safeRedirectPath } from "../http/require.server.js";
import { invalidForm } from "../http/responses.server.js";
import { SuccessNotice } from "../components/SuccessNotice.js";

export const meta: MetaFunction = () => [{ title: "Sign in · Stewardship Workspace" }];

/** A rate-limited answer tells the browser when to try again. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (context.user) {
    throw redirect(safeRedirectPath(new URL(request.url).searchParams.get("redirectTo")));
  }
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await request.formData(), { schema: signInSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const ip = context.clientIp ?? "unknown";
  const result = await attemptSignIn(context.services.db, { email: submission.value.email, password: submission.value.password, ip });
  if (!result.ok) {
    // The password is never sent back to the page.
    const hideFields = ["password"];
    if (result.error === "RATE_LIMITED") {
      const minutes = Math.ceil(result.retryAfterSeconds / 60);
      return data(
        submission.reply({
          formErrors: [
            `Too many sign-in attempts. For your security, please wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again, or reset your password.`,
          ],
          hideFields,
        }),
        { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
      );
    }
    return data(
      submission.reply({ formErrors: ["That email and password do not match an account. Check them and try again."], hideFields }),
      { status: 400 },
    );
  }
  const { setCookie } = await context.services.auth.signIn(result.userId, {
    ip,
    userAgent: request.headers.get("user-agent"),
  });
  return redirect(safeRedirectPath(submission.value.redirectTo), { headers: { "Set-Cookie": setCookie } });
}

export default function Login() {
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const [form, fields] = useAppForm(signInSchema, { id: "sign-in", lastResult });
  const submitting = navigation.state === "submitting";
  return (
    <section className="panel narrow" aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">Sign in</h1>
      <p className="muted">For members of the Social Sector Commissioning Stewardship Group and the people who support it.</p>
      {searchParams.get("reset") === "1" && !lastResult ? (
        <SuccessNotice>Your password has been changed and every other device signed out. Sign in with your new password.</SuccessNotice>
      ) : null}
      <FormErrors form={form} />
      <Form method="post" {...formProps(form)}>
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
        <TextField meta={fields.email} label="Email address" type="email" autoComplete="username" />
        <TextField meta={fields.password} label="Password" type="password" autoComplete="current-password" />
        <button type="submit" className="button" disabled={submitting}>
          {submitting ? "Signing in…" : "Sign in"}
        </button>
      </Form>
      <p className="after-form">
        <Link to="/forgot-password">Forgotten your password?</Link>
      </p>
    </section>
  );
}
