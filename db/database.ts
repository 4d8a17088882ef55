/**
 * The `Database` type: one interface per table, as Kysely sees them.
 * Columns the database fills are `Generated<>`; nullable columns are `| null`.
 * Dates (`date`) are read as "YYYY-MM-DD" strings and instants (`timestamptz`) as `Date`,
 * on PGlite and PostgreSQL alike (see `connect.ts`).
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** A `timestamptz` column: read as Date, written as Date or ISO string, filled by default. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** A `date` column, as an ISO calendar date "YYYY-MM-DD". */
export type CalendarDate = string;

export const organisationSectors = [
  "government_department",
  "crown_entity",
  "ngo",
  "iwi_maori",
  "community",
  "disabled_peoples_organisation",
  "other",
] as const;
export type OrganisationSector = (typeof organisationSectors)[number];

export const membershipRoles = [
  "chair",
  "secretary",
  "member",
  "minister_office",
  "consultee",
  "observer",
] as const;
export type MembershipRole = (typeof membershipRoles)[number];

export const documentKinds = ["terms_of_reference", "agenda", "paper", "notes"] as const;
export type DocumentKind = (typeof documentKinds)[number];

export const documentStatuses = ["draft", "submitted", "approved", "returned", "final"] as const;
export type DocumentStatus = (typeof documentStatuses)[number];

export const classifications = ["UNCLASSIFIED", "IN-CONFIDENCE", "SENSITIVE"] as const;
export type Classification = (typeof classifications)[number];

export const meetingStatuses = ["scheduled", "in_progress", "closed", "cancelled"] as const;
export type MeetingStatus = (typeof meetingStatuses)[number];

/** A meeting, or the record that holds the decisions made between meetings (never scheduled or held). */
export const meetingKinds = ["meeting", "between_meetings"] as const;
export type MeetingKind = (typeof meetingKinds)[number];

export const decisionProcesses = ["consent", "consensus", "majority"] as const;
export type DecisionProcess = (typeof decisionProcesses)[number];
export const majorityThresholds = ["more_than_half", "two_thirds", "three_quarters"] as const;
export type MajorityThreshold = (typeof majorityThresholds)[number];
export const majorityBases = ["votes_cast", "eligible"] as const;
export type MajorityBase = (typeof majorityBases)[number];
export const stanceChoices = ["consent", "object", "agree", "abstain", "disagree", "block", "yes", "no"] as const;
export type StanceChoice = (typeof stanceChoices)[number];
export const proposalOutcomes = ["passed", "not_passed", "no_quorum"] as const;
export type ProposalOutcome = (typeof proposalOutcomes)[number];

export interface OrganisationTable {
  id: Generated<string>;
  name: string;
  short_name: string | null;
  sector: OrganisationSector;
  created_at: CreatedAt;
}

export interface UserTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  password_hash: string | null;
  is_platform_admin: Generated<boolean>;
  disabled_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface GroupTable {
  id: Generated<string>;
  /** The short code used in decision references, e.g. "SSCSG" in SSCSG-27-MIN-0001. */
  code: string;
  name: string;
  description: Generated<string>;
  portfolio: Generated<string>;
  quorum: Generated<number>;
  created_at: CreatedAt;
  archived_at: NullableTimestamp;
  /** A vote between meetings needs at least this share (per cent) of eligible seats to take part. */
  proposal_quorum_percent: Generated<number>;
  /** The decision process the terms of reference name, and a majority vote's default threshold. */
  default_decision_process: Generated<DecisionProcess>;
  default_majority_threshold: Generated<MajorityThreshold>;
}

export interface MembershipTable {
  id: Generated<string>;
  group_id: string;
  user_id: string;
  organisation_id: string | null;
  role: MembershipRole;
  starts_on: CalendarDate;
  ends_on: CalendarDate | null;
  /** Set when this membership is an alternate: the membership it stands in for. */
  alternate_for_id: string | null;
  end_reason: string | null;
  created_at: CreatedAt;
}

export interface DocumentTable {
  id: Generated<string>;
  group_id: string;
  kind: DocumentKind;
  title: string;
  status: Generated<DocumentStatus>;
  classification: Generated<Classification>;
  /** Plain text and HTML renderings of the current content, for search and exports. */
  content_text: Generated<string>;
  content_html: Generated<string>;
  created_by: string | null;
  created_at: CreatedAt;
  updated_by: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  archived_at: NullableTimestamp;
}

