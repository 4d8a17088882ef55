/**
 * Consultations (journey 3): the chair or secretary opens a document to named consultees until
 * the end of a chosen New Zealand calendar day, and may add consultees or close it early.
 * Whether a document is open to a consultee right now is answered by `isOpenToConsultee`
 * (consultation-access.server.ts) for `documentResource`, the one place the policy learns it.
 *
 * Commands run in one transaction with their audit entry; consultees are notified after commit.
 */
import { type Kysely, type Transaction, sql } from "kysely";
import type { Database } from "../../db/database.js";
import { conflict, forbidden, invalidInput, notFound } from "../errors.js";
import { type Actor, can } from "../policy/policy.js";
import { documentRoom } from "../realtime/contract.js";
import type { AppServices } from "../services.js";
import { formatNzDate, formatNzTime, nzCalendarDate, nzEndOfDay } from "../utils/dates.js";
import { runCommand } from "./command.server.js";
import { isOpenToConsultee, openAt } from "./consultation-access.server.js";
import { findDocument } from "./document-access.server.js";
import { documentAudit } from "./documents.server.js";
import { membershipActiveOn } from "./memberships.server.js";
import { type NotifyServices, notify } from "./notifications.server.js";
import { documentResource } from "./policy-resources.server.js";

type Db = Kysely<Database> | Transaction<Database>;

/** What a consultation command tells after its commit: `context.services` in an action. */
export type ConsultationServices = NotifyServices & {
  realtime: Pick<AppServices["realtime"], "emitToUser" | "emitToRoom">;
  accessChanged: AppServices["accessChanged"];
};

/** Everyone with the document open reloads what they see of its consultation. */
function announceChanged(services: ConsultationServices, documentId: string): void {
  services.realtime.emitToRoom(documentRoom(documentId), "consultation:changed", { documentId });
}

/** The group's documents currently opened to this consultee, for their group home. */
export async function listDocumentsOpenToConsultee(db: Db, userId: string, groupId: string, now = new Date()) {
  return db
    .selectFrom("consultations")
    .innerJoin("consultation_invitees", "consultation_invitees.consultation_id", "consultations.id")
    .innerJoin("documents", "documents.id", "consultations.document_id")
    .select([
      "documents.id",
      "documents.title",
      "documents.kind",
      "documents.classification",
      (eb) => eb.fn.max("consultations.closes_at").as("closes_at"),
    ])
    .where("consultation_invitees.user_id", "=", userId)
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
  return db
    .selectFrom("consultations")
    .innerJoin("consultation_invitees", "consultation_invitees.consultation_id", "consultations.id")
    .select(["consultations.id", "consultations.brief", "consultations.closes_at", "consultations.closed_early_at"])
    .where("consultations.document_id", "=", documentId)
    .where("consultation_invitees.user_id", "=", userId)
    .orderBy("consultations.opened_at", "desc")
    .executeTakeFirst();
}

/** The group's documents whose consultations this consultee was invited to and that have closed. */
export async function listClosedConsultationsForConsultee(db: Db, userId: string, groupId: string, now = new Date()) {
  const rows = await db
    .selectFrom("consultations")
    .innerJoin("consultation_invitees", "consultation_invitees.consultation_id", "consultations.id")
    .innerJoin("documents", "documents.id", "consultations.document_id")
    .select([
      "documents.id",
      "documents.title",
      "documents.kind",
      (eb) => eb.fn.max(eb.fn.coalesce("consultations.closed_early_at", "consultations.closes_at")).as("closed_at"),
    ])
    .where("consultation_invitees.user_id", "=", userId)
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

export interface OpenConsultationInput {
  documentId: string;
  /** At least one (openConsultationSchema); each must be a current consultee of the group. */
  consulteeUserIds: readonly string[];
  /** The last day comments are taken, a calendar date "YYYY-MM-DD" in New Zealand; closes at its 11:59 pm. */
  closesOn: string;
  /** Trimmed, 1 to CONSULTATION_BRIEF_MAX characters. */
  brief: string;
  ip?: string | null;
  now?: Date;
}

async function requireManageableDocument(trx: Transaction<Database>, actor: Actor, documentId: string) {
  const document = await findDocument(trx, documentId);
  if (!document) throw notFound("No such document");
  const resource = await documentResource(trx, actor, document);
  if (!can(actor, "document.read", resource)) throw notFound("No such document");
  if (!can(actor, "consultation.manage", resource)) throw forbidden("Only the chair or the secretary can run a consultation");
  if (document.archived_at !== null) throw invalidInput("An archived document cannot be opened for consultation");
  return document;
}

/** The consultees asked for, once each, when every one is a current consultee of the group. */
async function requireConsultees(db: Db, groupId: string, userIds: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(userIds)];
  const members = new Set((await listConsulteeMembers(db, groupId)).map((member) => member.id));
  if (wanted.some((id) => !members.has(id))) {
    throw invalidInput("Everyone invited must be a current consultee of the group", "consulteeId");
  }
  return wanted;
}

/** The open consultation on the document at `now`, if there is one. */
function findOpenConsultation(trx: Transaction<Database>, documentId: string, now: Date) {
  return trx.selectFrom("consultations").select(["id", "closes_at"]).where("document_id", "=", documentId).where(openAt(now)).executeTakeFirst();
}

