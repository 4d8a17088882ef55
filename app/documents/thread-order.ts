/**
 * The order the comments panel lists threads in: where their words are in the document, first
 * to last (by the anchor's start, then its end), so reading the panel follows reading the text.
 * Threads whose words were deleted have no place in the text and come last, in the order given.
 */
import type * as Y from "yjs";
import { base64ToBytes, resolveAnchor } from "./comment-anchors.js";

/** The threads sorted by their anchors' resolved positions in `doc`; the sort is stable. */
export function threadsInDocumentOrder<T extends { anchorStart: string; anchorEnd: string }>(doc: Y.Doc, threads: readonly T[]): T[] {
  const placed = threads.map((thread, index) => {
    const start = base64ToBytes(thread.anchorStart);
    const end = base64ToBytes(thread.anchorEnd);
    return { thread, index, anchor: start && end ? resolveAnchor(doc, start, end) : null };
  });
  placed.sort((a, b) => {
    if (a.anchor && b.anchor) return a.anchor.start - b.anchor.start || a.anchor.end - b.anchor.end || a.index - b.index;
    if (a.anchor) return -1;
    if (b.anchor) return 1;
    return a.index - b.index;
  });
  return placed.map((entry) => entry.thread);
}
