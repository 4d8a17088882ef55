/** The words people see for the codes stored in the database. */
import type { DocumentKind, DocumentStatus, MembershipRole, OrganisationSector } from "../../db/database.js";

export const roleLabels: Record<MembershipRole, string> = {
  chair: "Chair",
  secretary: "Secretary",
  member: "Member",
  minister_office: "Lead Minister's office",
  consultee: "Consultee",
  observer: "Observer",
};

export const sectorLabels: Record<OrganisationSector, string> = {
  government_department: "Government department",
  crown_entity: "Crown entity",
  ngo: "Non-government organisation",
  iwi_maori: "Iwi or Māori organisation",
  community: "Community organisation",
  disabled_peoples_organisation: "Disabled people's organisation",
  other: "Other",
};

export const documentKindLabels: Record<DocumentKind, string> = {
  terms_of_reference: "Terms of reference",
  agenda: "Agenda",
  paper: "Recommendation or paper",
  notes: "Notes",
};

export const documentStatusLabels: Record<DocumentStatus, string> = {
  draft: "Draft",
  submitted: "Submitted for approval",
  approved: "Approved",
  returned: "Returned",
  final: "Final",
};
