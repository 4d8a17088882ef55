/**
 * Comment anchors through edits that change the document's structure but keep the commented
 * words: each edit is a real ProseMirror command in the editor's schema, written into Yjs the way
 * the editor's binding writes it (prosemirror-replica.ts). ProseMirror replaces a block whose type
 * changes, and with it the Y.XmlText the relative positions point into; the thread must then be
 * found again by its quote and context, cover exactly its words, and store positions that are
 * exact from then on. Only an edit that really removes the words leaves it on deleted text.
 */
import { setBlockType, joinBackward, splitBlock } from "@tiptap/pm/commands";
import { liftListItem, wrapInList } from "@tiptap/pm/schema-list";
import { describe, expect, it } from "vitest";
import { resolveAnchor, resolveThreadAnchor, type StoredAnchor } from "../../../app/documents/comment-anchors.js";
import { documentText } from "../../../app/documents/comment-anchors.js";
import { Replica, anchorOver, anchoredWords, schema, sync } from "./prosemirror-replica.js";

const quote = "The group will meet monthly in Wellington.";

const seed = Replica.seed({
  type: "doc",
  content: [
    { type: "heading", attrs: { level: 1 }, content: [{ type: "text", text: "Terms of reference" }] },
    { type: "paragraph", content: [{ type: "text", text: `Purpose. ${quote} Members may join online.` }] },
    { type: "paragraph", content: [{ type: "text", text: "Quorum is half the members." }] },
    {
      type: "table",
      content: [
        {
          type: "tableRow",
          content: [
            { type: "tableCell", content: [{ type: "paragraph", content: [{ type: "text", text: "Chair" }] }] },
            { type: "tableCell", content: [{ type: "paragraph", content: [{ type: "text", text: "Elected by members each March" }] }] },
          ],
        },
      ],
    },
  ],
});

/** The thread over `words` must still cover exactly them, and the positions it would store must be exact. */
function expectFoundAgain(replica: Replica, stored: StoredAnchor, words = stored.selector.exact): void {
  const found = resolveThreadAnchor(replica.doc, stored);
  expect(found.state).not.toBe("deleted");
  expect(anchoredWords(replica.doc, stored)).toBe(words);
  if (found.state === "moved") {
    const written: StoredAnchor = { ...stored, anchorStart: found.anchor.anchorStart, anchorEnd: found.anchor.anchorEnd };
    expect(resolveThreadAnchor(replica.doc, written).state).toBe("exact");
  }
}

/** The defect: the stored relative positions alone no longer point at the words. */
function expectPositionsLost(replica: Replica, stored: StoredAnchor): void {
  expect(resolveAnchor(replica.doc, stored.anchorStart, stored.anchorEnd)).toBeNull();
}

