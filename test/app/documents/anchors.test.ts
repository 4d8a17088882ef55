/**
 * Comment anchors against real Yjs documents: two replicas that edit concurrently and then sync,
 * the way two browsers do through the collaboration endpoint. The anchors are made the way the
 * editor makes them (relative positions into the paragraph's Y.XmlText, the start held by the
 * range's first character and the end by its last) and resolved the way the server resolves them.
 */
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { COLLAB_FIELD, buildDoc } from "../../../app/documents/content.js";
import { documentText, encodeAnchor, resolveAnchor } from "../../../app/documents/comment-anchors.js";

const sentence = "The group will meet monthly in Wellington.";

function replicas(): [Y.Doc, Y.Doc] {
  const seed = buildDoc([
    { type: "heading", level: 1, content: "Terms of reference" },
    { type: "paragraph", content: `Purpose. ${sentence} Members may join online.` },
    { type: "paragraph", content: "Quorum is half the members." },
  ]);
  const a = new Y.Doc();
  const b = new Y.Doc();
  Y.applyUpdate(a, Y.encodeStateAsUpdate(seed));
  Y.applyUpdate(b, Y.encodeStateAsUpdate(seed));
  return [a, b];
}

function sync(a: Y.Doc, b: Y.Doc): void {
  const fromA = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
  const fromB = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
  Y.applyUpdate(b, fromA);
  Y.applyUpdate(a, fromB);
}

/** The paragraph's Y.XmlText holding `words`, and where they start in it. */
function textHolding(doc: Y.Doc, words: string): { text: Y.XmlText; index: number } {
  for (const block of doc.getXmlFragment(COLLAB_FIELD).toArray()) {
    const text = (block as Y.XmlElement).get(0);
    if (text instanceof Y.XmlText) {
      const index = text.toString().indexOf(words);
      if (index >= 0) return { text, index };
    }
  }
  throw new Error(`"${words}" is not in the document`);
}

/**
 * An anchor over `words`, as the editor makes it (app/components/editor/comment-anchors-client.ts):
 * the start holds on to the first word's first character, the end to the last word's last one.
 */
function anchorOver(doc: Y.Doc, words: string) {
  const { text, index } = textHolding(doc, words);
  return {
    start: encodeAnchor(Y.createRelativePositionFromTypeIndex(text, index, 0)),
    end: encodeAnchor(Y.createRelativePositionFromTypeIndex(text, index + words.length, -1)),
  };
}

function anchoredText(doc: Y.Doc, anchor: { start: Uint8Array; end: Uint8Array }): string | null {
  const resolved = resolveAnchor(doc, anchor.start, anchor.end);
  return resolved ? documentText(doc).slice(resolved.start, resolved.end) : null;
}

describe("comment anchors", () => {
  it("covers the selected words on both replicas before anyone edits", () => {
    const [a, b] = replicas();
    const anchor = anchorOver(a, sentence);
    expect(anchoredText(a, anchor)).toBe(sentence);
    expect(anchoredText(b, anchor)).toBe(sentence);
  });

  it("follows the words through concurrent inserts before and after the range", () => {
    const [a, b] = replicas();
    const anchor = anchorOver(a, sentence);
    textHolding(a, "Purpose.").text.insert(0, "Draft: ");
    const after = textHolding(b, "Members may");
    after.text.insert(after.index, "All ");
    textHolding(b, "Quorum").text.insert(0, "(Revised) ");
    sync(a, b);
    expect(documentText(a)).toBe(documentText(b));
    expect(anchoredText(a, anchor)).toBe(sentence);
    expect(anchoredText(b, anchor)).toBe(sentence);
  });

  it("follows the words through concurrent deletes before and after the range", () => {
    const [a, b] = replicas();
    const anchor = anchorOver(b, sentence);
    textHolding(a, "Purpose. ").text.delete(0, "Purpose. ".length);
    const after = textHolding(b, " Members may join online.");
    after.text.delete(after.index, " Members may join online.".length);
    sync(a, b);
    expect(anchoredText(a, anchor)).toBe(sentence);
    expect(anchoredText(b, anchor)).toBe(sentence);
  });

  it("keeps covering the range when words are inserted and deleted inside it", () => {
    const [a, b] = replicas();
    const anchor = anchorOver(a, sentence);
    const inA = textHolding(a, "monthly");
    inA.text.insert(inA.index, "at least ");
    const inB = textHolding(b, " in Wellington");
    inB.text.delete(inB.index, " in Wellington".length);
    sync(a, b);
    expect(anchoredText(a, anchor)).toBe("The group will meet at least monthly.");
    expect(anchoredText(b, anchor)).toBe("The group will meet at least monthly.");
  });

  it("does not grow to take in text typed right before the range", () => {
    const [a, b] = replicas();
    const anchor = anchorOver(a, sentence);
    const start = textHolding(b, sentence);
    start.text.insert(start.index, "In 2027, ");
    sync(a, b);
    expect(anchoredText(a, anchor)).toBe(sentence);
  });

  it("does not grow to take in text typed right after the range", () => {
    const [a, b] = replicas();
    const anchor = anchorOver(a, sentence);
    const end = textHolding(b, sentence);
    end.text.insert(end.index + sentence.length, " (or as needed)");
    sync(a, b);
    expect(anchoredText(a, anchor)).toBe(sentence);
  });

  it("survives edits around both ends at once on two replicas", () => {
    const [a, b] = replicas();
    const anchor = anchorOver(a, "meet monthly");
    const left = textHolding(a, "will meet");
    left.text.delete(left.index, "will ".length);
    left.text.insert(left.index, "shall ");
    const right = textHolding(b, " in Wellington");
    right.text.insert(right.index, ",");
    sync(a, b);
    expect(documentText(a)).toContain("shall meet monthly, in Wellington");
    expect(anchoredText(a, anchor)).toBe("meet monthly");
    expect(anchoredText(b, anchor)).toBe("meet monthly");
  });

  it("marks the thread as on deleted text when the anchored words are deleted, on every replica", () => {
    const [a, b] = replicas();
    const anchor = anchorOver(a, sentence);
    const held = textHolding(b, sentence);
    held.text.delete(held.index, sentence.length);
    // Meanwhile someone else types elsewhere in the paragraph.
    textHolding(a, "Purpose.").text.insert(0, "Draft: ");
    sync(a, b);
    expect(resolveAnchor(a, anchor.start, anchor.end)).toBeNull();
    expect(resolveAnchor(b, anchor.start, anchor.end)).toBeNull();
  });

  it("marks the thread as on deleted text when its whole paragraph is removed", () => {
    const [a, b] = replicas();
    const anchor = anchorOver(a, "Quorum is half");
    b.getXmlFragment(COLLAB_FIELD).delete(2, 1);
    sync(a, b);
    expect(resolveAnchor(a, anchor.start, anchor.end)).toBeNull();
    expect(anchoredText(a, anchorOver(a, sentence))).toBe(sentence);
  });

  it("resolves an anchor that spans two paragraphs", () => {
    const [a, b] = replicas();
    const first = textHolding(a, "online.");
    const second = textHolding(a, "Quorum");
    const anchor = {
      start: encodeAnchor(Y.createRelativePositionFromTypeIndex(first.text, first.index, 0)),
      end: encodeAnchor(Y.createRelativePositionFromTypeIndex(second.text, "Quorum".length, -1)),
    };
    textHolding(b, "Purpose.").text.insert(0, "Draft: ");
    sync(a, b);
    expect(anchoredText(b, anchor)).toBe("online.\nQuorum");
  });
});
