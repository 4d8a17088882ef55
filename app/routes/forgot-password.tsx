/**
 * Asking for a password reset link. The answer is the same whether or not an account uses the
 * email (a redirect to the "we have sent a link" notice), so the page cannot be used to find out
 * who has an account. The email is queued, not sent while the person waits, so its timing gives
 * nothing away either.
 * Works without JavaScript.
 */
import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { requestPasswordReset } from "../models/password-reset.server.js";
import { forgotPasswordSchema } from "../auth/schemas.js";
import { TextField, formProps, useAppForm } from "../components/forms/fields.js";
import { invalidForm } from "../http/responses.server.js";
import { SuccessNotice } from "../components/SuccessNotice.js";

export const meta: MetaFunction = () => [{ title: "Forgotten your password? · Stewardship Workspace" }];

export async function action({ request, context }: ActionFunctionArgs) {
  const { db, jobs, config } = context.services;
  const submission = parseWithZod(await request.formData(), { schema: forgotPasswordSchema });
  if (submission.status !== "success") return invalidForm(submission);
  await requestPasswordReset(db, { outbox: jobs, publicUrl: config.publicUrl }, { email: submission.value.email }, { ip: context.clientIp });
  return redirect("/forgot-password?sent=1");
}

export default function ForgotPassword() {
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const [form, fields] = useAppForm(forgotPasswordSchema, { id: "forgot-password", lastResult });
  const submitting = navigation.state === "submitting";
  const sent = searchParams.get("sent") === "1" && !lastResult;

  return (
    <section className="panel narrow" aria-labelledby="forgot-heading">
      <h1 id="forgot-heading">Forgotten your password?</h1>
      {sent ? (
        <>
          <SuccessNotice>If an account uses that email, we have sent a link to choose a new password.</SuccessNotice>
          <p>
            The link works once, for one hour. If the email has not arrived in a few minutes, check your junk mail
            folder, or <Link to="/forgot-password">ask for another link</Link>.
          </p>
        </>
      ) : (
        <>
          <p>Enter the email address you sign in with. We will email you a link to choose a new password.</p>
          <Form method="post" {...formProps(form)}>
            <TextField meta={fields.email} label="Email address" type="email" autoComplete="username" />
            <button type="submit" className="button" disabled={submitting}>
              {submitting ? "Sending…" : "Send me a link"}
            </button>
          </Form>
        </>
      )}
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </section>
  );
}
