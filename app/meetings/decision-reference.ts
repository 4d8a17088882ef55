/**
 * How a minute of decision is referred to: `<GROUP CODE>-<YY>-MIN-<NNNN>`, like SWC-22-MIN-0140,
 * where YY is the year of the meeting in New Zealand and NNNN the minute's number in that group
 * and year. The numbers themselves are handed out by `confirmMinutes` (app/models/minute-confirmation.server.ts)
 * from a counter in the database; this module only writes and reads the references.
 */

/** A reference anywhere in text, in square brackets as minutes cite them: [SWC-21-MIN-0173]. */
export const citedReferencePattern = /\[([A-Z][A-Z0-9]{1,11}-\d{2}-MIN-\d{4})\]/g;

/** A whole reference on its own. */
export const referencePattern = /^[A-Z][A-Z0-9]{1,11}-\d{2}-MIN-\d{4}$/;

/** "SSCSG-26-MIN-0003" */
export function formatMinuteReference(groupCode: string, year: number, number: number): string {
  if (!Number.isInteger(year) || year < 0 || year > 99) throw new RangeError(`a two-digit year, not ${year}`);
  if (!Number.isInteger(number) || number < 1 || number > 9999) throw new RangeError(`a minute number from 1 to 9999, not ${number}`);
  return `${groupCode}-${String(year).padStart(2, "0")}-MIN-${String(number).padStart(4, "0")}`;
}

/** The two-digit year of a New Zealand calendar date "YYYY-MM-DD". */
export function referenceYear(nzCalendarDate: string): number {
  const year = Number(nzCalendarDate.slice(0, 4));
  if (!Number.isInteger(year)) throw new RangeError(`not a calendar date: ${nzCalendarDate}`);
  return year % 100;
}

/** Every reference cited in `text`, once each, in the order they first appear. */
export function citedReferences(text: string): string[] {
  return [...new Set([...text.matchAll(citedReferencePattern)].map((match) => match[1]!))];
}

/** Splits text into plain runs and cited references, for rendering references as links. */
export function splitReferences(text: string): ({ text: string } | { reference: string })[] {
  const parts: ({ text: string } | { reference: string })[] = [];
  let last = 0;
  for (const match of text.matchAll(citedReferencePattern)) {
    const at = match.index ?? 0;
    if (at > last) parts.push({ text: text.slice(last, at) });
    parts.push({ reference: match[1]! });
    last = at + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
