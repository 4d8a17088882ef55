/**
 * The unsubscribe link in every notification email. Works without signing in: the token in the
 * link (stored only as a hash) can do one thing, turn that person's notification email off.
 * GET only shows a confirm button, so a mail scanner following the link changes nothing; the
 * POST is subject to the same-site origin check like every form.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { formProps, useAppForm } from "../components/forms/fields.js";
import { notFound } from "../errors.js";
import { invariantResponse } from "../http/responses.server.js";
import { findUnsubscribeToken, unsubscribeWithToken } from "../models/notification-preferences.server.js";
import { unsubscribeSchema } from "../notifications/schemas.js";

export const meta: MetaFunction = () => [{ title: "Stop notification emails · Stewardship Workspace" }];

const invalidLink = () => notFound("This unsubscribe link is not valid.");

export async function loader({ context, params }: LoaderFunctionArgs) {
  const owner = await findUnsubscribeToken(context.services.db, params.token ?? "");
  invariantResponse(owner, invalidLink);
  return { email: owner.email };
}

// The confirm form has no fields (the link's token is the whole request), so its body is not read:
// a POST with no body at all is answered as the form's is.
export async function action({ context, params }: ActionFunctionArgs) {
  const done = await unsubscribeWithToken(context.services.db, params.token ?? "");
  invariantResponse(done, invalidLink);
  context.services.logger.info({ category: "notification", requestId: context.requestId }, "unsubscribed from notification email");
  return { unsubscribed: true };
}

export default function Unsubscribe() {
  const { email } = useLoaderData<typeof loader>();
  const result = useActionData<{ unsubscribed?: boolean }>();
  const [form] = useAppForm(unsubscribeSchema, { id: "unsubscribe" });
  return (
    <>
      <h1>Stop notification emails</h1>
      {result?.unsubscribed ? (
        <div className="alert alert--success" role="status">
          We will no longer email {email} about notifications. You can still see them in the notification centre, and
          turn emails back on from <Link to="/account/notifications">your account</Link>.
        </div>
      ) : (
        <>
          <p>Stop sending notification emails to {email}?</p>
          <Form method="post" {...formProps(form)}>
            <button type="submit" className="button">
              Stop notification emails
            </button>
          </Form>
        </>
      )}
    </>
  );
}
