/**
 * The shared content module: rendering the editor's Yjs tree to HTML (through TipTap's own schema
 * and serializer) and text, escaping everything, and building seed documents the editor's schema
 * accepts.
 */
import { type JSONContent, getSchema } from "@tiptap/core";
import { generateHTML } from "@tiptap/html";
import { prosemirrorJSONToYDoc, yXmlFragmentToProseMirrorRootNode } from "@tiptap/y-tiptap";
import { describe, expect, it } from "vitest";
import { documentEditorExtensions } from "../../../app/documents/editor-schema.js";
import { renderHtml } from "../../../app/documents/render-html.server.js";
import { COLLAB_FIELD, buildDoc, contentHash, renderText } from "../../../app/documents/content.js";

// The editor's own schema: what it writes is what these functions must read.
const extensions = documentEditorExtensions();
const schema = getSchema(extensions);

const text = (value: string, marks?: { type: string; attrs?: Record<string, unknown> }[]): JSONContent => ({
  type: "text",
  text: value,
  ...(marks ? { marks } : {}),
});
const paragraph = (...content: JSONContent[]): JSONContent => ({ type: "paragraph", content });

describe("document content", () => {
  it("renders the HTML TipTap renders for headings, marks, lists, quotes and rules", () => {
    const json: JSONContent = {
      type: "doc",
      content: [
        { type: "heading", attrs: { level: 2 }, content: [text("Te Tiriti o Waitangi & whānau")] },
        paragraph(
          text("bold", [{ type: "bold" }]),
          text(" and "),
          text("italic", [{ type: "italic" }]),
          { type: "hardBreak" },
          text("struck", [{ type: "strike" }]),
          text(" code", [{ type: "code" }]),
        ),
        { type: "bulletList", content: [{ type: "listItem", content: [paragraph(text("one"))] }] },
        { type: "orderedList", attrs: { start: 3 }, content: [{ type: "listItem", content: [paragraph(text("three"))] }] },
        { type: "blockquote", content: [paragraph(text("quoted"))] },
        { type: "horizontalRule" },
      ],
    };
    const doc = prosemirrorJSONToYDoc(schema, json, COLLAB_FIELD);
    expect(renderHtml(doc)).toBe(generateHTML(json, extensions));
  });

  it("escapes text and keeps only safe links", () => {
    const json: JSONContent = {
      type: "doc",
      content: [
        paragraph(
          text(`<script>alert("x")</script> & 'quotes'`),
          text("safe", [{ type: "link", attrs: { href: "https://example.org/?a=1&b=<2>" } }]),
          text("unsafe", [{ type: "link", attrs: { href: "javascript:alert(1)" } }]),
        ),
      ],
    };
    const html = renderHtml(prosemirrorJSONToYDoc(schema, json, COLLAB_FIELD));
    // Text is text: the script is escaped, never markup.
    expect(html).toContain("&lt;script&gt;alert(");
    expect(html).not.toContain("<script");
    expect(html).toContain("&amp; 'quotes'");
    // A web link keeps its address (its & escaped) and our rel; a javascript: link goes nowhere.
    expect(html).toMatch(/<a rel="noopener noreferrer nofollow" href="https:\/\/example\.org\/\?a=1&amp;b=[^"]*">safe<\/a>/);
    expect(html).toMatch(/<a rel="noopener noreferrer nofollow" href="">unsafe<\/a>/);
    expect(html).toBe(generateHTML(json, extensions));
    expect(html).not.toContain("javascript:");
  });

  it("renders tables, with header cells and spans", () => {
    const json: JSONContent = {
      type: "doc",
      content: [
        {
          type: "table",
          content: [
            {
              type: "tableRow",
              content: [
                { type: "tableHeader", content: [paragraph(text("Action"))] },
                { type: "tableHeader", attrs: { colspan: 2 }, content: [paragraph(text("Owner"))] },
              ],
            },
            {
              type: "tableRow",
              content: [
                { type: "tableCell", content: [paragraph(text("Draft plans"))] },
                { type: "tableCell", attrs: { colspan: 2 }, content: [paragraph(text("Hub"))] },
              ],
            },
          ],
        },
      ],
    };
    const doc = prosemirrorJSONToYDoc(schema, json, COLLAB_FIELD);
    const html = renderHtml(doc);
    expect(html).toBe(generateHTML(json, extensions));
    expect(html).toMatch(/<th colspan="1" rowspan="1"><p>Action<\/p><\/th><th colspan="2" rowspan="1"><p>Owner<\/p><\/th>/);
    expect(renderText(doc)).toBe("Action\tOwner\nDraft plans\tHub");
  });

  it("renders text one line per block, with hard breaks as new lines and empty paragraphs left out", () => {
    const json: JSONContent = {
      type: "doc",
      content: [
        { type: "heading", attrs: { level: 1 }, content: [text("Agenda")] },
        { type: "paragraph" },
        paragraph(text("line one"), { type: "hardBreak" }, text("line two")),
        { type: "orderedList", content: [{ type: "listItem", content: [paragraph(text("Karakia"))] }] },
      ],
    };
    expect(renderText(prosemirrorJSONToYDoc(schema, json, COLLAB_FIELD))).toBe("Agenda\nline one\nline two\nKarakia");
  });

  it("builds documents TipTap's schema accepts, with macrons intact", () => {
    const doc = buildDoc([
      { type: "heading", level: 1, content: "Terms of reference" },
      { type: "paragraph", content: [{ text: "Māori-Crown " }, { text: "partnership", bold: true }] },
      { type: "orderedList", items: ["Iwi, hapū and whānau", "Crown entities"] },
      { type: "bulletList", items: ["Alternates"] },
    ]);
    const node = yXmlFragmentToProseMirrorRootNode(doc.getXmlFragment(COLLAB_FIELD), schema);
    node.check();
    expect(generateHTML(node.toJSON(), extensions)).toBe(renderHtml(doc));
    expect(renderText(doc)).toBe("Terms of reference\nMāori-Crown partnership\nIwi, hapū and whānau\nCrown entities\nAlternates");
  });

  it("hashes content with SHA-256", () => {
    expect(contentHash("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(contentHash("whānau")).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash("whānau")).not.toBe(contentHash("whanau"));
  });
});
