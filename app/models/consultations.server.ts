/**
 * Reading consultations (journey 3): what is open to a consultee or closed for them, a document's
 * latest consultation and the line its page shows, the consultees who may be invited, and the
 * summary of every comment. Whether a document is open to a consultee right now is answered by
 * `isOpenToConsultee` (consultation-access.server.ts) for `documentResource`, the one place the
 * policy learns it. Opening, adding consultees and closing are consultation-commands.server.ts.
 */
import { type Kysely, type Transaction, sql } from "kysely";
import type { Database } from "../../db/database.js";
import { formatNzDate, formatNzTime, nzCalendarDate } from "../utils/dates.js";
import { isOpenToConsultee, openAt } from "./consultation-access.server.js";
import { membershipActiveOn } from "./memberships.server.js";

type Db = Kysely<Database> | Transaction<Database>;

/** The consultations this person was invited to, with their documents: where a consultee's questions start. */
function consultationsInviting(db: Db, userId: string) {
  return db
    .selectFrom("consultations")
    .innerJoin("consultation_invitees", "consultation_invitees.consultation_id", "consultations.id")
    .innerJoin("documents", "documents.id", "consultations.document_id")
    .where("consultation_invitees.user_id", "=", userId);
}

/** The group's documents currently opened to this consultee, for their group home. */
export async function listDocumentsOpenToConsultee(db: Db, userId: string, groupId: string, now = new Date()) {
  return consultationsInviting(db, userId)
    .select([
      "documents.id",
      "documents.title",
      "documents.kind",
      "documents.classification",
      (eb) => eb.fn.max("consultations.closes_at").as("closes_at"),
    ])
    .where("documents.group_id", "=", groupId)
    .where("documents.archived_at", "is", null)
    .where(openAt(now))
    .groupBy(["documents.id", "documents.title", "documents.kind", "documents.classification"])
    .orderBy("documents.title")
    .execute();
}

/** Consultations that reached their closing date in (`after`, `upTo`], not closed early before it. */
export async function consultationsClosedBetween(db: Db, after: Date, upTo: Date) {
  return db
    .selectFrom("consultations")
    .select(["id", "document_id", "closes_at"])
    .where("closes_at", ">", after)
    .where("closes_at", "<=", upTo)
    .where("closed_early_at", "is", null)
    .orderBy("closes_at")
    .execute();
}

/**
 * The closed consultation on a document that this consultee was invited to, when no consultation
 * on it is open to them now: what their link to the document should explain instead of a 404.
 */
export async function closedConsultationForConsultee(db: Db, userId: string, documentId: string, now = new Date()) {
  if (await isOpenToConsultee(db, userId, documentId, now)) return undefined;
  return consultationsInviting(db, userId)
    .select(["consultations.id", "consultations.brief", "consultations.closes_at", "consultations.closed_early_at"])
    .where("consultations.document_id", "=", documentId)
    .orderBy("consultations.opened_at", "desc")
    .executeTakeFirst();
}

/** The group's documents whose consultations this consultee was invited to and that have closed. */
export async function listClosedConsultationsForConsultee(db: Db, userId: string, groupId: string, now = new Date()) {
  const rows = await consultationsInviting(db, userId)
    .select([
      "documents.id",
      "documents.title",
      "documents.kind",
      (eb) => eb.fn.max(eb.fn.coalesce("consultations.closed_early_at", "consultations.closes_at")).as("closed_at"),
    ])
    .where("documents.group_id", "=", groupId)
    .where((eb) => eb.not(openAt(now)(eb)))
    .groupBy(["documents.id", "documents.title", "documents.kind"])
    .orderBy("documents.title")
    .execute();
  const stillOpen = new Set((await listDocumentsOpenToConsultee(db, userId, groupId, now)).map((document) => document.id));
  return rows.filter((row) => !stillOpen.has(row.id));
}

/** "Friday 5 March 2027 at 11:59 pm" */
export function consultationClosingLabel(closesAt: Date): string {
  return `${formatNzDate(closesAt)} at ${formatNzTime(closesAt)}`;
}

