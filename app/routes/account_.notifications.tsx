/**
 * How the signed-in person wants notifications by email: each one as it happens, one daily
 * summary at 7 am New Zealand time, or none. Works without JavaScript.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { ChoiceField, FormErrors, formProps, useAppForm } from "../components/forms/fields.js";
import { requireUser } from "../http/require.server.js";
import { invalidForm } from "../http/responses.server.js";
import { emailModeFor, emailModeLabels, emailModes, setEmailMode } from "../models/notification-preferences.server.js";
import { emailModeSchema } from "../notifications/schemas.js";

export const meta: MetaFunction = () => [{ title: "Notification emails · Stewardship Workspace" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = requireUser(request, context);
  const mode = await emailModeFor(context.services.db, user.id);
  return { mode, options: emailModes.map((value) => ({ value, label: emailModeLabels[value] })) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requireUser(request, context);
  const submission = parseWithZod(await request.formData(), { schema: emailModeSchema });
  if (submission.status !== "success") return invalidForm(submission);
  await setEmailMode(context.services.db, user.id, submission.value.emailMode);
  return submission.reply();
}

export default function NotificationEmails() {
  const { mode, options } = useLoaderData<typeof loader>();
  const lastResult = useActionData<SubmissionResult<string[]>>();
  const [form, fields] = useAppForm(emailModeSchema, { id: "email-mode", lastResult, defaultValue: { emailMode: mode } });
  return (
    <>
      <p className="muted">
        <Link to="/account">Your account</Link>
      </p>
      <h1>Notification emails</h1>
      {lastResult?.status === "success" ? (
        <div className="alert alert--success" role="status">
          Saved.
        </div>
      ) : null}
      <FormErrors form={form} />
      <Form method="post" {...formProps(form)}>
        <ChoiceField meta={fields.emailMode} type="radio" legend="Email me about notifications" options={options} />
        <button type="submit" className="button">
          Save
        </button>
      </Form>
    </>
  );
}
