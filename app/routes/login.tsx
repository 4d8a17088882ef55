/**
 * Sign-in. Works without JavaScript. A wrong email and a wrong password get the same message;
 * too many failures answer 429 with a Retry-After and say when to try again.
 */
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { safeRedirectPath } from "../auth/require.server.js";
import { attemptSignIn } from "../auth/sign-in.server.js";

export const meta: MetaFunction = () => [{ title: "Sign in · Stewardship Workspace" }];

/** A rate-limited answer tells the browser when to try again. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

const signInSchema = z.object({
  email: z.string().trim().min(1, "Enter your email address").max(254, "That email address is too long").email("Enter an email address like name@example.org"),
  password: z.string().min(1, "Enter your password").max(200, "That password is too long"),
  redirectTo: z.string().optional(),
});

type FieldErrors = Partial<Record<"email" | "password", string>>;
type ActionData = { formError?: string; fieldErrors?: FieldErrors; email?: string };

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (context.user) {
    throw redirect(safeRedirectPath(new URL(request.url).searchParams.get("redirectTo")));
  }
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = Object.fromEntries(await request.formData());
  const parsed = signInSchema.safeParse(form);
  const email = typeof form.email === "string" ? form.email.slice(0, 254) : "";
  if (!parsed.success) {
    const fieldErrors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === "email" || field === "password") && !fieldErrors[field]) fieldErrors[field] = issue.message;
    }
    return data<ActionData>({ fieldErrors, email }, { status: 400 });
  }
  const ip = context.clientIp ?? "unknown";
  const result = await attemptSignIn(context.services.db, { email: parsed.data.email, password: parsed.data.password, ip });
  if (!result.ok) {
    if (result.error === "RATE_LIMITED") {
      const minutes = Math.ceil(result.retryAfterSeconds / 60);
      return data<ActionData>(
        {
          formError: `Too many sign-in attempts. For your security, please wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again, or reset your password.`,
          email,
        },
        { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
      );
    }
    return data<ActionData>(
      { formError: "That email and password do not match an account. Check them and try again.", email },
      { status: 400 },
    );
  }
  const { setCookie } = await context.services.auth.signIn(result.userId, {
    ip,
    userAgent: request.headers.get("user-agent"),
  });
  return redirect(safeRedirectPath(parsed.data.redirectTo), { headers: { "Set-Cookie": setCookie } });
}

export default function Login() {
  const actionData = useActionData<ActionData>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const fieldErrors = actionData?.fieldErrors ?? {};
  const submitting = navigation.state === "submitting";
  return (
    <section className="panel narrow" aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">Sign in</h1>
      <p className="muted">For members of the Social Sector Commissioning Stewardship Group and the people who support it.</p>
      {searchParams.get("reset") === "1" && !actionData ? (
        <div className="alert alert--success" role="status">
          <p>Your password has been changed and every other device signed out. Sign in with your new password.</p>
        </div>
      ) : null}
      {actionData?.formError ? (
        <div className="alert alert--error" role="alert" id="form-error">
          <p>{actionData.formError}</p>
        </div>
      ) : null}
      <Form method="post" noValidate aria-describedby={actionData?.formError ? "form-error" : undefined}>
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
        <div className="field">
          <label htmlFor="email">Email address</label>
          <input
            id="email"
            name="email"
            type="email"
            autoComplete="username"
            required
            defaultValue={actionData?.email ?? ""}
            aria-invalid={fieldErrors.email ? true : undefined}
            aria-describedby={fieldErrors.email ? "email-error" : undefined}
          />
          {fieldErrors.email ? (
            <p className="field-error" id="email-error">
              {fieldErrors.email}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={fieldErrors.password ? true : undefined}
            aria-describedby={fieldErrors.password ? "password-error" : undefined}
          />
          {fieldErrors.password ? (
            <p className="field-error" id="password-error">
              {fieldErrors.password}
            </p>
          ) : null}
        </div>
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
