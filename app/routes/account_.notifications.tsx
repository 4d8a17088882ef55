/**
 * How the signed-in person wants notifications by email: each one as it happens, one daily
 * summary at 7 am New Zealand time, or none. Works without JavaScript.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "../http/require.server.js";
import { emailModeFor, emailModeLabels, emailModes, setEmailMode } from "../models/notification-preferences.server.js";

export const meta: MetaFunction = () => [{ title: "Notification emails · Stewardship Workspace" }];

type ActionData = { saved: boolean; formError: string | null };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = requireUser(request, context);
  const mode = await emailModeFor(context.services.db, user.id);
  return { mode, options: emailModes.map((value) => ({ value, label: emailModeLabels[value] })) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requireUser(request, context);
  const parsed = z.object({ emailMode: z.enum(emailModes) }).safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data<ActionData>({ saved: false, formError: "Choose how you want to be emailed" }, { status: 400 });
  await setEmailMode(context.services.db, user.id, parsed.data.emailMode);
  return data<ActionData>({ saved: true, formError: null });
}

export default function NotificationEmails() {
  const { mode, options } = useLoaderData<typeof loader>();
  const result = useActionData<ActionData>();
  return (
    <>
      <p className="muted">
        <Link to="/account">Your account</Link>
      </p>
      <h1>Notification emails</h1>
      {result?.saved ? (
        <div className="alert alert--success" role="status">
          Saved.
        </div>
      ) : result?.formError ? (
        <div className="alert alert--error" role="alert">
          {result.formError}
        </div>
      ) : null}
      <Form method="post">
        <fieldset>
          <legend>Email me about notifications</legend>
          {options.map((option) => (
            <div className="field" key={option.value}>
              <label>
                <input type="radio" name="emailMode" value={option.value} defaultChecked={option.value === mode} /> {option.label}
              </label>
            </div>
          ))}
        </fieldset>
        <button type="submit" className="button">
          Save
        </button>
      </Form>
    </>
  );
}
