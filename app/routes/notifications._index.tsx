/**
 * The notification centre: the signed-in person's notifications, newest first, unread ones marked.
 * Each opens through /notifications/<id>, which marks it read; "Mark all as read" clears the count.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { IntentInput, formProps, useAppForm } from "../components/forms/fields.js";
import { requireUser } from "../http/require.server.js";
import { afterChange, invalidForm } from "../http/responses.server.js";
import { listNotifications, markAllRead } from "../models/notifications.server.js";
import { markAllReadSchema } from "../notifications/schemas.js";
import { formatNzDateTime } from "../utils/dates.js";

export const meta: MetaFunction = () => [{ title: "Notifications · Stewardship Workspace" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = requireUser(request, context);
  const notifications = await listNotifications(context.services.db, user.id);
  return {
    notifications: notifications.map((notification) => ({
      id: notification.id,
      title: notification.title,
      body: notification.body,
      createdAt: notification.created_at.toISOString(),
      when: formatNzDateTime(notification.created_at),
      unread: notification.read_at === null,
    })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requireUser(request, context);
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: markAllReadSchema });
  if (submission.status !== "success") return invalidForm(submission);
  await markAllRead(context.services.db, user.id);
  return afterChange(request, formData, "/notifications");
}

export default function Notifications() {
  const { notifications } = useLoaderData<typeof loader>();
  const unread = notifications.filter((notification) => notification.unread).length;
  return (
    <>
      <h1>Notifications</h1>
      {notifications.length === 0 ? (
        <div className="panel">
          <p>You have no notifications yet. When something needs you, such as a document to approve, it appears here.</p>
        </div>
      ) : (
        <>
          <p>{unread === 0 ? "You have read them all." : `${unread} unread.`}</p>
          {unread > 0 ? (
            <MarkAllReadForm />
          ) : null}
          <ul className="list-plain panel notification-list" aria-label="Your notifications">
            {notifications.map((notification) => (
              <li key={notification.id} className={notification.unread ? "notification notification--unread" : "notification"}>
                <h2 className="h3">
                  {notification.unread ? <span className="tag notification__unread">Unread</span> : null}{" "}
                  <Link to={`/notifications/${notification.id}`}>{notification.title}</Link>
                </h2>
                <p>{notification.body}</p>
                <p className="muted">
                  <time dateTime={notification.createdAt}>{notification.when}</time>
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function MarkAllReadForm() {
  const submitting = useNavigation().state === "submitting";
  const [form] = useAppForm(markAllReadSchema, { id: "mark-all-read" });
  return (
    <Form method="post" {...formProps(form)}>
      <IntentInput value="mark-all-read" />
      <button type="submit" className="button button--secondary" disabled={submitting}>
        Mark all as read
      </button>
    </Form>
  );
}
