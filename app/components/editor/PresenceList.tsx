/**
 * "Also here: …": who else has this document open, live, over Socket.io (`document:join`,
 * `document:presence`; the events are the realtime contract's, app/realtime/contract.ts). The
 * socket.io client is loaded only in the browser, after the page has rendered.
 */
import { useRef, useState } from "react";
import type { DocumentViewer } from "../../realtime/contract.js";
import { useSocket } from "../../realtime/use-socket.js";
import { userColour } from "./user-colour.js";

/** "offline": the person's own network is down; "unreachable": it is up but the server is not answering. */
type PresenceState = "joining" | "here" | "refused" | "offline" | "unreachable";

const lostConnection = (): PresenceState => (navigator.onLine ? "unreachable" : "offline");

export function PresenceList({
  documentId,
  selfUserId,
  onDocumentChanged,
}: {
  documentId: string;
  selfUserId: string;
  /**
   * Called on `comment:changed` (someone added, changed or resolved a comment) and
   * `consultation:changed` (a consultation opened or closed) for this document.
   */
  onDocumentChanged?: () => void;
}) {
  const [viewers, setViewers] = useState<DocumentViewer[]>([]);
  const [state, setState] = useState<PresenceState>("joining");
  // The latest callback, without rejoining the room when the parent re-renders.
  const documentChanged = useRef(onDocumentChanged);
  documentChanged.current = onDocumentChanged;

  useSocket(documentId, (socket, isCurrent) => {
    const join = () =>
      socket.emit("document:join", { documentId }, (ack) => {
        if (isCurrent()) setState(ack?.ok ? "here" : "refused");
      });
    socket.on("connect", join);
    socket.on("disconnect", () => {
      if (isCurrent()) setState(lostConnection());
    });
    socket.on("document:presence", (payload) => {
      if (isCurrent() && payload?.documentId === documentId && Array.isArray(payload.viewers)) setViewers(payload.viewers);
    });
    const changed = (payload: { documentId: string } | undefined) => {
      if (isCurrent() && payload?.documentId === documentId) documentChanged.current?.();
    };
    socket.on("comment:changed", changed);
    socket.on("consultation:changed", changed);
    // The browser knows about the network before the socket does: say so at once, and on the
    // way back rejoin now rather than at the next reconnection attempt.
    const wentOffline = () => setState("offline");
    const cameOnline = () => {
      if (socket.disconnected) socket.connect();
      else join();
    };
    window.addEventListener("offline", wentOffline);
    window.addEventListener("online", cameOnline);
    return () => {
      window.removeEventListener("offline", wentOffline);
      window.removeEventListener("online", cameOnline);
      socket.emit("document:leave", { documentId });
    };
  });

  const others = viewers.filter((viewer) => viewer.userId !== selfUserId);
  return (
    <div className="presence" aria-live="polite">
      {state === "refused" ? (
        <p className="muted">We could not show who else is here.</p>
      ) : state === "offline" ? (
        <p className="muted">You are offline, so we cannot show who else is here.</p>
      ) : state === "unreachable" ? (
        <p className="muted">Can&apos;t reach the server, so we cannot show who else is here.</p>
      ) : others.length === 0 ? (
        <p className="muted">{state === "joining" ? "Checking who else is here…" : "Nobody else has this document open."}</p>
      ) : (
        <p>
          <span className="presence__label">Also here:</span>{" "}
          <span className="presence__people">
            {others.map((viewer, index) => (
              <span key={viewer.userId} className="presence__person">
                <span className="presence__dot" aria-hidden="true" style={{ backgroundColor: userColour(viewer.userId) }} />
                {viewer.name}
                {viewer.organisation ? <span className="muted"> ({viewer.organisation})</span> : null}
                {index < others.length - 1 ? ", " : null}
              </span>
            ))}
          </span>
        </p>
      )}
    </div>
  );
}
