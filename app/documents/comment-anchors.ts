/**
 * Where a comment thread's anchor is in a document's Yjs state. An anchor is two Yjs relative
 * positions (made in the browser by y-prosemirror's `absolutePositionToRelativePosition` against
 * the "default" XmlFragment), so it follows the words through everyone's edits. Here they are
 * resolved into offsets in the document's plain text (plain-text.ts). ProseMirror replaces a
 * block's Y.XmlText when the block changes type (paragraph to list item or heading), which leaves
 * the positions pointing at deleted text though no word changed; so each thread also keeps a
 * text-quote selector (its words, the text either side, where they were) and is found again by it
 * (`resolveThreadAnchor`, docs/decisions/018-comment-anchors-by-position-and-quote.md).
 *
 * Pure: no Node-only imports, so the browser can use the base64 helpers too.
 */
import * as Y from "yjs";
import { COLLAB_FIELD } from "./content.js";
import { type PlainText, plainTextOf } from "./plain-text.js";
import { type QuoteMatch, type QuoteSelector, locateQuote } from "./quote-selector.js";

/** A resolved anchor: offsets into the document's text, `start < end`. */
export interface ResolvedAnchor {
  start: number;
  end: number;
}

export function encodeAnchor(position: Y.RelativePosition): Uint8Array {
  return Y.encodeRelativePosition(position);
}

export function decodeAnchor(bytes: Uint8Array): Y.RelativePosition {
  return Y.decodeRelativePosition(bytes);
}

// Kept in base64.ts so that form schemas can decode an anchor without loading Yjs (issue 21).
export { base64ToBytes, bytesToBase64 } from "./base64.js";

/** Whether bytes decode as a relative position (the server never trusts the browser's bytes). */
export function isRelativePosition(bytes: Uint8Array): boolean {
  try {
    const position = Y.decodeRelativePosition(bytes);
    return position.item !== null || position.tname !== null || position.type !== null;
  } catch {
    return false;
  }
}

/** True when `type` or one of its ancestors has been deleted, or it is not inside `root`. */
function isGone(type: Y.AbstractType<unknown>, root: Y.XmlFragment): boolean {
  let current: Y.AbstractType<unknown> | null = type;
  while (current && current !== root) {
    const item: Y.Item | null = current._item;
    if (!item || item.deleted) return true;
    current = item.parent as Y.AbstractType<unknown> | null;
  }
  return current !== root;
}

/** The plain-text offset of `index` within `type`. */
function textOffset(plain: PlainText, type: Y.AbstractType<unknown>, index: number): number | null {
  if (type instanceof Y.XmlText) {
    const segment = plain.segments.find((candidate) => candidate.text === type);
    if (segment) return segment.offset + Math.min(index, segment.length);
    return plain.bounds.get(type)?.before ?? null;
  }
  const bounds = plain.bounds.get(type);
  if (!bounds) return null;
  const children = (type as Y.XmlElement | Y.XmlFragment).toArray();
  const child = children[index];
  return child instanceof Y.AbstractType ? (plain.bounds.get(child as Y.AbstractType<unknown>)?.before ?? bounds.after) : bounds.after;
}

function resolveOne(doc: Y.Doc, root: Y.XmlFragment, plain: PlainText, position: Y.RelativePosition): number | null {
  const absolute = Y.createAbsolutePositionFromRelativePosition(position, doc);
  if (!absolute) return null;
  const type = absolute.type as Y.AbstractType<unknown>;
  if (type !== root && isGone(type, root)) return null;
  return textOffset(plain, type, absolute.index);
}

/** Where one relative position points now, in plain-text offsets; null when nowhere. */
export function offsetOfPosition(doc: Y.Doc, plain: PlainText, position: Y.RelativePosition): number | null {
  try {
    return resolveOne(doc, doc.getXmlFragment(COLLAB_FIELD), plain, position);
  } catch {
    return null;
  }
}

