/** The words people see for the codes stored in the database. */
import type {
  ActionStatus,
  AgendaItemKind,
  AttendanceStatus,
  DocumentKind,
  DocumentStatus,
  MeetingStatus,
  MembershipRole,
  OrganisationSector,
} from "../../db/database.js";

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

export const meetingStatusLabels: Record<MeetingStatus, string> = {
  scheduled: "Scheduled",
  in_progress: "In progress",
  closed: "Ended",
  cancelled: "Cancelled",
};

export const attendanceStatusLabels: Record<AttendanceStatus, string> = {
  present: "Present",
  apologies: "Apologies",
  absent: "Absent",
};

export const actionStatusLabels: Record<ActionStatus, string> = {
  open: "Not started",
  in_progress: "Under way",
  done: "Done",
  cancelled: "No longer needed",
};

/** What each standing agenda item is for, as the live meeting shows it. */
export const agendaItemKindLabels: Record<AgendaItemKind, string> = {
  item: "Item",
  karakia: "Opening karakia",
  whakawhanaungatanga: "Whakawhanaungatanga",
  apologies: "Apologies",
  conflicts: "Conflicts of interest",
  previous_minutes: "Confirmation of the previous minutes",
  general_business: "General business",
  closing: "Closing karakia",
};
