/**
 * A word-level comparison of two plain texts, for reading: runs of unchanged, inserted and deleted
 * text in reading order, whitespace included (app/components/diff/WordDiff.tsx shows them). The
 * diff itself is jsdiff's `diffWordsWithSpace`; this module only tidies it for people and counts
 * the words. Pure: shared by the server and the browser bundle.
 */
import { diffLines, diffWordsWithSpace } from "diff";

export type DiffPart = { kind: "equal" | "insert" | "delete"; text: string };

/** Above this many differing tokens a word diff is too costly; we compare whole lines instead. */
const MAX_EDIT_LENGTH = 2_000;

/** A word as the summary counts it: letters and digits, with inner hyphens and apostrophes. */
const wordPattern = /[\p{L}\p{M}\p{N}]+(?:['’-][\p{L}\p{M}\p{N}]+)*/gu;

/**
 * The comparison of `before` with `after`. Falls back to whole lines for very different texts,
 * and to one deletion and one insertion when even the lines differ too much.
 */
export function diffWords(before: string, after: string): DiffPart[] {
  const changes =
    diffWordsWithSpace(before, after, { maxEditLength: MAX_EDIT_LENGTH }) ??
    diffLines(before, after, { maxEditLength: MAX_EDIT_LENGTH });
  if (!changes) {
    return merge([
      { kind: "delete", text: before },
      { kind: "insert", text: after },
    ]);
  }
  return merge(changes.map((change) => ({ kind: change.added ? "insert" : change.removed ? "delete" : "equal", text: change.value })));
}

/** How many words a comparison adds and removes. */
export function diffSummary(parts: DiffPart[]): { inserted: number; deleted: number } {
  const count = (text: string) => (text.match(wordPattern) ?? []).length;
  let inserted = 0;
  let deleted = 0;
  for (const part of parts) {
    if (part.kind === "insert") inserted += count(part.text);
    if (part.kind === "delete") deleted += count(part.text);
  }
  return { inserted, deleted };
}

/**
 * Tidies a comparison for reading: each run of changes between unchanged text becomes one
 * deletion followed by one insertion, and a lone space between two changes joins the change
 * ("a b c" → "x y z" reads as one replacement, not three). Empty parts are dropped.
 */
function merge(parts: DiffPart[]): DiffPart[] {
  const merged: DiffPart[] = [];
  let deleted = "";
  let inserted = "";
  const pushEqual = (text: string) => {
    if (!text) return;
    const last = merged.at(-1);
    if (last?.kind === "equal") last.text += text;
    else merged.push({ kind: "equal", text });
  };
  const flush = () => {
    // Spaces both sides begin or end with are unchanged text: "whānau and hapū" → "whānau, hapū"
    // deletes " and" and inserts ",", keeping the space before "hapū".
    const before = deleted && inserted ? commonSpace(deleted, inserted, "start") : "";
    const after = deleted && inserted ? commonSpace(deleted.slice(before.length), inserted.slice(before.length), "end") : "";
    pushEqual(before);
    deleted = deleted.slice(before.length, deleted.length - after.length);
    inserted = inserted.slice(before.length, inserted.length - after.length);
    if (deleted) merged.push({ kind: "delete", text: deleted });
    if (inserted) merged.push({ kind: "insert", text: inserted });
    pushEqual(after);
    deleted = "";
    inserted = "";
  };
  parts.forEach((part, index) => {
    if (part.text.length === 0) return;
    if (part.kind === "delete") deleted += part.text;
    else if (part.kind === "insert") inserted += part.text;
    else if ((deleted || inserted) && /^[^\S\n]+$/.test(part.text) && parts.slice(index + 1).find((next) => next.text)?.kind !== "equal") {
      deleted += part.text;
      inserted += part.text;
    } else {
      flush();
      pushEqual(part.text);
    }
  });
  flush();
  return merged;
}

/** The whitespace `a` and `b` both start (or end) with. */
function commonSpace(a: string, b: string, side: "start" | "end"): string {
  const pattern = side === "start" ? /^\s+/ : /\s+$/;
  const spaceA = pattern.exec(a)?.[0] ?? "";
  const spaceB = pattern.exec(b)?.[0] ?? "";
  let length = 0;
  while (length < spaceA.length && length < spaceB.length) {
    const at = (text: string) => (side === "start" ? text[length] : text[text.length - 1 - length]);
    if (at(spaceA) !== at(spaceB)) break;
    length++;
  }
  return side === "start" ? spaceA.slice(0, length) : spaceA.slice(spaceA.length - length);
}
