/**
 * Limits on what people type about a document, its comments and its approval, shared by the forms
 * (in the browser) and the schemas that enforce them (schemas.ts).
 */

/** A document's title, in characters. */
export const DOCUMENT_TITLE_MAX = 200;

/** A version's name, in characters (the database checks the same: 1 to 120). */
export const VERSION_NAME_MAX = 120;

/** A comment's words, and the quote of the text it is about. */
export const COMMENT_BODY_MAX = 4000;
export const COMMENT_QUOTE_MAX = 1000;

/** Longest cover note or statement of reasons to the Lead Minister's office, in characters. */
export const APPROVAL_TEXT_MAX = 2000;

/** A consultation's brief to its consultees, in characters. */
export const CONSULTATION_BRIEF_MAX = 2000;

/** How many characters of a comment's quote context are kept either side of its words (quote-selector.ts). */
export const QUOTE_CONTEXT = 32;
