/**
 * The header's link to the notification centre with the unread count, kept up to date live: the
 * server pushes a `notification` event (with the new unread count) to every tab the person has
 * open (see app/models/notifications.server.ts), typed by the realtime contract
 * (app/realtime/contract.ts). The socket.io client is loaded only in the browser, after the page
 * has rendered; without it the count is as the page was loaded. A new notification also shows
 * (and is announced, politely) in a small status box at the foot of the screen until it is opened
 * or dismissed.
 */
import { Link } from "@remix-run/react";
import { useEffect, useState } from "react";
import { useSocket } from "../../realtime/use-socket.js";

export function NotificationsLink({ unreadCount }: { unreadCount: number }) {
  const [count, setCount] = useState(unreadCount);
  const [latest, setLatest] = useState<{ id: string; title: string } | null>(null);
  // A new page load (e.g. after "Mark all as read") knows better than the last event.
  useEffect(() => setCount(unreadCount), [unreadCount]);

  useSocket("notifications", (socket) => {
    socket.on("notification", (payload) => {
      // The server is trusted, but a count is only ever shown when it is one.
      if (Number.isInteger(payload?.unreadCount)) setCount(payload.unreadCount);
      if (typeof payload?.id === "string" && typeof payload.title === "string") setLatest({ id: payload.id, title: payload.title });
    });
  });

  const label = count > 0 ? `Notifications (${count} unread)` : "Notifications";
  return (
    <>
      <Link to="/notifications" className="notifications-link" aria-label={label} data-unread-count={count}>
        Notifications
        {count > 0 ? (
          <span className="notifications-link__badge" aria-hidden="true">
            {count}
          </span>
        ) : null}
      </Link>
      {/* Always there, so a screen reader hears what arrives in it. */}
      <div className="notification-toast" role="status" hidden={!latest}>
        {latest ? (
          <>
            <p>
              <Link to={`/notifications/${encodeURIComponent(latest.id)}`} onClick={() => setLatest(null)}>
                {latest.title}
              </Link>
            </p>
            <button type="button" className="button button--secondary" onClick={() => setLatest(null)}>
              Dismiss<span className="visually-hidden"> the notification</span>
            </button>
          </>
        ) : null}
      </div>
    </>
  );
}
