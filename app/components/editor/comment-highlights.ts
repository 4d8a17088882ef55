/**
 * Comment anchors in the editor: making one from the selection, and highlighting every open
 * thread's words. Anchors are Yjs relative positions into the "default" XmlFragment, so the
 * highlights follow the words through everyone's edits; they are mapped back to ProseMirror
 * positions on every transaction (y-prosemirror's binding holds the mapping between the two).
 * When a thread's positions no longer cover its words (the paragraph holding them became a list
 * item or a heading, and ProseMirror replaced it), its words are found again by their quote and
 * context (`resolveThreadAnchor`, the server's resolution too), highlighted there, and the new
 * positions handed to `onReanchor` for the server to store.
 */
import { Extension } from "@tiptap/core";
import { type EditorState, Plugin, PluginKey } from "@tiptap/pm/state";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from "@tiptap/y-tiptap";
import * as Y from "yjs";
import { anchorAtOffsets, base64ToBytes, bytesToBase64, offsetOfPosition, resolveThreadAnchor } from "../../documents/comment-anchors.js";
import { COMMENT_QUOTE_MAX } from "../../documents/limits.js";
import { type PlainText, plainTextOf } from "../../documents/plain-text.js";
import { quoteSelectorAt } from "../../documents/quote-selector.js";

/** An open thread's anchor as the loader sends it (base64 relative positions and the quote selector). */
export interface HighlightAnchor {
  threadId: string;
  anchorStart: string;
  anchorEnd: string;
  quote: string;
  quotePrefix: string | null;
  quoteSuffix: string | null;
  quotePosition: number | null;
}

/** A thread whose words were found again elsewhere: its new positions, base64. */
export interface Reanchor {
  threadId: string;
  anchorStart: string;
  anchorEnd: string;
}

