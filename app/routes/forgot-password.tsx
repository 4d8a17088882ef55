/**
 * Asking for a password reset link. The answer is the same whether or not an account uses the
 * email (a redirect to the "we have sent a link" notice), so the page cannot be used to find out
 * who has an account. The email is sent after the answer, so its timing gives nothing away either.
 * Works without JavaScript.
 */
import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { requestPasswordReset } from "../auth/password-reset.server.js";

export const meta: MetaFunction = () => [{ title: "Forgotten your password? · Stewardship Workspace" }];

const forgotPasswordSchema = z.object({
  email: z
    .string({ error: "Enter your email address" })
    .trim()
    .min(1, "Enter your email address")
    .max(254, "That email address is too long")
    .email("Enter an email address like name@example.org"),
});

type ActionData = { fieldErrors?: { email?: string }; email?: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const { db, mailer, config, logger } = context.services;
  const form = Object.fromEntries(await request.formData());
  const email = typeof form.email === "string" ? form.email.slice(0, 254) : "";
  const parsed = forgotPasswordSchema.safeParse(form);
  if (!parsed.success) {
    return data<ActionData>({ fieldErrors: { email: parsed.error.issues[0]?.message }, email }, { status: 400 });
  }
  const message = await requestPasswordReset(
    db,
    { email: parsed.data.email, publicUrl: config.publicUrl },
    { ip: context.clientIp },
  );
  if (message) {
    const requestId = context.requestId;
    void mailer.send(message).catch((error: unknown) => {
      logger.error({ category: "email", requestId, err: error }, "password reset email failed");
    });
  }
  return redirect("/forgot-password?sent=1");
}

export default function ForgotPassword() {
  const actionData = useActionData<ActionData>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const emailError = actionData?.fieldErrors?.email;
  const sent = searchParams.get("sent") === "1" && !actionData;

  return (
    <section className="panel narrow" aria-labelledby="forgot-heading">
      <h1 id="forgot-heading">Forgotten your password?</h1>
      {sent ? (
        <>
          <div className="alert alert--success" role="status">
            <p>If an account uses that email, we have sent a link to choose a new password.</p>
          </div>
          <p>
            The link works once, for one hour. If the email has not arrived in a few minutes, check your junk mail
            folder, or <Link to="/forgot-password">ask for another link</Link>.
          </p>
          <p>
            <Link to="/login">Back to sign in</Link>
          </p>
        </>
      ) : (
        <>
          <p>Enter the email address you sign in with. We will email you a link to choose a new password.</p>
          <Form method="post" noValidate>
            <div className="field">
              <label htmlFor="email">Email address</label>
              <input
                id="email"
                name="email"
                type="email"
                autoComplete="username"
                required
                defaultValue={actionData?.email ?? ""}
                aria-invalid={emailError ? true : undefined}
                aria-describedby={emailError ? "email-error" : undefined}
              />
              {emailError ? (
                <p className="field-error" id="email-error">
                  {emailError}
                </p>
              ) : null}
            </div>
            <button type="submit" className="button" disabled={submitting}>
              {submitting ? "Sending…" : "Send me a link"}
            </button>
          </Form>
          <p>
            <Link to="/login">Back to sign in</Link>
          </p>
        </>
      )}
    </section>
  );
}
