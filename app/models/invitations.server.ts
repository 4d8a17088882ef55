/**
 * Sending invitations to join a group: a chair, secretary or the Hub's administrator invites a
 * person by email with a role and the organisation they represent. The link carries a single-use
 * token that expires after 7 days; only its SHA-256 is stored. Re-inviting an email while an
 * invitation is pending revokes the older one. Accepting is in invitation-acceptance.server.ts.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, MembershipRole } from "../../db/database.js";
import { normaliseEmail } from "./sign-in.server.js";
import { createEmailToken } from "../auth/tokens.server.js";
import type { EmailMessage } from "../email/message.js";
import type { Emailing } from "../services.js";
import { type AppError, conflict, forbidden, invalidInput, notFound } from "../errors.js";
import { type Actor, can } from "../policy/policy.js";
import { isUuid } from "../utils/ids.js";
import { formatNzDate, formatNzTime } from "../utils/dates.js";
import { roleLabels } from "../utils/labels.js";
import type { AuditEntry } from "./audit.server.js";
import { runCommand } from "./command.server.js";
import { groupResource } from "./policy-resources.server.js";

export const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

type Db = Kysely<Database> | Transaction<Database>;

/** Where an invitation stands at a given moment. */
export type InvitationState = "pending" | "accepted" | "revoked" | "expired";

export interface RequestFacts {
  ip?: string | null;
  now?: Date;
}

export function invitationState(
  row: { accepted_at: Date | null; revoked_at: Date | null; expires_at: Date },
  now: Date,
): InvitationState {
  if (row.accepted_at) return "accepted";
  if (row.revoked_at) return "revoked";
  if (row.expires_at.getTime() <= now.getTime()) return "expired";
  return "pending";
}

/** The code of the refusal for an invitation that is no longer pending. */
export const refusalCodes = {
  accepted: "INVITATION_USED",
  revoked: "INVITATION_REVOKED",
  expired: "INVITATION_EXPIRED",
} as const satisfies Record<Exclude<InvitationState, "pending">, AppError["code"]>;

/** Invitations to the group that can still be accepted, newest first. */
export async function listPendingInvitations(db: Db, groupId: string, now = new Date()) {
  return db
    .selectFrom("invitations")
    .leftJoin("organisations", "organisations.id", "invitations.organisation_id")
    .innerJoin("users", "users.id", "invitations.invited_by")
    .select([
      "invitations.id",
      "invitations.email",
      "invitations.role",
      "invitations.created_at",
      "invitations.expires_at",
      "organisations.name as organisation_name",
      "users.display_name as invited_by_name",
    ])
    .where("invitations.group_id", "=", groupId)
    .where("invitations.accepted_at", "is", null)
    .where("invitations.revoked_at", "is", null)
    .where("invitations.expires_at", ">", now)
    .orderBy("invitations.created_at", "desc")
    .execute();
}

export interface CreatedInvitation {
  invitationId: string;
  /** For the email only: never stored, logged or shown. */
  token: string;
  email: string;
  role: MembershipRole;
  groupName: string;
  organisationName: string | null;
  invitedByName: string;
  expiresAt: Date;
  /** Older pending invitations to the same email and group, now revoked. */
  replacedInvitationIds: string[];
}

/**
 * Invites `email` to the group with a role, as the organisation's representative. Refuses with
 * FORBIDDEN, NOT_FOUND (no such group) or INVALID_INPUT on `organisationId`. The email with the
 * link (`invitationEmail`) is queued in the same transaction.
 */
