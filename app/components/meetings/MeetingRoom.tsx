/**
 * Keeps a meeting page in step with the room: joins `meeting:<id>` over Socket.io
 * (server/socket.ts) and reloads the page's data whenever the chair moves the agenda, a decision
 * is recorded or attendance changes (`meeting:changed`), so everyone follows the chair and a late
 * joiner starts from the current state. Says when the live link is down, since the page then
 * stops following. Browser only: the client library loads after the page has rendered.
 */
import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { useSocket } from "../../realtime/use-socket.js";

type RoomState = "joining" | "live" | "offline" | "refused";

export function MeetingRoom({ meetingId, live }: { meetingId: string; live: boolean }) {
  const revalidator = useRevalidator();
  const [state, setState] = useState<RoomState>("joining");
  // The latest revalidator, without rejoining the room when the page re-renders.
  const revalidate = useRef(revalidator);
  revalidate.current = revalidator;
  // A change announced while a reload is already running: reload once more when it ends, so the
  // page never stays a step behind the chair.
  const [pending, setPending] = useState(false);
  useEffect(() => {
    if (pending && revalidator.state === "idle") {
      setPending(false);
      revalidator.revalidate();
    }
  }, [pending, revalidator]);

  useSocket(meetingId, (socket, isCurrent) => {
    const refresh = () => {
      if (revalidate.current.state === "idle") revalidate.current.revalidate();
      else setPending(true);
    };
    socket.on("connect", () => {
      socket.emit("meeting:join", { meetingId }, (ack) => {
        if (!isCurrent()) return;
        setState(ack.ok ? "live" : "refused");
        // Whatever happened while we were away: catch up now.
        if (ack.ok) refresh();
      });
    });
    socket.on("disconnect", () => {
      if (isCurrent()) setState("offline");
    });
    socket.on("meeting:changed", (payload) => {
      if (isCurrent() && payload.meetingId === meetingId) refresh();
    });
    return () => socket.emit("meeting:leave", { meetingId });
  });

  if (!live) return null;
  return (
    <p className={`meeting-room meeting-room--${state}`} role="status">
      {state === "live"
        ? "Live: this page follows the meeting as the chair moves through the agenda."
        : state === "offline"
          ? "Reconnecting… this page will catch up when the connection is back."
          : state === "refused"
            ? "This page cannot follow the meeting live; reload it to see the latest."
            : "Connecting to the meeting…"}
    </p>
  );
}
