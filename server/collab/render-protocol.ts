/** The messages between the server and its rendering thread (render-thread.ts, render-worker.ts). */

/** A document's state to render: a Yjs update holding the whole state (transferred, not copied). */
export interface RenderRequest {
  id: number;
  state: Uint8Array;
}

export type RenderReply = { id: number; html: string; text: string } | { id: number; error: string };
