/**
 * Random structural edits against a commented sentence, seeded so that a failure replays: edits
 * that keep the sentence's words (lists, headings, splits and joins outside the words, marks on
 * any of them, typing elsewhere, moving blocks) must leave the thread covering exactly those
 * words; an edit that deletes them must leave it on deleted text. Every edit is a ProseMirror
 * command written into Yjs as the editor's binding writes it (prosemirror-replica.ts).
 */
import { joinBackward, setBlockType, splitBlock } from "@tiptap/pm/commands";
import { liftListItem, wrapInList } from "@tiptap/pm/schema-list";
import { describe, expect, it } from "vitest";
import { resolveThreadAnchor } from "../../../app/documents/comment-anchors.js";
import { type Command, Replica, anchorOver, anchoredWords, schema } from "./prosemirror-replica.js";
import { mulberry32 as random } from "../../fuzz/fuzz-random.js";

const quote = "Kererū nest beside the Ōrongorongo stream each spring.";
const filler = ["board", "minutes", "agenda", "quarterly", "report", "finance", "audit", "chair", "secretary", "review", "policy", "member"];


function words(next: () => number, count: number): string {
  return Array.from({ length: count }, () => filler[Math.floor(next() * filler.length)]).join(" ");
}

function seedDocument(next: () => number): Uint8Array {
  const paragraphs = Array.from({ length: 3 + Math.floor(next() * 3) }, () => words(next, 3 + Math.floor(next() * 8)));
  const holder = Math.floor(next() * paragraphs.length);
  paragraphs[holder] = `${words(next, 1 + Math.floor(next() * 4))} ${quote} ${words(next, 1 + Math.floor(next() * 4))}`;
  return Replica.seed({
    type: "doc",
    content: paragraphs.map((text) => ({ type: "paragraph", content: [{ type: "text", text }] })),
  });
}

/** Every position inside a textblock's text, with whether it is strictly inside the quote. */
function textPositions(editor: Replica): { pos: number; insideQuote: boolean }[] {
  const held = editor.find(quote);
  const positions: { pos: number; insideQuote: boolean }[] = [];
  editor.state.doc.descendants((node, pos) => {
    if (!node.isTextblock) return true;
    for (let offset = 0; offset <= node.content.size; offset++) {
      const at = pos + 1 + offset;
      positions.push({ pos: at, insideQuote: at > held.from && at < held.to });
    }
    return false;
  });
  return positions;
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function tryRun(editor: Replica, command: Command, at: number): void {
  editor.select(at);
  if (command(editor.state)) editor.run(command);
}

/** One random edit that keeps every word of the quote. */
function keepingEdit(editor: Replica, next: () => number): void {
  const outside = textPositions(editor).filter((position) => !position.insideQuote);
  const anywhere = textPositions(editor);
  const kind = Math.floor(next() * 9);
  switch (kind) {
    case 0:
      return tryRun(editor, wrapInList(schema.nodes.bulletList!), pick(next, anywhere).pos);
    case 1:
      return tryRun(editor, wrapInList(schema.nodes.orderedList!), pick(next, anywhere).pos);
    case 2:
      return tryRun(editor, liftListItem(schema.nodes.listItem!), pick(next, anywhere).pos);
    case 3:
      return tryRun(editor, setBlockType(schema.nodes.heading!, { level: 1 + Math.floor(next() * 3) }), pick(next, anywhere).pos);
    case 4:
      return tryRun(editor, setBlockType(schema.nodes.paragraph!), pick(next, anywhere).pos);
    case 5:
      return tryRun(editor, splitBlock, pick(next, outside).pos);
    case 6:
      return tryRun(editor, joinBackward, pick(next, outside).pos);
    case 7: {
      const a = pick(next, anywhere).pos;
      const b = pick(next, anywhere).pos;
      const [from, to] = a < b ? [a, b] : [b, a];
      const mark = pick(next, [schema.marks.bold!.create(), schema.marks.italic!.create(), schema.marks.link!.create({ href: "https://example.nz" })]);
      if (from < to) editor.change((tr) => tr.addMark(from, to, mark));
      return;
    }
    default: {
      const at = pick(next, outside).pos;
      editor.change((tr) => tr.insertText(` ${words(next, 1 + Math.floor(next() * 3))} `, at));
      return;
    }
  }
}

/** Moves the block holding the quote to the end of the document (cut and paste). */
function moveQuoteBlock(editor: Replica): void {
  editor.change((tr, state) => {
    let index = -1;
    let start = 0;
    state.doc.forEach((node, offset, childIndex) => {
      if (index === -1 && node.textContent.includes(quote)) {
        index = childIndex;
        start = offset;
      }
    });
    const block = state.doc.child(index);
    tr.delete(start, start + block.nodeSize);
    return tr.insert(tr.doc.content.size, block.copy(block.content));
  });
}

const iterations = 300;

describe("comment anchors under random structural edits", () => {
  it(`keeps covering exactly the commented words through ${iterations} runs of edits that keep them`, () => {
    for (let run = 0; run < iterations; run++) {
      const next = random(1000 + run);
      const editor = new Replica(seedDocument(next));
      let stored = anchorOver(editor.doc, quote);
      const edits = 1 + Math.floor(next() * 6);
      for (let edit = 0; edit < edits; edit++) {
        if (next() < 0.1) moveQuoteBlock(editor);
        else keepingEdit(editor, next);
        const found = resolveThreadAnchor(editor.doc, stored);
        expect(found.state, `run ${run}, edit ${edit}`).not.toBe("deleted");
        expect(anchoredWords(editor.doc, stored), `run ${run}, edit ${edit}`).toBe(quote);
        // Half the time the browser's write-back has landed before the next edit.
        if (found.state === "moved" && next() < 0.5) stored = { ...stored, anchorStart: found.anchor.anchorStart, anchorEnd: found.anchor.anchorEnd };
      }
    }
  });

  it(`leaves the thread on deleted text in ${iterations} runs that end by deleting the words`, () => {
    for (let run = 0; run < iterations; run++) {
      const next = random(5000 + run);
      const editor = new Replica(seedDocument(next));
      const stored = anchorOver(editor.doc, quote);
      const edits = Math.floor(next() * 4);
      for (let edit = 0; edit < edits; edit++) keepingEdit(editor, next);
      const held = editor.find(quote);
      // The words alone, or with some text either side.
      const before = Math.floor(next() * 3);
      const after = Math.floor(next() * 3);
      const from = Math.max(held.from - before, editor.state.doc.resolve(held.from).start());
      const to = Math.min(held.to + after, editor.state.doc.resolve(held.to).end());
      editor.change((tr) => tr.delete(from, to));
      expect(resolveThreadAnchor(editor.doc, stored).state, `run ${run}`).toBe("deleted");
    }
  });
});
