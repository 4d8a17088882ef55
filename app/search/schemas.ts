/**
 * The search page's query (a GET form, so a search is a link that can be kept and shared). Every
 * field falls back to "not given" rather than failing: a search never answers 400.
 */
import * as z from "zod";
import { documentStatuses } from "../../db/database.js";
import { parseNzDate } from "../utils/dates.js";
import { searchKinds } from "./search-kinds.js";

export const SEARCH_PAGE_SIZE = 20;

export const searchPageSchema = z.object({
  q: z.string().max(10_000).catch("").default(""),
  kind: z.enum(searchKinds).nullable().catch(null).default(null),
  group: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
    .nullable()
    .catch(null)
    .default(null),
  from: z.string().transform((text) => parseNzDate(text)).nullable().catch(null).default(null),
  to: z.string().transform((text) => parseNzDate(text)).nullable().catch(null).default(null),
  status: z.enum(documentStatuses).nullable().catch(null).default(null),
  page: z.coerce.number().int().min(1).max(100).catch(1).default(1),
});
export type SearchPageQuery = z.infer<typeof searchPageSchema>;