export async function createInvitation(
  db: Kysely<Database>,
  emailing: Emailing,
  actor: Actor,
  input: { groupId: string; email: string; role: MembershipRole; organisationId: string | null },
  { ip = null, now = new Date() }: RequestFacts = {},
): Promise<CreatedInvitation> {
  const email = normaliseEmail(input.email);
  const { token, tokenHash } = createEmailToken();
  const expiresAt = new Date(now.getTime() + INVITATION_LIFETIME_MS);
  return runCommand(db, {
    async lock(trx) {
      const group = await trx
        .selectFrom("groups")
        .select(["id", "name"])
        .where("id", "=", input.groupId)
        .where("archived_at", "is", null)
        .executeTakeFirst();
      if (!group) throw notFound();
      const organisation = input.organisationId
        ? await trx.selectFrom("organisations").select("name").where("id", "=", input.organisationId).executeTakeFirst()
        : null;
      if (input.organisationId && !organisation) throw invalidInput("Choose the organisation they represent", "organisationId");
      const inviter = await trx.selectFrom("users").select("display_name").where("id", "=", actor.id).executeTakeFirstOrThrow();
      return { group, organisationName: organisation?.name ?? null, invitedByName: inviter.display_name };
    },
    check({ group }) {
      if (!can(actor, "group.members.invite", groupResource(group.id))) throw forbidden();
    },
    async change(trx, { group, organisationName, invitedByName }) {
      const replaced = await trx
        .updateTable("invitations")
        .set({ revoked_at: now })
        .where("group_id", "=", group.id)
        .where("email", "=", email)
        .where("accepted_at", "is", null)
        .where("revoked_at", "is", null)
        .where("expires_at", ">", now)
        .returning("id")
        .execute();
      const invitation = await trx
        .insertInto("invitations")
        .values({
          token_hash: tokenHash,
          email,
          group_id: group.id,
          organisation_id: input.organisationId,
          role: input.role,
          invited_by: actor.id,
          created_at: now,
          expires_at: expiresAt,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const created = {
        invitationId: invitation.id,
        token,
        email,
        role: input.role,
        groupName: group.name,
        organisationName,
        invitedByName,
        expiresAt,
        replacedInvitationIds: replaced.map((row) => row.id),
      };
      // Queued in this transaction: the email goes out exactly when the invitation exists.
      await emailing.outbox.sendEmail(trx, invitationEmail(created, emailing.publicUrl));
      return created;
    },
    audit({ group, organisationName }, created): AuditEntry[] {
      const entry = { actorId: actor.id, groupId: group.id, subjectType: "invitation", ip };
      return [
        ...created.replacedInvitationIds.map((id) => ({
          ...entry,
          action: "invitation.revoked",
          subjectId: id,
          details: { email, reason: "replaced_by_new_invitation" },
        })),
        {
          ...entry,
          action: "invitation.created",
          subjectId: created.invitationId,
          details: {
            email,
            role: input.role,
            organisationId: input.organisationId,
            organisationName,
            expiresAt: expiresAt.toISOString(),
          },
        },
      ];
    },
  });
}

/** The email that carries the invitation link. */
export function invitationEmail(invitation: CreatedInvitation, publicUrl: string): EmailMessage {
  const link = `${publicUrl}/invitations/${invitation.token}`;
  const representing = invitation.organisationName ? `, representing ${invitation.organisationName}` : "";
  const text = [
    "Kia ora,",
    "",
    `${invitation.invitedByName} has invited you to join the ${invitation.groupName} as ${roleLabels[invitation.role]}${representing}.`,
    "",
    "To accept, open this link:",
    link,
    "",
    `The link works once. It expires on ${formatNzDate(invitation.expiresAt)} at ${formatNzTime(invitation.expiresAt)} (New Zealand time).`,
    "",
    "If you were not expecting this invitation, you can ignore this email.",
    "",
    "Stewardship Workspace",
  ].join("\n");
  return { to: invitation.email, subject: `Invitation to join the ${invitation.groupName}`, text };
}

/**
 * Withdraws a pending invitation so its link no longer works. Refuses with FORBIDDEN, NOT_FOUND,
 * or the code of the state it is in when it is no longer pending.
 */
export async function revokeInvitation(
  db: Kysely<Database>,
  actor: Actor,
  input: { groupId: string; invitationId: string },
  { ip = null, now = new Date() }: RequestFacts = {},
): Promise<void> {
  await runCommand(db, {
    async lock(trx) {
      const invitation = isUuid(input.invitationId)
        ? await trx
            .selectFrom("invitations")
            .select(["id", "email", "accepted_at", "revoked_at", "expires_at"])
            .where("id", "=", input.invitationId)
            .where("group_id", "=", input.groupId)
            .forUpdate()
            .executeTakeFirst()
        : undefined;
      if (!invitation) throw notFound("There is no such invitation.");
      return invitation;
    },
    check(invitation) {
      if (!can(actor, "group.members.invite", groupResource(input.groupId))) throw forbidden();
      const state = invitationState(invitation, now);
      if (state !== "pending") {
        throw conflict(refusalCodes[state], "That invitation has already been accepted, revoked or has expired, so there is nothing to revoke.");
      }
    },
    async change(trx, invitation) {
      await trx.updateTable("invitations").set({ revoked_at: now }).where("id", "=", invitation.id).execute();
    },
    audit: (invitation) => ({
      actorId: actor.id,
      action: "invitation.revoked",
      groupId: input.groupId,
      subjectType: "invitation",
      subjectId: invitation.id,
      ip,
      details: { email: invitation.email },
    }),
  });
}
