/**
 * Live tallies: joins `proposal:<id>` over Socket.io (server/socket.ts) and reloads the page's data
 * whenever someone takes part or the proposal changes (`proposal:changed`, which carries no choice;
 * the loader shows only what the policy allows). Browser only; without it the page still works.
 */
import { useRevalidator } from "@remix-run/react";
import { useRef, useState } from "react";
import { useSocket } from "../../realtime/use-socket.js";

export function ProposalRoom({ proposalId }: { proposalId: string }) {
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator);
  revalidate.current = revalidator;
  const [live, setLive] = useState(false);
  useSocket(proposalId, (socket, isCurrent) => {
    const refresh = () => {
      if (revalidate.current.state === "idle") revalidate.current.revalidate();
    };
    socket.on("connect", () => {
      socket.emit("proposal:join", { proposalId }, (ack) => {
        if (!isCurrent()) return;
        setLive(ack.ok);
        if (ack.ok) refresh();
      });
    });
    socket.on("disconnect", () => {
      if (isCurrent()) setLive(false);
    });
    socket.on("proposal:changed", (payload) => {
      if (isCurrent() && payload.proposalId === proposalId) refresh();
    });
    return () => {
      socket.emit("proposal:leave", { proposalId });
    };
  });
  return (
    <p className="hint" aria-live="polite">
      {live ? "Counts update as people take part." : "Reload the page to see the latest counts."}
    </p>
  );
}
