/**
 * The decision register: every decision the group has recorded, searchable by words (with or
 * without macrons: "whanau" finds "whānau"; English stems, through the search index of ADR 021), verb, meeting date range and minute reference. Each
 * result carries its meeting, its minute and its paragraph number; the register page shows who
 * was a member on each meeting's date from the membership history (journey 5).
 */
import { sql } from "kysely";
import type { DecisionVerb } from "../../db/database.js";
import { decisionVerbs } from "../../db/database.js";
import { isCalendarDate, nzWallClockInstant } from "../utils/dates.js";
import { cleanSearchText } from "../search/search-kinds.js";
import { likeContains } from "../utils/search-text.js";
import type { Db } from "./meetings.server.js";
import { paragraphNumbersIn } from "./minutes.server.js";
import { fullTextQuery } from "./search.server.js";

export interface RegisterQuery {
  /** Words, all of which must appear (macrons ignored, English words by their stems; "quoted phrases"). */
  words?: string;
  verb?: DecisionVerb | null;
  /** New Zealand calendar dates "YYYY-MM-DD", inclusive. */
  from?: string | null;
  to?: string | null;
  /** A whole or partial minute reference, e.g. "SSCSG-26-MIN-0003" or "26-MIN". */
  reference?: string | null;
  /** Confirmed minutes only (the permanent record); drafts are included otherwise. */
  confirmedOnly?: boolean;
  limit?: number;
  offset?: number;
}

export interface RegisterEntry {
  id: string;
  number: string;
  parentId: string | null;
  heading: string | null;
  verb: DecisionVerb | null;
  body: string;
  minuteId: string;
  reference: string | null;
  minuteStatus: "draft" | "confirmed";
  meetingId: string;
  meetingTitle: string;
  meetingStartsAt: Date;
  correctsDecisionId: string | null;
}

/** Searches the group's decisions; newest meeting first, then in paragraph order. */
export async function searchDecisions(db: Db, groupId: string, query: RegisterQuery): Promise<{ entries: RegisterEntry[]; total: number }> {
  let base = db
    .selectFrom("decisions")
    .innerJoin("minutes", "minutes.id", "decisions.minute_id")
    .innerJoin("meetings", "meetings.id", "minutes.meeting_id")
    .leftJoin("decisions as parent", "parent.id", "decisions.parent_id")
    .where("minutes.group_id", "=", groupId);
  // The words through the search index (ADR 021): stems and whole words, macrons ignored, all of them.
  const words = cleanSearchText(query.words ?? "");
  if (words) {
    base = base.where(
      sql<boolean>`decisions.id in (select e.source_id from search_entries e where e.kind = 'decision' and e.group_id = ${groupId} and e.searchable @@ ${fullTextQuery(words)})`,
    );
  }
  if (query.verb && decisionVerbs.includes(query.verb)) base = base.where("decisions.verb", "=", query.verb);
  if (query.from && isCalendarDate(query.from)) base = base.where("meetings.starts_at", ">=", nzWallClockInstant(query.from, 0));
  if (query.to && isCalendarDate(query.to)) base = base.where("meetings.starts_at", "<=", nzWallClockInstant(query.to, 23, 59, 59, 999));
  const reference = query.reference?.trim().toUpperCase();
  if (reference) base = base.where("minutes.reference", "like", likeContains(reference.replace(/[[\]]/g, "")));
  if (query.confirmedOnly) base = base.where("minutes.status", "=", "confirmed");

  const total = await base.select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow();
  const rows = await base
    .select([
      "decisions.id",
      "decisions.parent_id",
      "decisions.position",
      "decisions.created_at",
      "decisions.heading",
      "decisions.verb",
      "decisions.body",
      "decisions.corrects_decision_id",
      "minutes.id as minute_id",
      "minutes.reference",
      "minutes.status as minute_status",
      "meetings.id as meeting_id",
      "meetings.title as meeting_title",
      "meetings.starts_at",
    ])
    // Newest meeting first; within a minute, paragraph order: each numbered paragraph (by
    // position) followed by its sub-paragraphs, as app/meetings/paragraph-numbers.ts numbers them.
    .orderBy("meetings.starts_at", "desc")
    .orderBy("minutes.id")
    .orderBy(sql`coalesce(parent.position, decisions.position)`)
    .orderBy(sql`coalesce(parent.created_at, decisions.created_at)`)
    .orderBy(sql`coalesce(parent.id, decisions.id)`)
    .orderBy(sql`decisions.parent_id is not null`)
    .orderBy("decisions.position")
    .orderBy("decisions.created_at")
    .orderBy("decisions.id")
    .limit(Math.min(query.limit ?? 50, 200))
    .offset(query.offset ?? 0)
    .execute();

  // Paragraph numbers come from each minute's whole order, not from the matches alone.
  const numbers = await paragraphNumbersIn(db, rows.map((row) => row.minute_id));
  const entries: RegisterEntry[] = rows.map((row) => ({
    id: row.id,
    number: numbers.get(row.id) ?? "",
    parentId: row.parent_id,
    heading: row.heading,
    verb: row.verb,
    body: row.body,
    minuteId: row.minute_id,
    reference: row.reference,
    minuteStatus: row.minute_status,
    meetingId: row.meeting_id,
    meetingTitle: row.meeting_title,
    meetingStartsAt: row.starts_at,
    correctsDecisionId: row.corrects_decision_id,
  }));
  return { entries, total: Number(total.count) };
}
