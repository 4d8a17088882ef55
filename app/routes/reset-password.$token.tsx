/**
 * Choosing a new password from a reset link. On success every session the account has is ended
 * and the person goes to the sign-in page (`/login?reset=1`). Used and expired links answer 410
 * with a way to ask for a new one. Works without JavaScript.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { type PasswordResetLinkState, passwordResetLinkState, resetPassword } from "../models/password-reset.server.js";
import { passwordFields, resetPasswordSchema } from "../auth/schemas.js";
import { NewPasswordFields } from "../components/auth/NewPasswordFields.js";
import { UnusableLink, type UnusableLinkMessage } from "../components/auth/UnusableLink.js";
import { formProps, useAppForm } from "../components/forms/fields.js";
import { invalidForm } from "../http/responses.server.js";

export const meta: MetaFunction = () => [{ title: "Choose a new password · Stewardship Workspace" }];

type LinkState = { linkState: PasswordResetLinkState };

const statusOf = (state: PasswordResetLinkState) => (state === "valid" ? 200 : state === "not_found" ? 404 : 410);

export async function loader({ params, context }: LoaderFunctionArgs) {
  const linkState = await passwordResetLinkState(context.services.db, params.token);
  return data<LinkState>({ linkState }, { status: statusOf(linkState) });
}

const linkStateOf = {
  RESET_LINK_EXPIRED: "expired",
  RESET_LINK_USED: "used",
  RESET_LINK_NOT_FOUND: "not_found",
} as const;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { db, auth } = context.services;
  const submission = parseWithZod(await request.formData(), { schema: resetPasswordSchema });
  if (submission.status !== "success") return invalidForm(submission, { hideFields: passwordFields });
  const result = await resetPassword(
    db,
    auth,
    { token: params.token ?? "", password: submission.value.password },
    { ip: context.clientIp },
  );
  if (!result.ok) {
    // The link, not the form, is the problem: the page says so, as when it is opened.
    const linkState = linkStateOf[result.error];
    return data<LinkState>({ linkState }, { status: statusOf(linkState) });
  }
  await context.services.accessChanged({ userId: result.userId });
  return redirect("/login?reset=1");
}

const linkMessages: Record<Exclude<PasswordResetLinkState, "valid">, UnusableLinkMessage> = {
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
  const loaded = useLoaderData<LinkState>();
  // The action answers with the link's state when the link is the problem, else the form's reply.
  const actionData = useActionData<LinkState | SubmissionResult<string[]>>();
  const linkState = actionData && "linkState" in actionData ? actionData.linkState : loaded.linkState;

  if (linkState !== "valid") {
    return <UnusableLink message={linkMessages[linkState]} next={{ to: "/forgot-password", label: "Ask for a new link", button: true }} />;
  }
  return <NewPasswordForm lastResult={actionData} />;
}

function NewPasswordForm({ lastResult }: { lastResult: unknown }) {
  const navigation = useNavigation();
  const [form, fields] = useAppForm(resetPasswordSchema, { id: "reset-password", lastResult });
  const submitting = navigation.state === "submitting";
  return (
    <section className="panel narrow" aria-labelledby="reset-heading">
      <h1 id="reset-heading">Choose a new password</h1>
      <p>Once you have chosen it, you will be signed out everywhere and can sign in again with the new password.</p>
      <Form method="post" {...formProps(form)}>
        <NewPasswordFields
          password={fields.password}
          confirmPassword={fields.confirmPassword}
          labels={{ password: "New password", confirmPassword: "Type the new password again" }}
          advice="A few words you will remember works well."
        />
        <button type="submit" className="button" disabled={submitting}>
          {submitting ? "Saving…" : "Save new password"}
        </button>
      </Form>
    </section>
  );
}
