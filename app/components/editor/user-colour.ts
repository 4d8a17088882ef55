/**
 * A stable colour for each person in the editor (their caret, selection and name label), derived
 * from their user id so it is the same on every screen and every visit. Every colour in the
 * palette has a contrast ratio of at least 6.5:1 against white label text (WCAG AA needs 4.5:1).
 */
const palette = [
  "#0b5b6e",
  "#8a2c0d",
  "#5b2a86",
  "#1d6b3a",
  "#a4262c",
  "#2f4b8f",
  "#7a4a00",
  "#6b2d5c",
  "#4a5a12",
  "#8c1d5a",
  "#3d4f5c",
  "#1f3a93",
] as const;

/** The person's colour as "#rrggbb" (the caret extension accepts only that form). */
export function userColour(userId: string): string {
  // FNV-1a: cheap, and spreads similar ids (UUIDs) across the palette.
  let hash = 0x811c9dc5;
  for (let index = 0; index < userId.length; index++) {
    hash ^= userId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return palette[hash % palette.length]!;
}