/** The words a new comment is about: their anchor, their exact text and its context in the plain text. */
export interface CommentTarget {
  anchorStart: string;
  anchorEnd: string;
  quote: string;
  quotePosition: number;
  quotePrefix: string;
  quoteSuffix: string;
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
 * The comment target for the selection `from`–`to`, in the document's plain text: whitespace at
 * either end left out, at most COMMENT_QUOTE_MAX characters, the start held by the first
 * character and the end by the last, so words typed just outside the range stay outside it. Null
 * before the editor is bound to the Y.Doc, or when the selection holds no words.
 */
export function commentTargetForSelection(state: EditorState, from: number, to: number): CommentTarget | null {
  const sync = syncState(state);
  if (!sync?.binding || from >= to) return null;
  const ydoc = sync.type.doc;
  if (!ydoc) return null;
  const mapping = sync.binding.mapping;
  const plain = plainTextOf(sync.type);
  const start = offsetOfPosition(ydoc, plain, absolutePositionToRelativePosition(from, sync.type, mapping) as Y.RelativePosition);
  const end = offsetOfPosition(ydoc, plain, absolutePositionToRelativePosition(to, sync.type, mapping) as Y.RelativePosition);
  if (start === null || end === null) return null;
  let first = start;
  let last = Math.min(end, first + COMMENT_QUOTE_MAX);
  while (first < last && /\s/.test(plain.text.charAt(first))) first++;
  last = Math.min(end, first + COMMENT_QUOTE_MAX);
  while (last > first && /\s/.test(plain.text.charAt(last - 1))) last--;
  const anchor = anchorAtOffsets(plain, first, last);
  if (!anchor) return null;
  const selector = quoteSelectorAt(plain.text, first, last);
  return {
    anchorStart: bytesToBase64(anchor.anchorStart),
    anchorEnd: bytesToBase64(anchor.anchorEnd),
    quote: selector.exact,
    quotePosition: first,
    quotePrefix: selector.prefix ?? "",
    quoteSuffix: selector.suffix ?? "",
  };
}

interface HighlightState {
  anchors: HighlightAnchor[];
  decorations: DecorationSet;
  /** The threads found again elsewhere in this state, by thread id. */
  moved: Reanchor[];
}

const highlightsKey = new PluginKey<HighlightState>("commentHighlights");

function highlightsFor(state: EditorState, anchors: HighlightAnchor[]): Pick<HighlightState, "decorations" | "moved"> {
  const none = { decorations: DecorationSet.empty, moved: [] };
  const sync = syncState(state);
  if (!sync?.binding || anchors.length === 0) return none;
  const ydoc = sync.type.doc;
  if (!ydoc) return none;
  let plain: PlainText | null = null;
  const decorations: Decoration[] = [];
  const moved: Reanchor[] = [];
  for (const anchor of anchors) {
    try {
      const startBytes = base64ToBytes(anchor.anchorStart);
      const endBytes = base64ToBytes(anchor.anchorEnd);
      if (!startBytes || !endBytes) continue;
      plain ??= plainTextOf(sync.type);
      const found = resolveThreadAnchor(
        ydoc,
        {
          anchorStart: startBytes,
          anchorEnd: endBytes,
          selector: { exact: anchor.quote, prefix: anchor.quotePrefix, suffix: anchor.quoteSuffix, position: anchor.quotePosition },
        },
        plain,
      );
      if (found.state === "deleted") continue;
      const [fromBytes, toBytes] = found.state === "moved" ? [found.anchor.anchorStart, found.anchor.anchorEnd] : [startBytes, endBytes];
      if (found.state === "moved") {
        moved.push({ threadId: anchor.threadId, anchorStart: bytesToBase64(fromBytes), anchorEnd: bytesToBase64(toBytes) });
      }
      const from = relativePositionToAbsolutePosition(ydoc, sync.type, Y.decodeRelativePosition(fromBytes), sync.binding.mapping);
      const to = relativePositionToAbsolutePosition(ydoc, sync.type, Y.decodeRelativePosition(toBytes), sync.binding.mapping);
      if (from === null || to === null || from >= to || to > state.doc.content.size) continue;
      decorations.push(
        Decoration.inline(from, to, { class: "comment-highlight", "data-thread-id": anchor.threadId }, { inclusiveStart: false, inclusiveEnd: false }),
      );
    } catch {
      // The binding's mapping is rebuilt while a remote change is applied; the next transaction draws it.
    }
  }
  return { decorations: DecorationSet.create(state.doc, decorations), moved };
}

/** Sets the anchors to highlight (call when the threads change). */
export function setHighlightAnchors(view: { state: EditorState; dispatch: (tr: EditorState["tr"]) => void }, anchors: HighlightAnchor[]) {
  view.dispatch(view.state.tr.setMeta(highlightsKey, anchors));
}

export interface CommentHighlightsOptions {
  /** Called after a change with the threads whose words were found again elsewhere (empty calls are not made). */
  onReanchor: ((moved: Reanchor[]) => void) | null;
}

/** TipTap extension: highlights the anchors given to `setHighlightAnchors`, recomputed on every transaction. */
export const CommentHighlights = Extension.create<CommentHighlightsOptions>({
  name: "commentHighlights",
  addOptions() {
    return { onReanchor: null };
  },
  addProseMirrorPlugins() {
    const onReanchor = this.options.onReanchor;
    return [
      new Plugin<HighlightState>({
        key: highlightsKey,
        state: {
          init: () => ({ anchors: [] as HighlightAnchor[], decorations: DecorationSet.empty, moved: [] }),
          apply(tr, previous, _oldState, newState) {
            const anchors = (tr.getMeta(highlightsKey) as HighlightAnchor[] | undefined) ?? previous.anchors;
            return { anchors, ...highlightsFor(newState, anchors) };
          },
        },
        view: () => {
          let destroyed = false;
          return {
            update(view, previousState) {
              const current = highlightsKey.getState(view.state);
              if (!current) return;
              // The state was worked out before y-prosemirror wrote this change into the Y.Doc (it
              // does so in its own view update, which has run by now): work it out again.
              if (view.state.doc !== previousState.doc && current.anchors.length > 0) {
                queueMicrotask(() => {
                  const anchors = highlightsKey.getState(view.state)?.anchors;
                  if (!destroyed && anchors) view.dispatch(view.state.tr.setMeta(highlightsKey, anchors));
                });
              }
              if (onReanchor && current !== highlightsKey.getState(previousState) && current.moved.length > 0) onReanchor(current.moved);
            },
            destroy() {
              destroyed = true;
            },
          };
        },
        props: {
          decorations: (state) => highlightsKey.getState(state)?.decorations ?? DecorationSet.empty,
        },
      }),
    ];
  },
});
