/**
 * Where a comment thread's anchor is in a document's Yjs state. An anchor is two Yjs relative
 * positions (made in the browser by y-prosemirror's `absolutePositionToRelativePosition` against
 * the "default" XmlFragment), so it follows the words through everyone's edits. Here they are
 * resolved into offsets in the document's text (characters only, in document order), which is
 * enough to tell whether the anchored words still exist and which they are.
 *
 * Pure: no Node-only imports, so the browser can use the base64 helpers too.
 */
import * as Y from "yjs";
import { COLLAB_FIELD } from "./content.js";

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

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Decodes base64; null when it is not base64. */
export function base64ToBytes(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

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

function textLength(type: Y.AbstractType<unknown>): number {
  if (type instanceof Y.XmlText) return type.length;
  let length = 0;
  if (type instanceof Y.XmlElement || type instanceof Y.XmlFragment) {
    for (const child of type.toArray()) {
      if (child instanceof Y.AbstractType) length += textLength(child as Y.AbstractType<unknown>);
    }
  }
  return length;
}

/** The text offset of `index` within `type`, counting the characters before it in document order. */
function textOffset(root: Y.XmlFragment, type: Y.AbstractType<unknown>, index: number): number | null {
  let offset = 0;
  let found: number | null = null;
  const visit = (node: Y.AbstractType<unknown>): boolean => {
    if (node === type) {
      if (node instanceof Y.XmlText) {
        found = offset + Math.min(index, node.length);
      } else {
        const children = (node as Y.XmlElement | Y.XmlFragment).toArray().slice(0, index);
        found = offset + children.reduce((sum, child) => sum + textLength(child as Y.AbstractType<unknown>), 0);
      }
      return true;
    }
    if (node instanceof Y.XmlText) {
      offset += node.length;
      return false;
    }
    for (const child of (node as Y.XmlElement | Y.XmlFragment).toArray()) {
      if (child instanceof Y.AbstractType && visit(child as Y.AbstractType<unknown>)) return true;
    }
    return false;
  };
  visit(root as unknown as Y.AbstractType<unknown>);
  return found;
}

function resolveOne(doc: Y.Doc, root: Y.XmlFragment, position: Y.RelativePosition): number | null {
  const absolute = Y.createAbsolutePositionFromRelativePosition(position, doc);
  if (!absolute) return null;
  const type = absolute.type as Y.AbstractType<unknown>;
  if (type !== root && isGone(type, root)) return null;
  return textOffset(root, type, absolute.index);
}

/**
 * Where the anchored words are now, or null when they are gone: the text was deleted (start ≥
 * end) or the paragraph holding an end was removed.
 */
export function resolveAnchor(doc: Y.Doc, anchorStart: Uint8Array, anchorEnd: Uint8Array): ResolvedAnchor | null {
  const root = doc.getXmlFragment(COLLAB_FIELD);
  let start: number | null;
  let end: number | null;
  try {
    start = resolveOne(doc, root, decodeAnchor(anchorStart));
    end = resolveOne(doc, root, decodeAnchor(anchorEnd));
  } catch {
    return null;
  }
  if (start === null || end === null || start >= end) return null;
  return { start, end };
}

/** The document's text, every character in document order (what `ResolvedAnchor` offsets count). */
export function documentText(doc: Y.Doc): string {
  const parts: string[] = [];
  const visit = (node: Y.AbstractType<unknown>) => {
    if (node instanceof Y.XmlText) {
      parts.push(textOfXmlText(node));
      return;
    }
    for (const child of (node as Y.XmlElement | Y.XmlFragment).toArray()) {
      if (child instanceof Y.AbstractType) visit(child as Y.AbstractType<unknown>);
    }
  };
  visit(doc.getXmlFragment(COLLAB_FIELD) as unknown as Y.AbstractType<unknown>);
  return parts.join("");
}

function textOfXmlText(text: Y.XmlText): string {
  return text
    .toDelta()
    .map((op: { insert?: unknown }) => (typeof op.insert === "string" ? op.insert : ""))
    .join("");
}
