/**
 * The forms of a group's membership (its members page and inviting people) and of the Hub's
 * administration (organisations, groups, accounts, the audit log's filter), one schema each,
 * shared by the browser (Conform) and the actions and loaders (`parseWithZod`). Pages with several
 * forms parse a `z.discriminatedUnion("intent", …)` of them.
 *
 * Shared with the browser: no server imports here.
 */
import * as z from "zod";
import { membershipRoles, organisationSectors } from "../../db/database.js";
import { EMAIL_MAX } from "../auth/schemas.js";
import { nzDate } from "../utils/nz-date-schema.js";

// ---- a group's members (routes/groups.$groupId.members.tsx) -----------------------------------

export const MEMBERSHIP_END_REASON_MAX = 500;

/** "Who were the members on a date?" (a GET form: the loader parses it). */
export const membersOnDateSchema = z.object({ on: nzDate("Enter a date like 8 December 2026").optional() });

export const endMembershipSchema = z.object({
  intent: z.literal("end"),
  membershipId: z.string({ error: "Choose the membership to end" }).min(1, "Choose the membership to end"),
  endsOn: nzDate("Enter the last day of the membership, like 31 August 2026"),
  reason: z
    .string({ error: "Say why the membership ended" })
    .trim()
    .min(1, "Say why the membership ended")
    .max(MEMBERSHIP_END_REASON_MAX, `Keep the reason to ${MEMBERSHIP_END_REASON_MAX} characters or fewer`),
});

export const changeRoleSchema = z.object({
  intent: z.literal("change-role"),
  membershipId: z.string({ error: "Choose the member whose role changes" }).min(1, "Choose the member whose role changes"),
  newRole: z.enum(membershipRoles, { error: "Choose the new role" }),
  onDate: nzDate("Enter the first day in the new role, like 1 December 2026"),
});

export const membershipCommandSchema = z.discriminatedUnion("intent", [endMembershipSchema, changeRoleSchema]);

// ---- inviting people (routes/groups.$groupId.invite.tsx) --------------------------------------

export const inviteSchema = z.object({
  intent: z.literal("invite"),
  email: z
    .string({ error: "Enter their email address" })
    .trim()
    .min(1, "Enter their email address")
    .max(EMAIL_MAX, "That email address is too long")
    .pipe(z.email("Enter an email address like name@example.org")),
  role: z.enum(membershipRoles, { error: "Choose the role they will have" }),
  organisationId: z.uuid({ error: "Choose the organisation they represent" }),
});

export const revokeInvitationSchema = z.object({
  intent: z.literal("revoke"),
  invitationId: z.string({ error: "Choose the invitation to revoke" }),
});

export const invitationCommandSchema = z.discriminatedUnion("intent", [inviteSchema, revokeInvitationSchema]);

// ---- administration (routes/admin.*.tsx) ------------------------------------------------------

export const organisationSchema = z.object({
  name: z
    .string({ error: "Enter the organisation's name" })
    .trim()
    .min(1, "Enter the organisation's name")
    .max(200, "Keep the name to 200 characters or fewer"),
  shortName: z.string().trim().max(30, "Keep the short name to 30 characters or fewer").optional(),
  sector: z.enum(organisationSectors, { error: "Choose the organisation's sector" }),
});

export const GROUP_CODE_RULE = "Use 2 to 12 capital letters and digits, starting with a letter, like SSCSG";

export const groupSchema = z.object({
  code: z
    .string({ error: "Enter the group's reference code" })
    .trim()
    .min(1, "Enter the group's reference code")
    .toUpperCase()
    .regex(/^[A-Z][A-Z0-9]{1,11}$/, GROUP_CODE_RULE),
  name: z
    .string({ error: "Enter the group's name" })
    .trim()
    .min(1, "Enter the group's name")
    .max(200, "Keep the name to 200 characters or fewer"),
  portfolio: z.string().trim().max(200, "Keep the portfolio to 200 characters or fewer").default(""),
  description: z.string().trim().max(2000, "Keep the description to 2,000 characters or fewer").default(""),
  quorum: z
    .string({ error: "Enter the quorum" })
    .trim()
    .min(1, "Enter the quorum")
    .regex(/^\d{1,3}$/, "Enter the quorum as a whole number, like 4")
    .transform(Number)
    .pipe(z.number().min(1, "The quorum must be at least 1").max(100, "The quorum must be 100 or fewer")),
});

/** Disabling or enabling one account (the button pressed is the intent). */
export const accountStatusSchema = z.object({
  intent: z.enum(["disable", "enable"], { error: "Choose to disable or enable the account" }),
  userId: z.string({ error: "Choose an account" }).min(1, "Choose an account"),
});

/** Trying an undelivered email again, or discarding it (/admin/email). */
export const undeliveredEmailSchema = z.object({
  intent: z.enum(["resend", "discard"], { error: "Choose to send the email again or discard it" }),
  emailId: z.string({ error: "Choose an email" }).min(1, "Choose an email"),
});

/** The audit log's filter and page (a GET form: the loader parses it, and shows everything when it is odd). */
export const auditFilterSchema = z.object({
  action: z.string().trim().max(100).optional(),
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
});
