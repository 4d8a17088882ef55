/**
 * The consultation commands (journey 3): the chair or secretary opens a document to named
 * consultees until the end of a chosen New Zealand calendar day, and may add consultees or close
 * it early. Each command (runCommand) checks the policy and the state, writes its audit entry in
 * the same transaction, and after the commit tells the consultees and everyone with the document
 * open. Reading consultations is consultations.server.ts.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/database.js";
import { conflict, forbidden, invalidInput, notFound } from "../errors.js";
import { type Actor, can } from "../policy/policy.js";
import { documentRoom } from "../realtime/contract.js";
import type { AppServices } from "../services.js";
import { nzCalendarDate, nzEndOfDay } from "../utils/dates.js";
import { runCommand } from "./command.server.js";
import { openAt } from "./consultation-access.server.js";
import { consultationClosingLabel, listConsulteeMembers } from "./consultations.server.js";
import { findDocument } from "./document-access.server.js";
import { documentAudit } from "./documents.server.js";
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
