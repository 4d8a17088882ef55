/**
 * A declared conflict of interest as one line, the way the minute records it: who (and their
 * organisation), the agenda item, the interest and how it was managed, each as a sentence. The
 * minute page (and so its print view), the live meeting's panel and the Word minute all print it
 * from here, so the three never differ. Pure: shared by the server and the browser bundle.
 */

export interface DeclaredConflict {
  name: string;
  organisation: string | null;
  itemPosition: number | null;
  itemTitle: string | null;
  interest: string;
  management: string;
}

/** The text as a sentence: with a full stop unless it already ends with one (or ! or ?). */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * `who`: "Priya Naidu, Hapori Hauora Community Trust" (printed in bold in Word); `details`:
 * " (item 5: Draft terms of reference): Trustee of a provider. Managed: Left the room." The line
 * is the two together.
 */
export function conflictLine(conflict: DeclaredConflict): { who: string; details: string } {
  const who = conflict.organisation ? `${conflict.name}, ${conflict.organisation}` : conflict.name;
  const item = conflict.itemTitle ? ` (item ${conflict.itemPosition}: ${conflict.itemTitle})` : "";
  return { who, details: `${item}: ${asSentence(conflict.interest)} Managed: ${asSentence(conflict.management)}` };
}
