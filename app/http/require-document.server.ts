/**
 * The door to a document's pages: the signed-in person, the document and its group when they may
 * read it, and a refusal otherwise. Someone who may not read it gets a 404, as if it did not exist
 * (docs/ARCHITECTURE.md, request flow 7); a consultee whose consultation has closed is sent to the
 * page that says so.
 */
import type { AppLoadContext } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { notFound } from "../errors.js";
import { closedConsultationForConsultee } from "../models/consultations.server.js";
import { findVersion } from "../models/document-versions.server.js";
import { findDocumentDetails, findDocumentGroup } from "../models/documents.server.js";
import { documentResource } from "../models/policy-resources.server.js";
import { can } from "../policy/policy.js";
import { requireActor, requirePermission } from "./require.server.js";
import { invariantResponse, refuse } from "./responses.server.js";

export async function requireReadableDocument(
  request: Request,
  context: AppLoadContext,
  params: { groupId?: string; documentId?: string },
) {
  const { user, actor } = await requireActor(request, context);
  const db = context.services.db;
  const document = await findDocumentDetails(db, params.documentId ?? "");
  if (!document || document.group_id !== params.groupId) refuse(notFound());
  const resource = await documentResource(db, actor, document);
  if (!can(actor, "document.read", resource)) {
    // A consultee following a link after their consultation closed learns that, not "not found".
    if (actor.rolesByGroup.get(document.group_id) === "consultee" && (await closedConsultationForConsultee(db, actor.id, document.id))) {
      throw redirect(`/groups/${document.group_id}/documents/${document.id}/consultation/closed`);
    }
    refuse(notFound());
  }
  const group = await findDocumentGroup(db, document.group_id);
  return { user, actor, document, resource, group };
}

/**
 * A document's history (versions, comparisons, approvals, the approved text and their exports):
 * for the group's readers, not consultees, who see only the text opened to them (403).
 */
export async function requireDocumentHistory(
  request: Request,
  context: AppLoadContext,
  params: { groupId?: string; documentId?: string },
) {
  const found = await requireReadableDocument(request, context, params);
  requirePermission(found.actor, "document.history", found.resource);
  return found;
}

/** The terms of reference's approval pages: 404 for any other kind of document. */
export async function requireTermsOfReference(
  request: Request,
  context: AppLoadContext,
  params: { groupId?: string; documentId?: string },
) {
  const found = await requireDocumentHistory(request, context, params);
  invariantResponse(found.document.kind === "terms_of_reference", notFound);
  return found;
}

/** One saved version of the document, for its history's readers: 404 when there is no such number. */
export async function requireVersion(
  request: Request,
  context: AppLoadContext,
  params: { groupId?: string; documentId?: string; versionNumber?: string },
) {
  const found = await requireDocumentHistory(request, context, params);
  const version = await findVersion(context.services.db, found.document.id, parseVersionNumber(params.versionNumber));
  invariantResponse(version, notFound);
  return { ...found, version };
}

/** "3" → 3; anything that is not a version number → NaN (which finds no version). */
export function parseVersionNumber(value: string | null | undefined): number {
  return /^[1-9]\d{0,8}$/.test(value ?? "") ? Number(value) : Number.NaN;
}
