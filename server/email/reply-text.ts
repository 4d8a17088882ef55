/**
 * The new words of an email reply: the message's text without what it quotes and without the
 * sender's signature, as mail programs write them. Everything from the first of these on is cut:
 *
 * - an attribution line, "On Mon, 7 Dec 2026 at 10:02, Aroha <…> wrote:" (also split over two lines);
 * - a signature delimiter, "-- " (or "--") on a line of its own;
 * - Outlook's "-----Original Message-----", or its header block "From: …" followed by "Sent: …"
 *   or "Date: …" (after a line of underscores or not);
 * - "Sent from my …" (phones).
 *
 * Lines quoted with ">" are dropped wherever they are, and a rule (dashes, an <hr>) left just
 * before the cut goes with it. Returns "" when nothing of the person's own is left.
 */

const ATTRIBUTION = /^\s*On\b.*\bwrote:\s*$/i;
const ATTRIBUTION_START = /^\s*On\s.{4,}/i;
const ATTRIBUTION_END = /\bwrote:\s*$/i;
const SIGNATURE = /^--\s?$/;
const ORIGINAL_MESSAGE = /^\s*-{2,}\s*(Original Message|Forwarded message)\s*-{2,}\s*$/i;
const UNDERSCORES = /^\s*_{10,}\s*$/;
const HEADER_FROM = /^\s*\*?From:\*?\s+\S/i;
const HEADER_SENT = /^\s*\*?(Sent|Date):\*?\s+\S/i;
const SENT_FROM_DEVICE = /^\s*Sent from my\s/i;

export function replyText(text: string): string {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isCut(lines, i)) break;
    if (/^\s*>/.test(line)) continue;
    kept.push(line.replace(/\s+$/, ""));
  }
  // What separated the reply from what it cut (a rule of dashes, an <hr>) goes with it.
  while (kept.length > 0 && /^\s*([-_=*]{3,}\s*)?$/.test(kept.at(-1)!)) kept.pop();
  return kept
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function isCut(lines: readonly string[], at: number): boolean {
  const line = lines[at]!;
  if (ATTRIBUTION.test(line) || SIGNATURE.test(line) || ORIGINAL_MESSAGE.test(line) || SENT_FROM_DEVICE.test(line)) return true;
  const next = lines[at + 1] ?? "";
  // "On Mon, 7 Dec 2026 at 10:02, Aroha Ngata <aroha@example.org>\nwrote:"
  if (ATTRIBUTION_START.test(line) && !ATTRIBUTION_END.test(line) && ATTRIBUTION_END.test(next) && next.trim().split(/\s+/).length <= 6) return true;
  if (UNDERSCORES.test(line) && HEADER_FROM.test(next)) return true;
  if (HEADER_FROM.test(line)) {
    for (let j = at + 1; j < Math.min(lines.length, at + 5); j++) if (HEADER_SENT.test(lines[j]!)) return true;
  }
  return false;
}
