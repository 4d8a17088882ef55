/**
 * The kinds of thing search finds, as people read them, and the markers `ts_headline` puts around
 * matched words in a snippet (control characters, so no text can forge them into markup: the page
 * splits on them and draws <mark>). Shared with the browser.
 */
import { type SearchKind, searchKinds } from "../../db/database.js";

export { searchKinds };
export type { SearchKind };

export const searchKindLabels: Record<SearchKind, string> = {
  document: "Documents",
  version: "Submitted and approved versions",
  comment: "Comments and replies",
  meeting: "Meetings",
  agenda_item: "Agenda items",
  decision: "Decisions",
  action: "Actions",
  proposal: "Proposals",
};

/** One result's kind, in the singular. */
export const searchKindNames: Record<SearchKind, string> = {
  document: "Document",
  version: "Version",
  comment: "Comment",
  meeting: "Meeting",
  agenda_item: "Agenda item",
  decision: "Decision",
  action: "Action",
  proposal: "Proposal",
};

export const HIGHLIGHT_START = "\u0001";
export const HIGHLIGHT_END = "\u0002";

/** A snippet cut into plain runs and highlighted runs, for the page to draw. */
export function snippetParts(snippet: string): { text: string; highlighted: boolean }[] {
  const parts: { text: string; highlighted: boolean }[] = [];
  let highlighted = false;
  let current = "";
  for (const character of snippet) {
    if (character === HIGHLIGHT_START || character === HIGHLIGHT_END) {
      if (current) parts.push({ text: current, highlighted });
      current = "";
      highlighted = character === HIGHLIGHT_START;
    } else {
      current += character;
    }
  }
  if (current) parts.push({ text: current, highlighted });
  return parts;
}

/**
 * A query as the database may be given it: no NUL or other control characters (PostgreSQL
 * refuses NUL in text), lone surrogates replaced, whitespace folded, at most 200 characters.
 */
export function cleanSearchText(text: string): string {
  return text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
    .replace(/[\p{Cc}\p{Cf}]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200);
}