export interface MeetingTable {
  id: Generated<string>;
  group_id: string;
  title: string;
  starts_at: Timestamp;
  duration_minutes: number;
  location: string | null;
  online_url: string | null;
  status: Generated<MeetingStatus>;
  agenda_document_id: string | null;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** The ICS SEQUENCE: one more with each reschedule or cancellation. */
  sequence: Generated<number>;
  cancelled_at: NullableTimestamp;
  cancelled_by: string | null;
  cancel_reason: string | null;
  started_at: NullableTimestamp;
  ended_at: NullableTimestamp;
  /** While the meeting is in progress: the agenda item everyone's screen shows. */
  current_agenda_item_id: string | null;
  /** A member chairing this meeting in the chair's place; null when the chair runs it. */
  acting_chair_user_id: string | null;
  /** "between_meetings": the record of decisions made between meetings, whose minute the secretary confirms. */
  kind: Generated<MeetingKind>;
}

export const agendaItemKinds = [
  "item",
  "karakia",
  "whakawhanaungatanga",
  "apologies",
  "conflicts",
  "previous_minutes",
  "general_business",
  "closing",
] as const;
export type AgendaItemKind = (typeof agendaItemKinds)[number];

export interface AgendaItemTable {
  id: Generated<string>;
  meeting_id: string;
  position: number;
  title: string;
  presenter: string | null;
  minutes_allotted: number | null;
  /** What the item is for: standing items (apologies, conflicts …) get their tools in live mode. */
  kind: Generated<AgendaItemKind>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface AgendaItemPaperTable {
  agenda_item_id: string;
  document_id: string;
  position: number;
}

export const attendanceStatuses = ["present", "apologies", "absent"] as const;
export type AttendanceStatus = (typeof attendanceStatuses)[number];

/** One membership's attendance at a meeting; no row means not recorded yet. */
export interface MeetingAttendanceTable {
  meeting_id: string;
  membership_id: string;
  status: AttendanceStatus;
  /** Who they were at the meeting (written when recorded and at confirmation); confirmed minutes read these. */
  member_name: string;
  organisation_name: string | null;
  role: MembershipRole;
  alternate_for_name: string | null;
  recorded_by: string | null;
  recorded_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** An official (not a member) present at a meeting, with their agency. */
export interface MeetingOfficialTable {
  id: Generated<string>;
  meeting_id: string;
  name: string;
  agency: string;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface ConflictDeclarationTable {
  id: Generated<string>;
  meeting_id: string;
  /** The agenda item it bears on; null for a general declaration. */
  agenda_item_id: string | null;
  membership_id: string;
  member_name: string;
  organisation_name: string | null;
  interest: string;
  /** How it was managed, e.g. "Left the room for this item". */
  management: string;
  recorded_by: string | null;
  recorded_at: CreatedAt;
}

export const minuteStatuses = ["draft", "confirmed"] as const;
export type MinuteStatus = (typeof minuteStatuses)[number];

/** A meeting's minute of decision; its reference is given when it is confirmed. */
export interface MinuteTable {
  id: Generated<string>;
  meeting_id: string;
  group_id: string;
  status: Generated<MinuteStatus>;
  classification: Generated<Classification>;
  /** e.g. "SSCSG-26-MIN-0003"; null while draft. */
  reference: string | null;
  reference_year: number | null;
  reference_number: number | null;
  secretary_name: string | null;
  /** The quorum when the minute was confirmed; null while draft. */
  quorum_filled: number | null;
  quorum_seats: number | null;
  quorum_required: number | null;
  confirmed_at: NullableTimestamp;
  confirmed_by: string | null;
  /** Confirmed at this (later) meeting; null when the secretary confirmed them outside a meeting. */
  confirmed_at_meeting_id: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface MinuteReferenceCounterTable {
  group_id: string;
  /** Two-digit year of the meeting in New Zealand (26 for 2026). */
  year: number;
  last_number: number;
}

export const decisionVerbs = [
  "noted",
  "agreed",
  "directed",
  "invited",
  "authorised",
  "approved",
  "declined",
  "endorsed",
  "requested",
  "confirmed",
  "recommended",
] as const;
export type DecisionVerb = (typeof decisionVerbs)[number];

/** One paragraph of a minute: numbered (with its verb) or a sub-paragraph of one (parent_id). */
export interface DecisionTable {
  id: Generated<string>;
  minute_id: string;
  parent_id: string | null;
  position: number;
  /** A heading shown above this numbered paragraph (it starts a new group of paragraphs). */
  heading: string | null;
  agenda_item_id: string | null;
  verb: DecisionVerb | null;
  body: string;
  /** The body folded for search: lower case, macrons and accents removed. */
  search_text: string;
  /** A correction: the earlier (confirmed) decision this one corrects. */
  corrects_decision_id: string | null;
  /** Set on the paragraph that records the confirmation of an earlier minute at this meeting. */
  confirms_minute_id: string | null;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export const actionStatuses = ["open", "in_progress", "done", "cancelled"] as const;
export type ActionStatus = (typeof actionStatuses)[number];

/** Something a decision directs or invites someone to do by a date; owned by a person or an organisation. */
export interface ActionTable {
  id: Generated<string>;
  group_id: string;
  decision_id: string;
  description: string;
  owner_user_id: string | null;
  owner_organisation_id: string | null;
  /** The owner's name as the minute prints it, fixed when the decision was recorded. */
  owner_label: string;
  due_on: CalendarDate;
  status: Generated<ActionStatus>;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  completed_at: NullableTimestamp;
}

export interface ActionUpdateTable {
  id: Generated<string>;
  action_id: string;
  status: ActionStatus;
  note: string | null;
  created_by: string | null;
  created_at: CreatedAt;
}

/** A person's private calendar feed of a group's meetings; revoked feeds stop answering. */
export interface CalendarFeedTable {
  id: Generated<string>;
  user_id: string;
  group_id: string;
  token_hash: string;
  created_at: CreatedAt;
  revoked_at: NullableTimestamp;
}

/** How far each scheduled check has got (db/migrations/20261204T1000_background_work.ts). */
export interface ScheduleMarkTable {
  name: string;
  up_to: Date;
}

/** A person's own choice about a document's comments: follow them, or stop (over the default). */
export interface DocumentFollowTable {
  document_id: string;
  user_id: string;
  following: boolean;
  updated_at: Generated<Date>;
}

/** A person a comment @mentions, by id. */
export interface CommentMentionTable {
  comment_id: string;
  user_id: string;
}

/** A resolution put to the group (db/migrations/20261207T1000_proposals.ts). */
export interface ProposalTable {
  id: Generated<string>;
  group_id: string;
  meeting_id: string | null;
  agenda_item_id: string | null;
  /** The exact frozen version of a paper or the terms of reference it is about. */
  document_version_id: string | null;
  title: string;
  verb: DecisionVerb;
  /** The resolution after its verb: "that the draft terms of reference be …". */
  resolution: string;
  background: Generated<string>;
  process: DecisionProcess;
  majority_threshold: MajorityThreshold | null;
  majority_base: MajorityBase | null;
  closes_at: Timestamp;
  results: "visible" | "hidden_until_closed";
  ballot: "named" | "secret";
  quorum_percent: number;
  status: Generated<"open" | "closed">;
  outcome: ProposalOutcome | null;
  tally: ColumnType<Record<string, number> | null, string | null | undefined, string | null>;
  eligible_seats: number | null;
  seats_taking_part: number | null;
  closed_by: string | null;
  closed_at: NullableTimestamp;
  closed_early: boolean | null;
  decision_id: string | null;
  reminder_sent_at: NullableTimestamp;
  /** When the chair put it live at its meeting (the Now panel); null when it was not. */
  live_at: NullableTimestamp;
  /** The show of hands recorded at the meeting: counts by choice, no names. */
  show_of_hands: ColumnType<Record<string, number> | null, string | null | undefined, string | null>;
  opened_by: string;
  opened_at: CreatedAt;
}
export type Proposal = Selectable<ProposalTable>;

/** An action a passed proposal will create (its verb directs, invites or requests). */
export interface ProposalActionTable {
  id: Generated<string>;
  proposal_id: string;
  description: string;
  owner_user_id: string | null;
  owner_organisation_id: string | null;
  due_on: CalendarDate;
  position: number;
}

/** Who could take part, per seat, when the proposal opened and when it closed. */
export interface ProposalEligibilityTable {
  proposal_id: string;
  snapshot: "open" | "close";
  seat_membership_id: string;
  membership_id: string;
  user_id: string;
  member_name: string;
  organisation_name: string | null;
  is_alternate: boolean;
  excluded_for_conflict: Generated<boolean>;
}

export interface ProposalConflictTable {
  id: Generated<string>;
  proposal_id: string;
  membership_id: string;
  member_name: string;
  interest: string;
  recorded_by: string | null;
  recorded_at: CreatedAt;
}

/** A seat that took part, and who for it; no time and no choice (secret ballots rely on it). */
export interface ProposalParticipantTable {
  proposal_id: string;
  seat_membership_id: string;
  user_id: string;
}

/** A named ballot's stances, every one kept; a seat's current stance is its latest. */
export interface ProposalStanceTable {
  id: Generated<string>;
  proposal_id: string;
  seat_membership_id: string;
  user_id: string;
  stance: StanceChoice;
  reason: string | null;
  via: Generated<"web" | "email" | "show_of_hands">;
  created_at: CreatedAt;
}

/** A secret ballot's choices: one row per proposal, counts and shuffled reasons, nothing per voter. */
export interface ProposalBallotBoxTable {
  proposal_id: string;
  counts: ColumnType<Record<string, number>, string | undefined, string>;
  reasons: ColumnType<{ stance: StanceChoice; reason: string }[], string | undefined, string>;
}

export interface Database {
  proposals: ProposalTable;
  proposal_actions: ProposalActionTable;
  proposal_eligibility: ProposalEligibilityTable;
  proposal_conflicts: ProposalConflictTable;
  proposal_participants: ProposalParticipantTable;
  proposal_stances: ProposalStanceTable;
  proposal_ballot_boxes: ProposalBallotBoxTable;
  schedule_marks: ScheduleMarkTable;
  document_follows: DocumentFollowTable;
  comment_mentions: CommentMentionTable;
  organisations: OrganisationTable;
  users: UserTable;
  groups: GroupTable;
  memberships: MembershipTable;
  documents: DocumentTable;
  meetings: MeetingTable;
  agenda_items: AgendaItemTable;
  sessions: SessionTable;
  invitations: InvitationTable;
  password_resets: PasswordResetTable;
  sign_in_attempts: SignInAttemptTable;
  audit_log: AuditLogTable;
  document_updates: DocumentUpdateTable;
  document_snapshots: DocumentSnapshotTable;
  document_versions: DocumentVersionTable;
  document_submissions: DocumentSubmissionTable;
  notifications: NotificationTable;
  consultations: ConsultationTable;
  consultation_invitees: ConsultationInviteeTable;
  notification_preferences: NotificationPreferenceTable;
  unsubscribe_tokens: UnsubscribeTokenTable;
  reply_tokens: ReplyTokenTable;
  proposal_reply_tokens: ProposalReplyTokenTable;
  comment_threads: CommentThreadTable;
  comments: CommentTable;
  agenda_item_papers: AgendaItemPaperTable;
  meeting_attendance: MeetingAttendanceTable;
  meeting_officials: MeetingOfficialTable;
  conflict_declarations: ConflictDeclarationTable;
  minutes: MinuteTable;
  minute_reference_counters: MinuteReferenceCounterTable;
  decisions: DecisionTable;
  actions: ActionTable;
  action_updates: ActionUpdateTable;
  calendar_feeds: CalendarFeedTable;
  search_entries: SearchEntryTable;
  search_words: SearchWordTable;
}

export const searchKinds = ["document", "version", "comment", "meeting", "agenda_item", "decision", "action", "proposal"] as const;
export type SearchKind = (typeof searchKinds)[number];

/**
 * What search finds (db/migrations/20261207T1100_search.ts): written only by the triggers there,
 * in the transaction of the write they follow. `searchable` is generated from the title and body.
 */
export interface SearchEntryTable {
  kind: SearchKind;
  source_id: string;
  /** 0 for a whole thing; a document's or version's paragraphs are 1, 2 … (lines of its text). */
  part: Generated<number>;
  group_id: string;
  /** For documents, versions and comments: their document. */
  document_id: string | null;
  title: string;
  indexed_title: Generated<string>;
  body: Generated<string>;
  status: string | null;
  occurred_at: Timestamp;
  /** A same-site path to the exact place (paragraph, comment thread, decision paragraph). */
  link: string;
  searchable: ColumnType<string, never, never>;
}

/** Every lexeme indexed (whole words and English stems), with a trigram index: the typo fallback's vocabulary. */
export interface SearchWordTable {
  word: string;
}

export type Organisation = Selectable<OrganisationTable>;
export type NewOrganisation = Insertable<OrganisationTable>;
export type User = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type UserUpdate = Updateable<UserTable>;
export type Group = Selectable<GroupTable>;
export type Membership = Selectable<MembershipTable>;
export type NewMembership = Insertable<MembershipTable>;
export type DocumentRow = Selectable<DocumentTable>;
export type Meeting = Selectable<MeetingTable>;
export type AgendaItem = Selectable<AgendaItemTable>;
export type Minute = Selectable<MinuteTable>;
export type Decision = Selectable<DecisionTable>;
export type Action = Selectable<ActionTable>;

export interface SessionTable {
  /** SHA-256 of the session id in the cookie; the id itself is never stored. */
  id: string;
  user_id: string;
  expires_at: Timestamp;
  created_at: CreatedAt;
  ip: string | null;
  user_agent: string | null;
}

export interface InvitationTable {
  id: Generated<string>;
  token_hash: string;
  email: string;
  group_id: string;
  organisation_id: string | null;
  role: MembershipRole;
  invited_by: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  accepted_at: NullableTimestamp;
  accepted_user_id: string | null;
  revoked_at: NullableTimestamp;
}

export interface PasswordResetTable {
  id: Generated<string>;
  token_hash: string;
  user_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface SignInAttemptTable {
  id: Generated<number>;
  email: string;
  ip: string;
  attempted_at: CreatedAt;
}

export interface AuditLogTable {
  id: Generated<number>;
  occurred_at: CreatedAt;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  group_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  ip: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
}

/** `bytea`: Buffer from pg, Uint8Array from PGlite; written as Uint8Array. */
export type Bytes = ColumnType<Uint8Array, Uint8Array, Uint8Array>;

export interface DocumentUpdateTable {
  id: Generated<number>;
  document_id: string;
  update: Bytes;
  created_at: CreatedAt;
}

export interface DocumentSnapshotTable {
  document_id: string;
  state: Bytes;
  last_update_id: number;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export const versionReasons = ["manual", "submission", "restore"] as const;
export type VersionReason = (typeof versionReasons)[number];

export interface DocumentVersionTable {
  id: Generated<string>;
  document_id: string;
  number: number;
  name: string;
  reason: VersionReason;
  state: Bytes;
  content_html: string;
  content_text: string;
  content_hash: string;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface NotificationTable {
  id: Generated<string>;
  user_id: string;
  group_id: string | null;
  /** What happened, e.g. "approval.submitted"; for filtering and icons, not shown as is. */
  kind: string;
  title: string;
  body: string;
  /** A same-site path ("/groups/…"), opened through /notifications/<id>. */
  link: string;
  created_at: CreatedAt;
  read_at: NullableTimestamp;
  /** When it went out by email (at once or in a digest); null while not yet emailed. */
  emailed_at: NullableTimestamp;
}

export type Notification = Selectable<NotificationTable>;

export const submissionStatuses = ["pending", "withdrawn", "approved", "returned"] as const;
export type SubmissionStatus = (typeof submissionStatuses)[number];

/** A submission of one exact version for approval; frozen once it leaves "pending". */
export interface DocumentSubmissionTable {
  id: Generated<string>;
  document_id: string;
  version_id: string;
  status: Generated<SubmissionStatus>;
  cover_note: string | null;
  submitted_by: string;
  submitted_at: CreatedAt;
  withdrawn_by: string | null;
  withdrawn_at: NullableTimestamp;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  decision_reasons: string | null;
  /** The submitted version's content hash (SHA-256 of its text). */
  content_hash: string;
}
export type DocumentSubmission = Selectable<DocumentSubmissionTable>;

/** A document opened to named consultees until `closes_at` (end of an NZ calendar day). */
export interface ConsultationTable {
  id: Generated<string>;
  document_id: string;
  brief: string;
  closes_at: Timestamp;
  opened_by: string;
  opened_at: CreatedAt;
  closed_early_at: NullableTimestamp;
  closed_early_by: string | null;
}
export type Consultation = Selectable<ConsultationTable>;

export interface ConsultationInviteeTable {
  consultation_id: string;
  user_id: string;
  invited_at: CreatedAt;
}

export const emailModes = ["immediate", "daily_digest", "off"] as const;
export type EmailMode = (typeof emailModes)[number];

/** How a person wants notifications by email; no row means "immediate". */
export interface NotificationPreferenceTable {
  user_id: string;
  email_mode: EmailMode;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** One per notification email: SHA-256 (hex) of the token in its unsubscribe link. */
export interface UnsubscribeTokenTable {
  token_hash: string;
  user_id: string;
  created_at: CreatedAt;
}

/**
 * The token of one reply address (`reply+<token>@<domain>`): one person, one thread, until it
 * expires; spent by the one message (`used_message_id`) whose reply it posted (`comment_id`).
 */
export interface ReplyTokenTable {
  /** SHA-256 of the token, as hex; the token itself is never stored. */
  token_hash: string;
  user_id: string;
  thread_id: string;
  document_id: string;
  expires_at: Timestamp;
  /** For a consultee: the consultation whose closing ends it (`expires_at` is then its close). */
  consultation_id: string | null;
  created_at: CreatedAt;
  /** The Message-ID of the message that spent it (taken while it is being posted). */
  used_message_id: string | null;
  used_at: NullableTimestamp;
  /** The comment it posted, once posted. */
  comment_id: string | null;
  /** When the person was told by email that their reply could not be posted (once per token). */
  refusal_sent_at: NullableTimestamp;
}

/** A reply address of one proposal email to one person (stances by reply email, issue 22). */
export interface ProposalReplyTokenTable {
  /** SHA-256 of the token, as hex; the token itself is never stored. */
  token_hash: string;
  user_id: string;
  proposal_id: string;
  expires_at: Timestamp;
  created_at: CreatedAt;
  /** The Message-ID of the message that holds or spent it. */
  used_message_id: string | null;
  used_at: NullableTimestamp;
  /** What the message that spent it did; never the choice or the reason. */
  outcome: "took_part" | null;
  /** When the person was told by email why a reply was not taken (once per token). */
  refusal_sent_at: NullableTimestamp;
}

export const commentThreadStatuses = ["open", "resolved"] as const;
export type CommentThreadStatus = (typeof commentThreadStatuses)[number];

/** A comment thread anchored to a range of a document's text (Yjs relative positions). */
export interface CommentThreadTable {
  id: Generated<string>;
  document_id: string;
  /** Y.encodeRelativePosition of the range's start in the "default" XmlFragment. */
  anchor_start: Bytes;
  anchor_end: Bytes;
  /** The selected words when the thread was started (at most 1000 characters): the plain text they covered. */
  quote: string;
  /**
   * The text-quote selector's context (app/documents/quote-selector.ts): up to 32 characters of
   * the document's plain text before and after the quote, and the quote's offset in it. Null for
   * threads started before they were kept: those are found again by their quote alone.
   */
  quote_prefix: string | null;
  quote_suffix: string | null;
  quote_position: number | null;
  status: Generated<CommentThreadStatus>;
  created_by: string;
  created_at: CreatedAt;
  resolved_by: string | null;
  resolved_at: NullableTimestamp;
}
export type CommentThread = Selectable<CommentThreadTable>;

/** One comment in a thread: plain text; a deleted comment keeps its row, its body never shown. */
export interface CommentTable {
  id: Generated<string>;
  thread_id: string;
  author_id: string;
  body: string;
  created_at: CreatedAt;
  edited_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
}
export type Comment = Selectable<CommentTable>;
