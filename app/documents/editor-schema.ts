/**
 * The editor's schema: the node and mark types a document may hold, shared by the browser editor
 * and the server's rendering (render-html.server.ts renders with this very schema, so the HTML of
 * versions and exports is what the editor shows). Every type here must also be one content.ts
 * renders as text (search). Undo is left to the Collaboration extension (Yjs' own undo manager),
 * so StarterKit's is off.
 */
import type { Extensions } from "@tiptap/core";
import { TableKit } from "@tiptap/extension-table";
import StarterKit from "@tiptap/starter-kit";

export function documentEditorExtensions(): Extensions {
  return [
    StarterKit.configure({
      undoRedo: false,
      heading: { levels: [1, 2, 3, 4] },
      link: {
        openOnClick: false,
        // Autolinking would also make links "inclusive": text typed after a link would join it.
        autolink: false,
        protocols: ["mailto"],
        HTMLAttributes: { rel: "noopener noreferrer nofollow", target: null },
      },
    }),
    TableKit.configure({ table: { resizable: false } }),
  ];
}
