/**
 * The one Zod field for a date typed into a form: day month year ("8 December 2026"), 8/12/2026
 * or 2026-12-08, parsed with `parseNzDate` into "YYYY-MM-DD"; anything else is the field's
 * message. Shared with the browser (Conform validates with it too).
 */
import * as z from "zod";
import { parseNzDate } from "./dates.js";

/** The hint every date field shows, in the form the tables show dates. */
export const NZ_DATE_HINT = "For example 8 December 2026";

export function nzDate(message: string) {
  return z
    .string({ error: message })
    .transform((text, context) => {
      const iso = parseNzDate(text);
      if (iso === null) {
        context.addIssue({ code: "custom", message });
        return z.NEVER;
      }
      return iso;
    });
}