describe("comment anchors through structural edits", () => {
  it("finds the words again when their paragraph becomes a bulleted list, a numbered list, and a paragraph again", () => {
    const editor = new Replica(seed);
    const stored = anchorOver(editor.doc, quote);
    editor.run(wrapInList(schema.nodes.bulletList!), editor.find("monthly").from);
    expectPositionsLost(editor, stored);
    expectFoundAgain(editor, stored);
    // Bulleted to numbered: TipTap changes the list node's type, which replaces the whole list.
    editor.change((tr, state) => {
      let listAt = -1;
      state.doc.descendants((node, pos) => {
        if (node.type === schema.nodes.bulletList) listAt = pos;
        return listAt === -1;
      });
      return tr.setNodeMarkup(listAt, schema.nodes.orderedList!, { start: 1 });
    });
    expect(editor.state.doc.child(1).type.name).toBe("orderedList");
    expectFoundAgain(editor, stored);
    editor.run(liftListItem(schema.nodes.listItem!), editor.find("monthly").from);
    expect(editor.state.doc.child(1).type.name).toBe("paragraph");
    expectFoundAgain(editor, stored);
  });

  it("finds the words again when their paragraph becomes a heading and back", () => {
    const editor = new Replica(seed);
    const stored = anchorOver(editor.doc, quote);
    editor.run(setBlockType(schema.nodes.heading!, { level: 2 }), editor.find("monthly").from);
    expectPositionsLost(editor, stored);
    expectFoundAgain(editor, stored);
    editor.run(setBlockType(schema.nodes.paragraph!), editor.find("monthly").from);
    expectFoundAgain(editor, stored);
  });

  it("keeps the words when their paragraph is split outside them and joined again", () => {
    const editor = new Replica(seed);
    const stored = anchorOver(editor.doc, quote);
    editor.run(splitBlock, editor.find(" Members").from);
    expect(documentText(editor.doc)).toContain(`${quote}\n Members`);
    expectFoundAgain(editor, stored);
    editor.run(splitBlock, editor.find("The group").from);
    expectFoundAgain(editor, stored);
    editor.run(joinBackward, editor.find("The group").from);
    editor.run(joinBackward, editor.find(" Members").from);
    expect(documentText(editor.doc)).toContain(`Purpose. ${quote} Members`);
    expectFoundAgain(editor, stored);
  });

  it("follows words split into two paragraphs inside the quote, and joined again", () => {
    const editor = new Replica(seed);
    const stored = anchorOver(editor.doc, quote);
    editor.run(splitBlock, editor.find(" in Wellington").from);
    expectFoundAgain(editor, stored, "The group will meet monthly\n in Wellington.");
    editor.run(joinBackward, editor.find(" in Wellington").from);
    expectFoundAgain(editor, stored);
  });

  it("keeps covering the words when some of them are made bold, italic or a link", () => {
    const editor = new Replica(seed);
    const stored = anchorOver(editor.doc, quote);
    const monthly = editor.find("monthly");
    editor.change((tr) => tr.addMark(monthly.from, monthly.to, schema.marks.bold!.create()));
    expectFoundAgain(editor, stored);
    const group = editor.find("group will");
    editor.change((tr) => tr.addMark(group.from, group.to, schema.marks.italic!.create()));
    expectFoundAgain(editor, stored);
    const wellington = editor.find("Wellington");
    editor.change((tr) => tr.addMark(wellington.from, wellington.to, schema.marks.link!.create({ href: "https://wellington.govt.nz" })));
    expectFoundAgain(editor, stored);
    editor.change((tr) => tr.removeMark(monthly.from, monthly.to, schema.marks.bold!));
    expectFoundAgain(editor, stored);
  });

  it("finds the words again when their paragraph is cut and pasted elsewhere", () => {
    const editor = new Replica(seed);
    const stored = anchorOver(editor.doc, quote);
    editor.change((tr, state) => {
      const paragraph = state.doc.child(1);
      const start = state.doc.child(0).nodeSize;
      tr.delete(start, start + paragraph.nodeSize);
      // After the quorum paragraph, which is now the second block.
      const afterQuorum = tr.doc.child(0).nodeSize + tr.doc.child(1).nodeSize;
      return tr.insert(afterQuorum, paragraph.copy(paragraph.content));
    });
    expect(documentText(editor.doc).indexOf("Quorum")).toBeLessThan(documentText(editor.doc).indexOf(quote));
    expectPositionsLost(editor, stored);
    expectFoundAgain(editor, stored);
  });

  it("finds words in a table cell again when the cell's paragraph becomes a list and a row is added above", () => {
    const editor = new Replica(seed);
    const stored = anchorOver(editor.doc, "Elected by members");
    editor.run(wrapInList(schema.nodes.bulletList!), editor.find("Elected").from);
    expectFoundAgain(editor, stored);
    editor.change((tr, state) => {
      let tableAt = -1;
      state.doc.descendants((node, pos) => {
        if (node.type === schema.nodes.table) tableAt = pos;
        return tableAt === -1;
      });
      const row = schema.nodes.tableRow!.create(null, [
        schema.nodes.tableCell!.create(null, schema.nodes.paragraph!.create(null, schema.text("Deputy"))),
        schema.nodes.tableCell!.create(null, schema.nodes.paragraph!.create(null, schema.text("Chosen by the chair"))),
      ]);
      return tr.insert(tableAt + 1, row);
    });
    expect(documentText(editor.doc)).toContain("Deputy\nChosen by the chair\nChair\nElected by members");
    expectFoundAgain(editor, stored);
  });

  it("gives both editors the same place when one makes the paragraph a list while the other types around the words", () => {
    const a = new Replica(seed);
    const b = new Replica(seed);
    const stored = anchorOver(a.doc, quote);
    a.run(wrapInList(schema.nodes.bulletList!), a.find("monthly").from);
    b.change((tr, state) => tr.insertText("Draft. ", 1 + state.doc.child(0).nodeSize));
    b.change((tr) => tr.insertText(" (revised)", b.find("Quorum is half the members.").to));
    sync(a, b);
    expect(documentText(a.doc)).toBe(documentText(b.doc));
    expectFoundAgain(a, stored);
    expectFoundAgain(b, stored);
    const onA = resolveThreadAnchor(a.doc, stored);
    const onB = resolveThreadAnchor(b.doc, stored);
    expect(onA).toEqual(onB);
  });

  it("gives both editors the same place when one makes the paragraph a heading while the other bolds a word in it", () => {
    const a = new Replica(seed);
    const b = new Replica(seed);
    const stored = anchorOver(a.doc, quote);
    a.run(setBlockType(schema.nodes.heading!, { level: 3 }), a.find("monthly").from);
    const monthly = b.find("monthly");
    b.change((tr) => tr.addMark(monthly.from, monthly.to, schema.marks.bold!.create()));
    sync(a, b);
    expectFoundAgain(a, stored);
    expectFoundAgain(b, stored);
    expect(resolveThreadAnchor(a.doc, stored)).toEqual(resolveThreadAnchor(b.doc, stored));
  });

  it("finds a word that was changed slightly, by the fuzzy match", () => {
    const editor = new Replica(seed);
    const stored = anchorOver(editor.doc, quote);
    editor.run(wrapInList(schema.nodes.bulletList!), editor.find("monthly").from);
    const monthly = editor.find("monthly");
    editor.change((tr) => tr.insertText("fortnightly", monthly.from, monthly.to));
    const found = resolveThreadAnchor(editor.doc, stored);
    expect(found.state === "moved" && found.how).toBe("fuzzy");
    expect(anchoredWords(editor.doc, stored)).toBe("The group will meet fortnightly in Wellington.");
  });

  it("finds an older thread (no context kept) by its quote alone", () => {
    const editor = new Replica(seed);
    const stored = anchorOver(editor.doc, quote);
    const older: StoredAnchor = { ...stored, selector: { exact: quote, prefix: null, suffix: null, position: null } };
    editor.run(setBlockType(schema.nodes.heading!, { level: 2 }), editor.find("monthly").from);
    expectFoundAgain(editor, older);
  });

  it("leaves the thread on deleted text when the sentence is really deleted, even after its paragraph became a list", () => {
    const editor = new Replica(seed);
    const stored = anchorOver(editor.doc, quote);
    editor.run(wrapInList(schema.nodes.bulletList!), editor.find("monthly").from);
    const sentence = editor.find(quote);
    editor.change((tr) => tr.delete(sentence.from, sentence.to));
    expect(resolveThreadAnchor(editor.doc, stored).state).toBe("deleted");
    expect(anchoredWords(editor.doc, stored)).toBeNull();
  });

  it("leaves the thread on deleted text when another editor deletes the sentence while its paragraph becomes a heading", () => {
    const a = new Replica(seed);
    const b = new Replica(seed);
    const stored = anchorOver(a.doc, quote);
    a.run(setBlockType(schema.nodes.heading!, { level: 2 }), a.find("monthly").from);
    const sentence = b.find(quote);
    b.change((tr) => tr.delete(sentence.from, sentence.to));
    sync(a, b);
    // The heading holds a copy of the text made before the delete: whatever the merge keeps, both agree.
    expect(resolveThreadAnchor(a.doc, stored)).toEqual(resolveThreadAnchor(b.doc, stored));
  });
});
