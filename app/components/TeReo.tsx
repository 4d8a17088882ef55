/**
 * Text that may carry te reo Māori words, with each known word marked `lang="mi"` so screen
 * readers pronounce it as te reo rather than as English. The words are the ones this product's
 * agendas, titles and organisation names use; anything else is left as it is.
 */
import type { ReactNode } from "react";

const reoWords = [
  "karakia",
  "whakawhanaungatanga",
  "hui",
  "whānau",
  "hapū",
  "iwi",
  "Māori",
  "kaupapa",
  "tikanga",
  "marae",
  "mihi",
  "poroporoaki",
  "Aotearoa",
  "Te Tiriti o Waitangi",
  "Te Tūāpapa Kura Kāinga",
  "Te Puni Kōkiri",
  "Te Puna Aonui",
  "Te Whatu Ora",
  "Oranga Tamariki",
  "Whaikaha",
  "Ara Poutama Aotearoa",
  "tino rangatiratanga",
];

const pattern = new RegExp(
  `(?<![\\p{L}\\p{M}])(${[...reoWords].sort((a, b) => b.length - a.length).map((word) => word.replace(/ /g, "\\s+")).join("|")})(?![\\p{L}\\p{M}])`,
  "giu",
);

export function TeReo({ text }: { text: string }): ReactNode {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index ?? 0;
    if (at > last) parts.push(text.slice(last, at));
    parts.push(
      <span lang="mi" key={at}>
        {match[0]}
      </span>,
    );
    last = at + match[0].length;
  }
  if (parts.length === 0) return text;
  if (last < text.length) parts.push(text.slice(last));
  return <>{parts}</>;
}