/** Tells the consultees named that their comments are invited, after the commit. */
async function notifyConsultees(
  services: NotifyServices | null,
  document: { id: string; group_id: string; title: string },
  closesAt: Date,
  recipientIds: string[],
): Promise<void> {
  if (!services || recipientIds.length === 0) return;
  await notify(services, {
    recipientIds,
    kind: "consultation.opened",
    title: `Your comments are invited on ${document.title}`.slice(0, 200),
    body: `"${document.title}" is open for your comments until ${consultationClosingLabel(closesAt)} (New Zealand time).`,
    link: `/groups/${document.group_id}/documents/${document.id}`,
    groupId: document.group_id,
  });
}

/** 11:59 pm New Zealand time on `closesOn`; the form's schema lets only calendar dates through. */
function closingInstant(closesOn: string): Date {
  try {
    return nzEndOfDay(closesOn);
  } catch {
    throw invalidInput("Enter the closing date as a calendar date", "closesOn");
  }
}

/**
 * Opens a document for consultation to named consultees until the end of `closesOn` (NZ time).
 * One consultation is open on a document at a time. Notifies each consultee after commit.
 */
export async function openConsultation(
  db: Kysely<Database>,
  services: ConsultationServices | null,
  actor: Actor,
  input: OpenConsultationInput,
): Promise<{ consultationId: string; closesAt: Date }> {
  const now = input.now ?? new Date();
  const closesAt = closingInstant(input.closesOn);
  if (input.closesOn < nzCalendarDate(now)) throw invalidInput("The closing date cannot be in the past", "closesOn");
  return runCommand(
    db,
    {
      lock: async (trx) => {
        const document = await requireManageableDocument(trx, actor, input.documentId);
        const invitees = await requireConsultees(trx, document.group_id, input.consulteeUserIds);
        return { document, invitees, open: await findOpenConsultation(trx, document.id, now) };
      },
      check: ({ open }) => {
        if (open) throw conflict("CONSULTATION_ALREADY_OPEN", "This document is already open for consultation");
      },
      change: async (trx, { document, invitees }) => {
        const consultation = await trx
          .insertInto("consultations")
          .values({ document_id: document.id, brief: input.brief, closes_at: closesAt, opened_by: actor.id, opened_at: now })
          .returning("id")
          .executeTakeFirstOrThrow();
        await trx
          .insertInto("consultation_invitees")
          .values(invitees.map((userId) => ({ consultation_id: consultation.id, user_id: userId, invited_at: now })))
          .execute();
        return { consultationId: consultation.id, closesAt };
      },
      audit: ({ document, invitees }, { consultationId }) =>
        documentAudit(actor, document, "consultation.opened", input.ip, { consultationId, closesOn: input.closesOn, consulteeIds: invitees }),
      announce: async ({ document, invitees }) => {
        if (services) announceChanged(services, document.id);
        await notifyConsultees(services, document, closesAt, invitees);
      },
    },
    services ? { logger: services.logger } : {},
  );
}

/** Adds consultees to the open consultation; returns who was newly invited (and notifies them). */
export async function addConsultees(
  db: Kysely<Database>,
  services: NotifyServices | null,
  actor: Actor,
  input: { documentId: string; consulteeUserIds: readonly string[]; ip?: string | null; now?: Date },
): Promise<string[]> {
  const now = input.now ?? new Date();
  return runCommand(
    db,
    {
      lock: async (trx) => {
        const document = await requireManageableDocument(trx, actor, input.documentId);
        const wanted = await requireConsultees(trx, document.group_id, input.consulteeUserIds);
        const open = await findOpenConsultation(trx, document.id, now);
        if (!open) throw conflict("CONSULTATION_CLOSED", "This document is not open for consultation");
        return { document, wanted, open };
      },
      change: async (trx, { wanted, open }) => {
        const added = await trx
          .insertInto("consultation_invitees")
          .values(wanted.map((userId) => ({ consultation_id: open.id, user_id: userId, invited_at: now })))
          .onConflict((oc) => oc.columns(["consultation_id", "user_id"]).doNothing())
          .returning("user_id")
          .execute();
        return added.map((row) => row.user_id);
      },
      audit: ({ document, open }, addedIds) =>
        addedIds.length > 0
          ? documentAudit(actor, document, "consultation.invitee_added", input.ip, { consultationId: open.id, consulteeIds: addedIds })
          : [],
      announce: ({ document, open }, addedIds) => notifyConsultees(services, document, open.closes_at, addedIds),
    },
    services ? { logger: services.logger } : {},
  );
}

/**
 * Closes the open consultation now, before its closing date. After the commit, consultees' open
 * editor connections lose their read access at once (not at their next visit) and everyone with
 * the document open is told.
 */
export async function closeConsultationEarly(
  db: Kysely<Database>,
  actor: Actor,
  input: { documentId: string; ip?: string | null; now?: Date },
  services?: ConsultationServices,
): Promise<void> {
  const now = input.now ?? new Date();
  await runCommand(
    db,
    {
      lock: (trx) => requireManageableDocument(trx, actor, input.documentId),
      change: async (trx, document) => {
        const closed = await trx
          .updateTable("consultations")
          .set({ closed_early_at: now, closed_early_by: actor.id })
          .where("document_id", "=", document.id)
          .where(openAt(now))
          .returning("id")
          .execute();
        if (closed.length === 0) throw conflict("CONSULTATION_CLOSED", "This document is not open for consultation");
        return closed.map((row) => row.id);
      },
      audit: (document, consultationIds) => documentAudit(actor, document, "consultation.closed", input.ip, { consultationIds, early: true }),
      announce: async (document) => {
        if (!services) return;
        await services.accessChanged();
        announceChanged(services, document.id);
      },
    },
    services ? { logger: services.logger } : {},
  );
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
