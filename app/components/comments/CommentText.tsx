/**
 * A comment's words as plain text, with http(s) addresses made into links. Never HTML: every
 * piece is a React text node or an <a> whose href is checked to be http(s), so nothing typed in a
 * comment can become markup.
 */
import type { ReactNode } from "react";

const addressPattern = /https?:\/\/[^\s<>"'`]+/gi;

/** Trailing punctuation usually ends the sentence, not the address. */
function trimAddress(candidate: string): string {
  return candidate.replace(/[.,;:!?)\]}]+$/, "");
}

function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Splits text into strings and links (exported for tests). */
export function linkify(text: string): ({ text: string } | { text: string; href: string })[] {
  const parts: ({ text: string } | { text: string; href: string })[] = [];
  let last = 0;
  for (const match of text.matchAll(addressPattern)) {
    const address = trimAddress(match[0]);
    const href = safeHref(address);
    if (!href || address.length === 0) continue;
    const at = match.index ?? 0;
    if (at > last) parts.push({ text: text.slice(last, at) });
    parts.push({ text: address, href });
    last = at + address.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

export function CommentText({ text }: { text: string }) {
  const nodes: ReactNode[] = linkify(text).map((part, index) =>
    "href" in part ? (
      <a key={index} href={part.href} rel="noopener noreferrer nofollow ugc" target="_blank">
        {part.text}
      </a>
    ) : (
      part.text
    ),
  );
  return <p className="comment__body">{nodes}</p>;
}
