/**
 * Limits on what people type about a document, shared by the forms (in the browser) and the
 * commands that enforce them (app/models/*.server.ts, which the browser bundle never sees).
 */

/** A document's title, in characters. */
export const DOCUMENT_TITLE_MAX = 200;

/** A version's name, in characters (the database checks the same: 1 to 120). */
export const VERSION_NAME_MAX = 120;
