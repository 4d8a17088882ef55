/**
 * The components' one way to use the server's Socket.io: connects while the component is mounted
 * (after the page has rendered, through `connectSocket`), and again whenever `key` changes (the
 * document or meeting it follows), disconnecting the last connection first.
 */
import { useEffect, useRef } from "react";
import { type AppSocket, connectSocket } from "./socket-client.js";

/**
 * `setUp` is given the new socket and `isCurrent` (false once the component has gone or `key`
 * has changed, so late events change nothing), and may return what to do before the socket is
 * disconnected (leave a room, remove a listener).
 */
export function useSocket(key: string, setUp: (socket: AppSocket, isCurrent: () => boolean) => (() => void) | void): void {
  // The latest set-up, without reconnecting when the component re-renders.
  const latestSetUp = useRef(setUp);
  latestSetUp.current = setUp;

  useEffect(() => {
    let cancelled = false;
    let disconnect = () => {};
    void connectSocket().then((socket) => {
      if (cancelled) {
        socket.disconnect();
        return;
      }
      const beforeDisconnect = latestSetUp.current(socket, () => !cancelled);
      disconnect = () => {
        beforeDisconnect?.();
        socket.disconnect();
      };
    });
    return () => {
      cancelled = true;
      disconnect();
    };
  }, [key]);
}
