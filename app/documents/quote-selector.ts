/**
 * Finding a comment's words again in a document's plain text (plain-text.ts) from a W3C Web
 * Annotation style text-quote selector: the exact words, up to QUOTE_CONTEXT characters either
 * side of them, and where they started. Used when a thread's Yjs relative positions no longer
 * cover its words (the paragraph holding them was replaced, as ProseMirror does when a node
 * changes type). The steps, first that finds them wins (docs/decisions/018-…):
 *   1. prefix + words + suffix exactly (the one nearest the old position if several);
 *   2. the exact words nearest the old position;
 *   3. a fuzzy match (diff-match-patch's Bitap `match_main`, Match_Threshold FUZZY_THRESHOLD), for
 *      words of FUZZY_MIN_LENGTH characters or more, whose edit distance to the words is at most
 *      FUZZY_THRESHOLD of their length.
 * Nothing here reads the clock (diff-match-patch's diff timeout is off), so every browser and the
 * server find the same place in the same text.
 *
 * Pure: no Node-only imports, so the editor uses it too.
 */
import DiffMatchPatch from "diff-match-patch";

import { QUOTE_CONTEXT } from "./limits.js";

export { QUOTE_CONTEXT };
/** The most a fuzzy match may differ: edit distance over the words' length, and Bitap's own threshold. */
export const FUZZY_THRESHOLD = 0.3;
/** Shorter words are found exactly or not at all: a few letters match too much by chance. */
export const FUZZY_MIN_LENGTH = 8;
/** Bitap's reach: a perfect match may be up to FUZZY_THRESHOLD × this many characters from the old position. */
export const FUZZY_DISTANCE = 5000;

export interface QuoteSelector {
  exact: string;
  /** Null for threads started before the context was kept: then the words alone are looked for. */
  prefix: string | null;
  suffix: string | null;
  position: number | null;
}

/** A range of the plain text, `start < end`. */
export interface TextSpan {
  start: number;
  end: number;
}

export type QuoteMatch = TextSpan & { how: "context" | "exact" | "fuzzy" };

/** The selector for the words `start`–`end` of `text`. */
export function quoteSelectorAt(text: string, start: number, end: number): QuoteSelector {
  return {
    exact: text.slice(start, end),
    prefix: text.slice(Math.max(0, start - QUOTE_CONTEXT), start),
    suffix: text.slice(end, end + QUOTE_CONTEXT),
    position: start,
  };
}

/** Every index where `needle` occurs in `haystack`. */
function occurrences(haystack: string, needle: string): number[] {
  const found: number[] = [];
  if (needle.length === 0) return found;
  let at = haystack.indexOf(needle);
  while (at !== -1) {
    found.push(at);
    at = haystack.indexOf(needle, at + 1);
  }
  return found;
}

/** The one nearest `target`; the earlier one on a tie. */
function nearest(candidates: number[], target: number): number | null {
  let best: number | null = null;
  for (const candidate of candidates) {
    if (best === null || Math.abs(candidate - target) < Math.abs(best - target)) best = candidate;
  }
  return best;
}

function matcher(): DiffMatchPatch {
  const dmp = new DiffMatchPatch();
  dmp.Match_Threshold = FUZZY_THRESHOLD;
  dmp.Match_Distance = FUZZY_DISTANCE;
  // No deadline: a diff cut short by the clock would differ from one browser to the next.
  dmp.Diff_Timeout = 0;
  return dmp;
}

/** Where `start`–`end` would be without whitespace at either end. */
function trimmed(text: string, start: number, end: number): TextSpan {
  while (start < end && /\s/.test(text.charAt(start))) start++;
  while (end > start && /\s/.test(text.charAt(end - 1))) end--;
  return { start, end };
}

/**
 * A fuzzy match: the words' first (or last) up to 32 characters found by Bitap near where they
 * were, then the words aligned with the text there by a diff to find both ends; kept when the
 * text between differs from the words by at most FUZZY_THRESHOLD of their length.
 */
function fuzzyMatch(text: string, exact: string, expected: number): TextSpan | null {
  const dmp = matcher();
  const bits = dmp.Match_MaxBits;
  const head = exact.slice(0, bits);
  const tail = exact.slice(-bits);
  const reach = Math.ceil(exact.length * (1 + FUZZY_THRESHOLD)) + bits;
  const windows: TextSpan[] = [];
  const headAt = dmp.match_main(text, head, Math.min(Math.max(0, expected), text.length));
  if (headAt !== -1) windows.push({ start: headAt, end: Math.min(text.length, headAt + reach) });
  const tailAt = dmp.match_main(text, tail, Math.min(Math.max(0, expected + exact.length - tail.length), text.length));
  if (tailAt !== -1) windows.push({ start: Math.max(0, tailAt + tail.length - reach), end: Math.min(text.length, tailAt + tail.length + bits) });
  let best: (TextSpan & { score: number }) | null = null;
  for (const window of windows) {
    const piece = text.slice(window.start, window.end);
    const diffs = dmp.diff_main(exact, piece, false);
    const start = window.start + dmp.diff_xIndex(diffs, 0);
    const end = window.start + dmp.diff_xIndex(diffs, exact.length - 1) + 1;
    if (end <= start) continue;
    const span = trimmed(text, start, end);
    if (span.end <= span.start) continue;
    const score = dmp.diff_levenshtein(dmp.diff_main(exact, text.slice(span.start, span.end), false)) / exact.length;
    if (score <= FUZZY_THRESHOLD && (!best || score < best.score)) best = { ...span, score };
  }
  return best ? { start: best.start, end: best.end } : null;
}

/** Where the selector's words are in `text`, or null when they are gone (or changed past the threshold). */
export function locateQuote(text: string, selector: QuoteSelector): QuoteMatch | null {
  const { exact } = selector;
  if (exact.length === 0) return null;
  const expected = selector.position ?? 0;
  if (selector.prefix !== null && selector.suffix !== null) {
    const prefix = selector.prefix;
    const inContext = occurrences(text, prefix + exact + selector.suffix).map((at) => at + prefix.length);
    const at = nearest(inContext, expected);
    if (at !== null) return { start: at, end: at + exact.length, how: "context" };
  }
  const at = nearest(occurrences(text, exact), expected);
  if (at !== null) return { start: at, end: at + exact.length, how: "exact" };
  if (exact.length < FUZZY_MIN_LENGTH) return null;
  const fuzzy = fuzzyMatch(text, exact, expected);
  return fuzzy ? { ...fuzzy, how: "fuzzy" } : null;
}
