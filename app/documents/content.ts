/**
 * A collaborative document's content as Yjs holds it, shared by the browser editor, the server's
 * collaboration endpoint and the demo seed. TipTap's Collaboration extension keeps the
 * ProseMirror tree in one Y.XmlFragment: each node is a Y.XmlElement named after the node type
 * (attributes are the node's attrs), and text is Y.XmlText whose formatting attributes are the
 * marks (mark name, possibly suffixed `--<hash>` for overlapping marks, mapped to the mark's attrs).
 *
 * Pure: no Node-only imports, so the browser bundle can use it too. The HTML rendering, which needs
 * a DOM, is render-html.server.ts.
 */
import { toHexString } from "lib0/buffer";
import { digest as sha256 } from "lib0/hash/sha256";
import * as Y from "yjs";

/** The Y.XmlFragment that TipTap's Collaboration extension binds to (its `field` option). */
export const COLLAB_FIELD = "default";

/**
 * Our own message type on the collaboration websocket, server → client:
 * `[varUint 100][varUint8Array state vector of the committed state]`, sent after the initial sync
 * (the whole committed state vector) and after each commit that held some of the connection's own
 * typing (the committed clocks of its own client ids only). The client's edits are saved when the
 * committed state vector covers its own clock. y-protocols and y-websocket use 0–3.
 */
export const SAVED_MESSAGE_TYPE = 100;

/** A run of text with its marks, for `buildDoc`. */
export interface TextRun {
  text: string;
  bold?: boolean;
  italic?: boolean;
  strike?: boolean;
  code?: boolean;
  /** A link's href. */
  link?: string;
}

/** Plain text, or runs of marked text. */
export type InlineContent = string | TextRun[];

/** The blocks `buildDoc` can write: enough for seeded terms of reference and agendas. */
export type DocumentBlock =
  | { type: "heading"; level: 1 | 2 | 3 | 4 | 5 | 6; content: InlineContent }
  | { type: "paragraph"; content: InlineContent }
  | { type: "bulletList" | "orderedList"; items: InlineContent[] };

/**
 * Builds a new Y.Doc holding `blocks` the way TipTap would (headings, paragraphs, and lists whose
 * items each hold one paragraph), for seeding documents that have no Yjs state yet.
 */
export function buildDoc(blocks: readonly DocumentBlock[]): Y.Doc {
  const doc = new Y.Doc();
  const fragment = doc.getXmlFragment(COLLAB_FIELD);
  doc.transact(() => {
    fragment.insert(
      0,
      blocks.map((block) => {
        switch (block.type) {
          case "heading":
            return element("heading", { level: block.level }, inlineNodes(block.content));
          case "paragraph":
            return element("paragraph", {}, inlineNodes(block.content));
          case "bulletList":
          case "orderedList":
            return element(
              block.type,
              // TipTap keeps node attrs with their JSON types: numbers stay numbers.
              block.type === "orderedList" ? { start: 1 } : {},
              block.items.map((item) => element("listItem", {}, [element("paragraph", {}, inlineNodes(item))])),
            );
        }
      }),
    );
  });
  return doc;
}

/** Node attributes as TipTap writes them (ProseMirror attrs keep their JSON types). */
type NodeAttributes = Record<string, string | number | boolean>;

function element(nodeName: string, attributes: NodeAttributes, children: (Y.XmlElement | Y.XmlText)[]): Y.XmlElement {
  const node = new Y.XmlElement(nodeName);
  const typed = node as unknown as Y.XmlElement<NodeAttributes>;
  for (const [name, value] of Object.entries(attributes)) typed.setAttribute(name, value);
  node.insert(0, children);
  return node;
}

function inlineNodes(content: InlineContent): Y.XmlText[] {
  const runs = typeof content === "string" ? [{ text: content }] : content;
  const nonEmpty = runs.filter((run) => run.text.length > 0);
  if (nonEmpty.length === 0) return [];
  const text = new Y.XmlText();
  text.applyDelta(
    nonEmpty.map((run) => {
      const attributes: Record<string, object> = {};
      if (run.bold) attributes.bold = {};
      if (run.italic) attributes.italic = {};
      if (run.strike) attributes.strike = {};
      if (run.code) attributes.code = {};
      if (run.link) attributes.link = { href: run.link };
      return Object.keys(attributes).length > 0 ? { insert: run.text, attributes } : { insert: run.text };
    }),
  );
  return [text];
}

type XmlNode = Y.XmlElement | Y.XmlText | Y.XmlHook;

interface DeltaOp {
  insert?: unknown;
  attributes?: Record<string, unknown>;
}

/** Text blocks: each becomes one line of `renderText`. */
const textBlocks = new Set(["paragraph", "heading", "codeBlock"]);

/**
 * The document as plain text (for search): one line per paragraph, heading or list item
 * paragraph, table cells separated by tabs, empty lines left out.
 */
export function renderText(doc: Y.Doc): string {
  const lines: string[] = [];
  for (const node of doc.getXmlFragment(COLLAB_FIELD).toArray()) collectLines(node, lines);
  return lines.filter((line) => line.trim().length > 0).join("\n");
}

function collectLines(node: XmlNode, lines: string[]): void {
  if (node instanceof Y.XmlText) {
    lines.push(inlineText(node));
    return;
  }
  if (!(node instanceof Y.XmlElement)) return;
  if (textBlocks.has(node.nodeName)) {
    lines.push(inlineText(node));
  } else if (node.nodeName === "tableRow") {
    lines.push(
      node
        .toArray()
        .map((cell) => {
          const cellLines: string[] = [];
          collectLines(cell, cellLines);
          return cellLines.filter((line) => line.trim().length > 0).join(" ");
        })
        .join("\t"),
    );
  } else {
    for (const child of node.toArray()) collectLines(child, lines);
  }
}

function inlineText(node: Y.XmlElement | Y.XmlText): string {
  if (node instanceof Y.XmlText) {
    return (node.toDelta() as DeltaOp[]).map((op) => (typeof op.insert === "string" ? op.insert : "")).join("");
  }
  return node
    .toArray()
    .map((child) => {
      if (child instanceof Y.XmlText) return inlineText(child);
      if (child instanceof Y.XmlElement) return child.nodeName === "hardBreak" ? "\n" : inlineText(child);
      return "";
    })
    .join("");
}

/** SHA-256 of the text's UTF-8 bytes, as lowercase hex: identifies an exact version's content. */
export function contentHash(text: string): string {
  return toHexString(sha256(new TextEncoder().encode(text)));
}
