/**
 * The rendering thread: turns a collaborative document's state into the HTML and text kept in
 * `documents.content_html` / `content_text` (app/documents/render-html.server.ts and content.ts),
 * away from the thread that relays keystrokes. One request at a time, in order.
 */
import { parentPort } from "node:worker_threads";
import * as Y from "yjs";
import { renderText } from "../../app/documents/content.js";
import { renderHtml } from "../../app/documents/render-html.server.js";
import type { RenderReply, RenderRequest } from "./render-protocol.js";

parentPort!.on("message", ({ id, state }: RenderRequest) => {
  const doc = new Y.Doc();
  let reply: RenderReply;
  try {
    Y.applyUpdate(doc, state);
    reply = { id, html: renderHtml(doc), text: renderText(doc) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  } finally {
    doc.destroy();
  }
  parentPort!.postMessage(reply);
});
