/**
 * A collaborative document as HTML (versions, exports, the page shown before the editor loads),
 * rendered by TipTap's own schema and ProseMirror's serializer from the Yjs tree (the editor's
 * schema, editor-schema.ts), so it is the HTML the editor itself would produce: every text and
 * attribute escaped by the DOM, links only with the protocols the editor allows.
 *
 * Server only: it serialises into one happy-dom document kept for the process (a new DOM for each
 * rendering, as `@tiptap/html`'s `generateHTML` makes, costs a few milliseconds more each time).
 * The collaboration endpoint renders in its own thread (server/collab/render-thread.ts) so a long
 * document never holds up the relay of keystrokes.
 */
import { getSchema } from "@tiptap/core";
import { DOMSerializer, type Schema } from "@tiptap/pm/model";
import { yXmlFragmentToProseMirrorRootNode } from "@tiptap/y-tiptap";
import { Window } from "happy-dom";
import type * as Y from "yjs";
import { COLLAB_FIELD } from "./content.js";
import { documentEditorExtensions } from "./editor-schema.js";

let renderer: { schema: Schema; serializer: DOMSerializer; document: Document } | undefined;

function getRenderer() {
  if (!renderer) {
    const schema = getSchema(documentEditorExtensions());
    const window = new Window({
      settings: {
        disableJavaScriptEvaluation: true,
        disableJavaScriptFileLoading: true,
        disableCSSFileLoading: true,
        disableIframePageLoading: true,
        disableComputedStyleRendering: true,
      },
    });
    renderer = { schema, serializer: DOMSerializer.fromSchema(schema), document: window.document as unknown as Document };
  }
  return renderer;
}

/** The document's HTML, as the editor renders it. */
export function renderHtml(doc: Y.Doc): string {
  const { schema, serializer, document } = getRenderer();
  const root = yXmlFragmentToProseMirrorRootNode(doc.getXmlFragment(COLLAB_FIELD), schema);
  const wrap = document.createElement("div");
  serializer.serializeFragment(root.content, { document }, wrap);
  return wrap.innerHTML;
}