/**
 * Where the relative positions point now, in plain-text offsets, or null when they point nowhere:
 * the text was deleted (start ≥ end) or the block holding an end was removed or replaced.
 */
export function resolveAnchor(doc: Y.Doc, anchorStart: Uint8Array, anchorEnd: Uint8Array, plain?: PlainText): ResolvedAnchor | null {
  const root = doc.getXmlFragment(COLLAB_FIELD);
  const text = plain ?? plainTextOf(root);
  let start: number | null;
  let end: number | null;
  try {
    start = resolveOne(doc, root, text, decodeAnchor(anchorStart));
    end = resolveOne(doc, root, text, decodeAnchor(anchorEnd));
  } catch {
    return null;
  }
  if (start === null || end === null || start >= end) return null;
  return { start, end };
}

/** The document's plain text (plain-text.ts): what `ResolvedAnchor` offsets and quote selectors count. */
export function documentText(doc: Y.Doc): string {
  return plainTextOf(doc.getXmlFragment(COLLAB_FIELD)).text;
}

/**
 * Relative positions for the plain-text range `start`–`end` (`start < end`, both ends on text, not
 * on a separator): the start held by the first character, the end by the last, so words typed
 * just outside the range stay outside it. Null when an end is not on a character.
 */
export function anchorAtOffsets(plain: PlainText, start: number, end: number): { anchorStart: Uint8Array; anchorEnd: Uint8Array } | null {
  if (start >= end) return null;
  const first = plain.segments.find((segment) => start >= segment.offset && start < segment.offset + segment.length);
  const last = plain.segments.find((segment) => end - 1 >= segment.offset && end - 1 < segment.offset + segment.length);
  if (!first || !last) return null;
  return {
    anchorStart: encodeAnchor(Y.createRelativePositionFromTypeIndex(first.text, start - first.offset, 0)),
    anchorEnd: encodeAnchor(Y.createRelativePositionFromTypeIndex(last.text, end - last.offset, -1)),
  };
}

/**
 * Where a thread's words are now. `exact`: the relative positions still cover the quote.
 * `moved`: they do not, and the quote selector found the words elsewhere (`anchor` holds the
 * relative positions to store instead). `edited`: the positions still cover a range but the words
 * there were changed past finding, so the thread stays on what is left of them, as it always did.
 * `deleted`: the words are gone.
 */
export type ThreadAnchor =
  | { state: "exact"; start: number; end: number }
  | { state: "moved"; start: number; end: number; how: QuoteMatch["how"]; anchor: { anchorStart: Uint8Array; anchorEnd: Uint8Array } }
  | { state: "edited"; start: number; end: number }
  | { state: "deleted" };

export interface StoredAnchor {
  anchorStart: Uint8Array;
  anchorEnd: Uint8Array;
  selector: QuoteSelector;
}

/**
 * The one resolution of a thread's anchor, the same in every browser and on the server for the
 * same Yjs state: the relative positions first, then the quote selector (quote-selector.ts).
 */
export function resolveThreadAnchor(doc: Y.Doc, stored: StoredAnchor, plain?: PlainText): ThreadAnchor {
  const text = plain ?? plainTextOf(doc.getXmlFragment(COLLAB_FIELD));
  const resolved = resolveAnchor(doc, stored.anchorStart, stored.anchorEnd, text);
  if (resolved && text.text.slice(resolved.start, resolved.end) === stored.selector.exact) return { state: "exact", ...resolved };
  const found = locateQuote(text.text, stored.selector);
  if (found) {
    if (resolved && resolved.start === found.start && resolved.end === found.end) return { state: "exact", ...resolved };
    const anchor = anchorAtOffsets(text, found.start, found.end);
    if (anchor) return { state: "moved", start: found.start, end: found.end, how: found.how, anchor };
  }
  return resolved ? { state: "edited", ...resolved } : { state: "deleted" };
}
