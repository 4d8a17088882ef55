/**
 * Comment anchors in the editor: making one from the selection, and highlighting every open
 * thread's words. Anchors are Yjs relative positions into the "default" XmlFragment, so the
 * highlights follow the words through everyone's edits; they are mapped back to ProseMirror
 * positions on every transaction (y-prosemirror's binding holds the mapping between the two).
 */
import { Extension } from "@tiptap/core";
import { type EditorState, Plugin, PluginKey } from "@tiptap/pm/state";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from "@tiptap/y-tiptap";
import * as Y from "yjs";
import { base64ToBytes, bytesToBase64 } from "../../documents/comment-anchors.js";

/** An open thread's anchor as the loader sends it (base64 relative positions). */
export interface HighlightAnchor {
  threadId: string;
  anchorStart: string;
  anchorEnd: string;
}

interface SyncState {
  doc: Y.Doc;
  type: Y.XmlFragment;
  binding: { mapping: Parameters<typeof relativePositionToAbsolutePosition>[3] } | null;
}

function syncState(state: EditorState): SyncState | null {
  const sync = ySyncPluginKey.getState(state) as SyncState | undefined;
  return sync?.binding && sync.type ? sync : null;
}

/**
 * An anchor for the selection `from`–`to`: the start held by the range's first character and the
 * end by its last, so words typed just outside the range stay outside it. Null before the editor
 * is bound to the Y.Doc.
 */
export function anchorForSelection(state: EditorState, from: number, to: number): { anchorStart: string; anchorEnd: string } | null {
  const sync = syncState(state);
  if (!sync?.binding || from >= to) return null;
  const mapping = sync.binding.mapping;
  const startLeft = absolutePositionToRelativePosition(from, sync.type, mapping) as Y.RelativePosition;
  const end = absolutePositionToRelativePosition(to, sync.type, mapping) as Y.RelativePosition;
  // y-prosemirror associates a position with the character on its left; the start should hold on
  // to the character on its right (the first selected one).
  const absoluteStart = Y.createAbsolutePositionFromRelativePosition(startLeft, sync.type.doc!);
  const start = absoluteStart ? Y.createRelativePositionFromTypeIndex(absoluteStart.type, absoluteStart.index, 0) : startLeft;
  return {
    anchorStart: bytesToBase64(Y.encodeRelativePosition(start)),
    anchorEnd: bytesToBase64(Y.encodeRelativePosition(end)),
  };
}

const highlightsKey = new PluginKey<{ anchors: HighlightAnchor[]; decorations: DecorationSet }>("commentHighlights");

function decorationsFor(state: EditorState, anchors: HighlightAnchor[]): DecorationSet {
  const sync = syncState(state);
  if (!sync?.binding || anchors.length === 0) return DecorationSet.empty;
  const ydoc = sync.type.doc;
  if (!ydoc) return DecorationSet.empty;
  const decorations: Decoration[] = [];
  for (const anchor of anchors) {
    try {
      const startBytes = base64ToBytes(anchor.anchorStart);
      const endBytes = base64ToBytes(anchor.anchorEnd);
      if (!startBytes || !endBytes) continue;
      const from = relativePositionToAbsolutePosition(ydoc, sync.type, Y.decodeRelativePosition(startBytes), sync.binding.mapping);
      const to = relativePositionToAbsolutePosition(ydoc, sync.type, Y.decodeRelativePosition(endBytes), sync.binding.mapping);
      if (from === null || to === null || from >= to || to > state.doc.content.size) continue;
      decorations.push(
        Decoration.inline(from, to, { class: "comment-highlight", "data-thread-id": anchor.threadId }, { inclusiveStart: false, inclusiveEnd: false }),
      );
    } catch {
      // The binding's mapping is rebuilt while a remote change is applied; the next transaction draws it.
    }
  }
  return DecorationSet.create(state.doc, decorations);
}

/** Sets the anchors to highlight (call when the threads change). */
export function setHighlightAnchors(view: { state: EditorState; dispatch: (tr: EditorState["tr"]) => void }, anchors: HighlightAnchor[]) {
  view.dispatch(view.state.tr.setMeta(highlightsKey, anchors));
}

/** TipTap extension: highlights the anchors given to `setHighlightAnchors`, recomputed on every transaction. */
export const CommentHighlights = Extension.create({
  name: "commentHighlights",
  addProseMirrorPlugins() {
    return [
      new Plugin({
        key: highlightsKey,
        state: {
          init: () => ({ anchors: [] as HighlightAnchor[], decorations: DecorationSet.empty }),
          apply(tr, previous, _oldState, newState) {
            const anchors = (tr.getMeta(highlightsKey) as HighlightAnchor[] | undefined) ?? previous.anchors;
            return { anchors, decorations: decorationsFor(newState, anchors) };
          },
        },
        props: {
          decorations: (state) => highlightsKey.getState(state)?.decorations ?? DecorationSet.empty,
        },
      }),
    ];
  },
});
