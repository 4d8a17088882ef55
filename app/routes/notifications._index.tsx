/**
 * The notification centre: the signed-in person's notifications, newest first, unread ones marked.
 * Each opens through /notifications/<id>, which marks it read; "Mark all as read" clears the count.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "../http/require.server.js";
import { listNotifications, markAllRead } from "../models/notifications.server.js";
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
  const form = await request.formData();
  if (form.get("intent") !== "mark-all-read") {
    return data({ formError: "That action is not recognised. Reload the page and try again." }, { status: 400 });
  }
  await markAllRead(context.services.db, user.id);
  return redirect("/notifications");
}

export default function Notifications() {
  const { notifications } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
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
            <Form method="post">
              <input type="hidden" name="intent" value="mark-all-read" />
              <button type="submit" className="button button--secondary" disabled={navigation.state === "submitting"}>
                Mark all as read
              </button>
            </Form>
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