/** The document's latest consultation with its consultees, or undefined when there never was one. */
export async function latestConsultation(db: Db, documentId: string, now = new Date()) {
  const consultation = await db
    .selectFrom("consultations")
    .innerJoin("users", "users.id", "consultations.opened_by")
    .select([
      "consultations.id",
      "consultations.document_id",
      "consultations.brief",
      "consultations.closes_at",
      "consultations.opened_at",
      "consultations.closed_early_at",
      "users.display_name as opened_by_name",
    ])
    .where("consultations.document_id", "=", documentId)
    .orderBy("consultations.opened_at", "desc")
    .orderBy("consultations.id", "desc")
    .executeTakeFirst();
  if (!consultation) return undefined;
  const invitees = await db
    .selectFrom("consultation_invitees")
    .innerJoin("users", "users.id", "consultation_invitees.user_id")
    .select(["users.id", "users.display_name", "users.email", "consultation_invitees.invited_at"])
    .where("consultation_invitees.consultation_id", "=", consultation.id)
    .orderBy("users.display_name")
    .execute();
  const isOpen = consultation.closed_early_at === null && consultation.closes_at.getTime() > now.getTime();
  return { ...consultation, invitees, isOpen };
}

/**
 * A line for the document page about its latest consultation, or null when there is none:
 * open until when, or closed (at the closing date or early) and comments closed for consultees.
 */
export async function consultationNotice(db: Db, documentId: string, now = new Date()): Promise<string | null> {
  const consultation = await latestConsultation(db, documentId, now);
  if (!consultation) return null;
  if (consultation.isOpen) return `Open for consultation until ${consultationClosingLabel(consultation.closes_at)}.`;
  const closedAt = consultation.closed_early_at ?? consultation.closes_at;
  return `This consultation closed on ${consultationClosingLabel(closedAt)}; comments are closed.`;
}

/** The group's current consultee members (who may be invited). */
export async function listConsulteeMembers(db: Db, groupId: string, onDate = nzCalendarDate()) {
  return db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .leftJoin("organisations", "organisations.id", "memberships.organisation_id")
    .select(["users.id", "users.display_name", "users.email", "organisations.name as organisation_name"])
    .where("memberships.group_id", "=", groupId)
    .where("memberships.role", "=", "consultee")
    .where(membershipActiveOn(onDate))
    .where("users.disabled_at", "is", null)
    .orderBy("users.display_name")
    .execute();
}

/** One comment in the consultation summary. */
export interface SummaryComment {
  authorId: string;
  author: string;
  organisation: string | null;
  createdAt: Date;
  body: string;
}

/** One anchored thread in the consultation summary, with the words it points at. */
export interface SummaryThread {
  id: string;
  quote: string;
  status: string;
  comments: SummaryComment[];
}

/**
 * Every comment thread on the document with its comments (deleted ones left out), oldest first.
 * Reads the comment feature's tables by name, so this works before and after they land: with no
 * `comment_threads` table yet, there is nothing to summarise.
 */
export async function consultationSummary(db: Db, documentId: string, groupId: string): Promise<SummaryThread[]> {
  const exists = await sql<{ present: boolean }>`select to_regclass('comment_threads') is not null and to_regclass('comments') is not null as present`.execute(db);
  if (!exists.rows[0]?.present) return [];
  const rows = await sql<{
    thread_id: string;
    quote: string | null;
    status: string | null;
    thread_created_at: Date;
    author_id: string | null;
    author: string | null;
    organisation: string | null;
    created_at: Date | null;
    body: string | null;
  }>`
    select t.id as thread_id, t.quote, t.status, t.created_at as thread_created_at,
           c.author_id, u.display_name as author, o.name as organisation, c.created_at, c.body
      from comment_threads t
      left join comments c on c.thread_id = t.id and c.deleted_at is null
      left join users u on u.id = c.author_id
      left join lateral (
        select m.organisation_id from memberships m
         where m.user_id = c.author_id and m.group_id = ${groupId}
         order by m.starts_on desc limit 1
      ) m on true
      left join organisations o on o.id = m.organisation_id
     where t.document_id = ${documentId}
     order by t.created_at, t.id, c.created_at`.execute(db);
  const threads = new Map<string, SummaryThread>();
  for (const row of rows.rows) {
    let thread = threads.get(row.thread_id);
    if (!thread) {
      thread = { id: row.thread_id, quote: row.quote ?? "", status: row.status ?? "", comments: [] };
      threads.set(row.thread_id, thread);
    }
    if (row.body !== null && row.created_at !== null && row.author_id !== null) {
      thread.comments.push({
        authorId: row.author_id,
        author: row.author ?? "Unknown",
        organisation: row.organisation,
        createdAt: new Date(row.created_at),
        body: row.body,
      });
    }
  }
  return [...threads.values()];
}
