/**
 * Text folded for searching: lower case, with macrons and other diacritics removed, so a search
 * for "whanau" or "Maori" finds "whānau" and "Māori" (and the other way round) on PGlite and
 * PostgreSQL alike, without a database extension. Stored text keeps its macrons; only the search
 * column and the search terms are folded.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

/** The words of a search query, folded; empty when there is nothing to search for. */
export function searchTerms(query: string): string[] {
  return [...new Set(foldForSearch(query).split(" ").filter((term) => term.length > 0))].slice(0, 10);
}

/** Escapes LIKE's wildcards so a term matches literally. */
export function likeContains(term: string): string {
  return `%${term.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}
