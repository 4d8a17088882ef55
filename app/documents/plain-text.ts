/**
 * A document's plain text, the one way the browser and the server both count it: every character
 * of the "default" Y.XmlFragment in document order, with one BLOCK_SEPARATOR wherever one or more
 * element boundaries (paragraph, heading, list item, table cell, hard break) lie between two runs
 * of text. Empty blocks add nothing and nested boundaries add one separator, so turning a
 * paragraph into a list item or a heading leaves the plain text exactly as it was; splitting a
 * paragraph adds one separator and joining two removes it. Comment anchors (comment-anchors.ts)
 * are offsets into this text, and a thread's quote, prefix and suffix are slices of it.
 *
 * Pure: no Node-only imports, so the editor uses it too.
 */
import * as Y from "yjs";

export const BLOCK_SEPARATOR = "\n";

/** One Y.XmlText's characters in the plain text. */
export interface TextSegment {
  text: Y.XmlText;
  /** Where its first character is in the plain text. */
  offset: number;
  length: number;
}

export interface PlainText {
  text: string;
  /** Every non-empty Y.XmlText in document order. */
  segments: TextSegment[];
  /** For every node walked: the plain-text length before it and after it (separators it is owed not counted). */
  bounds: Map<object, { before: number; after: number }>;
}

/** The characters of a Y.XmlText (its marks dropped). */
export function xmlTextString(text: Y.XmlText): string {
  return text
    .toDelta()
    .map((op: { insert?: unknown }) => (typeof op.insert === "string" ? op.insert : ""))
    .join("");
}

/** The plain text of `fragment` (the document's "default" XmlFragment), with where each Y.XmlText is in it. */
export function plainTextOf(fragment: Y.XmlFragment): PlainText {
  let text = "";
  let owedSeparator = false;
  const segments: TextSegment[] = [];
  const bounds = new Map<object, { before: number; after: number }>();
  const visit = (node: Y.AbstractType<unknown>) => {
    const before = text.length;
    if (node instanceof Y.XmlText) {
      const characters = xmlTextString(node);
      if (characters.length > 0) {
        if (owedSeparator && text.length > 0) text += BLOCK_SEPARATOR;
        owedSeparator = false;
        segments.push({ text: node, offset: text.length, length: characters.length });
        text += characters;
      }
    } else {
      const isElement = node instanceof Y.XmlElement;
      if (isElement) owedSeparator = true;
      for (const child of (node as Y.XmlElement | Y.XmlFragment).toArray()) {
        if (child instanceof Y.AbstractType) visit(child as Y.AbstractType<unknown>);
      }
      if (isElement) owedSeparator = true;
    }
    bounds.set(node, { before, after: text.length });
  };
  visit(fragment as unknown as Y.AbstractType<unknown>);
  return { text, segments, bounds };
}
