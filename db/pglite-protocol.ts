/**
 * The messages between the server and its PGlite thread (`pglite-worker.ts`), and how a database
 * error crosses between them: a structured clone keeps an Error's message but drops PostgreSQL's
 * fields (`code` "23505", `constraint`, …), which callers test, so they travel as a plain object.
 */

export const DATE_OID = 1082;
export const INT8_OID = 20;

export interface ThreadStart {
  /** Where PGlite keeps its files; undefined: in memory. */
  dataDir: string | undefined;
}

export type ThreadRequest =
  | { type: "query"; id: number; sql: string; parameters: readonly unknown[] }
  /** Several statements without parameters (PGlite's `exec`): every statement's rows, in order. */
  | { type: "exec"; id: number; sql: string }
  /** A consistent copy of the data directory (PGlite's `dumpDataDir`, a gzipped tarball). */
  | { type: "dump"; id: number }
  | { type: "close"; id: number };

export type ThreadReply =
  | { type: "ready" }
  | { type: "failed"; error: ErrorDescription }
  | { type: "result"; id: number; rows: Record<string, unknown>[]; affectedRows: number }
  | { type: "dumped"; id: number; archive: Uint8Array }
  | { type: "error"; id: number; error: ErrorDescription };

/** PostgreSQL's error fields as PGlite (and pg) put them on the error. */
const errorFields = [
  "code",
  "severity",
  "detail",
  "hint",
  "position",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "routine",
] as const;

export interface ErrorDescription {
  name: string;
  message: string;
  fields: Record<string, string>;
}

export function describeError(error: unknown): ErrorDescription {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), fields: {} };
  const fields: Record<string, string> = {};
  for (const field of errorFields) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (typeof value === "string") fields[field] = value;
  }
  return { name: error.name, message: error.message, fields };
}

/** The error as the caller's thread sees it: the same message and fields, its own stack. */
export function reviveError(description: ErrorDescription): Error {
  const error = new Error(description.message);
  error.name = description.name;
  Object.assign(error, description.fields);
  return error;
}
