/**
 * Invitations to join a group: a chair, secretary or the Hub's administrator invites a person by
 * email with a role and the organisation they represent. The link carries a single-use token that
 * expires after 7 days; only its SHA-256 is stored. Accepting creates the account (when the email
 * has none yet) and the membership, starting today in New Zealand, in one transaction with the
 * audit log. Re-inviting an email while an invitation is pending revokes the older one.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, MembershipRole } from "../../db/database.js";
import { hashPassword } from "../auth/new-password.server.js";
import { normaliseEmail } from "../auth/sign-in.server.js";
import { createEmailToken, hashEmailToken, isWellFormedEmailToken } from "../auth/tokens.server.js";
import type { EmailMessage } from "../email/mailer.server.js";
import { type Actor, can } from "../policy/policy.js";
import { formatNzDate, formatNzTime, nzCalendarDate } from "../utils/dates.js";
import { roleLabels } from "../utils/labels.js";
import { recordAudit } from "./audit.server.js";
import { membershipActiveOn } from "./memberships.server.js";

export const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

type Db = Kysely<Database> | Transaction<Database>;

/** Where an invitation stands at a given moment. */
export type InvitationState = "pending" | "accepted" | "revoked" | "expired";

export type InvitationError =
  | "FORBIDDEN"
  | "GROUP_NOT_FOUND"
  | "ORGANISATION_NOT_FOUND"
  | "INVITATION_NOT_FOUND"
  | "INVITATION_EXPIRED"
  | "INVITATION_USED"
  | "INVITATION_REVOKED"
  /** The email already has an account with a password: sign in and join instead. */
  | "ACCOUNT_EXISTS"
  /** Signed in as someone other than the person invited. */
  | "WRONG_ACCOUNT";

export interface RequestFacts {
  ip?: string | null;
  now?: Date;
}

function stateOf(row: { accepted_at: Date | null; revoked_at: Date | null; expires_at: Date }, now: Date): InvitationState {
  if (row.accepted_at) return "accepted";
  if (row.revoked_at) return "revoked";
  if (row.expires_at.getTime() <= now.getTime()) return "expired";
  return "pending";
}

const errorForState: Record<
  Exclude<InvitationState, "pending">,
  Extract<InvitationError, "INVITATION_USED" | "INVITATION_REVOKED" | "INVITATION_EXPIRED">
> = {
  accepted: "INVITATION_USED",
  revoked: "INVITATION_REVOKED",
  expired: "INVITATION_EXPIRED",
};

/** Organisations a person may be invited to represent, by name. */
export async function listOrganisationChoices(db: Db) {
  return db.selectFrom("organisations").select(["id", "name"]).orderBy("name").execute();
}

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

export type CreateInvitationResult =
  | {
      ok: true;
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
  | { ok: false; error: Extract<InvitationError, "FORBIDDEN" | "GROUP_NOT_FOUND" | "ORGANISATION_NOT_FOUND"> };

/**
 * Invites `email` to the group with a role, as the organisation's representative.
 * Send the email (`invitationEmail`) after this returns: the invitation is committed by then.
 */
export async function createInvitation(
  db: Kysely<Database>,
  actor: Actor,
  input: { groupId: string; email: string; role: MembershipRole; organisationId: string | null },
  { ip = null, now = new Date() }: RequestFacts = {},
): Promise<CreateInvitationResult> {
  if (!can(actor, "group.members.invite", { type: "group", groupId: input.groupId })) {
    return { ok: false, error: "FORBIDDEN" };
  }
  const email = normaliseEmail(input.email);
  const { token, tokenHash } = createEmailToken();
  const expiresAt = new Date(now.getTime() + INVITATION_LIFETIME_MS);

  return db.transaction().execute(async (trx): Promise<CreateInvitationResult> => {
    const group = await trx
      .selectFrom("groups")
      .select(["id", "name"])
      .where("id", "=", input.groupId)
      .where("archived_at", "is", null)
      .executeTakeFirst();
    if (!group) return { ok: false, error: "GROUP_NOT_FOUND" };
    let organisationName: string | null = null;
    if (input.organisationId) {
      const organisation = await trx
        .selectFrom("organisations")
        .select("name")
        .where("id", "=", input.organisationId)
        .executeTakeFirst();
      if (!organisation) return { ok: false, error: "ORGANISATION_NOT_FOUND" };
      organisationName = organisation.name;
    }
    const inviter = await trx.selectFrom("users").select("display_name").where("id", "=", actor.id).executeTakeFirstOrThrow();

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
    for (const old of replaced) {
      await recordAudit(trx, {
        actorId: actor.id,
        action: "invitation.revoked",
        groupId: group.id,
        subjectType: "invitation",
        subjectId: old.id,
        ip,
        details: { email, reason: "replaced_by_new_invitation" },
      });
    }

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
    await recordAudit(trx, {
      actorId: actor.id,
      action: "invitation.created",
      groupId: group.id,
      subjectType: "invitation",
      subjectId: invitation.id,
      ip,
      details: {
        email,
        role: input.role,
        organisationId: input.organisationId,
        organisationName,
        expiresAt: expiresAt.toISOString(),
      },
    });
    return {
      ok: true,
      invitationId: invitation.id,
      token,
      email,
      role: input.role,
      groupName: group.name,
      organisationName,
      invitedByName: inviter.display_name,
      expiresAt,
      replacedInvitationIds: replaced.map((row) => row.id),
    };
  });
}

/** The email that carries the invitation link. */
export function invitationEmail(
  invitation: Extract<CreateInvitationResult, { ok: true }>,
  publicUrl: string,
): EmailMessage {
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

export type RevokeInvitationResult =
  | { ok: true }
  | { ok: false; error: Extract<InvitationError, "FORBIDDEN" | "INVITATION_NOT_FOUND" | "INVITATION_EXPIRED" | "INVITATION_USED" | "INVITATION_REVOKED"> };

/** Withdraws a pending invitation so its link no longer works. */
export async function revokeInvitation(
  db: Kysely<Database>,
  actor: Actor,
  input: { groupId: string; invitationId: string },
  { ip = null, now = new Date() }: RequestFacts = {},
): Promise<RevokeInvitationResult> {
  if (!can(actor, "group.members.invite", { type: "group", groupId: input.groupId })) {
    return { ok: false, error: "FORBIDDEN" };
  }
  return db.transaction().execute(async (trx): Promise<RevokeInvitationResult> => {
    const invitation = await trx
      .selectFrom("invitations")
      .select(["id", "email", "accepted_at", "revoked_at", "expires_at"])
      .where("id", "=", input.invitationId)
      .where("group_id", "=", input.groupId)
      .forUpdate()
      .executeTakeFirst();
    if (!invitation) return { ok: false, error: "INVITATION_NOT_FOUND" };
    const state = stateOf(invitation, now);
    if (state !== "pending") return { ok: false, error: errorForState[state] };
    await trx.updateTable("invitations").set({ revoked_at: now }).where("id", "=", invitation.id).execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "invitation.revoked",
      groupId: input.groupId,
      subjectType: "invitation",
      subjectId: invitation.id,
      ip,
      details: { email: invitation.email },
    });
    return { ok: true };
  });
}

/** What the invitation page shows about the invitation a link names. */
export interface InvitationForAcceptance {
  id: string;
  state: InvitationState;
  email: string;
  role: MembershipRole;
  groupId: string;
  groupName: string;
  organisationName: string | null;
  expiresAt: Date;
  /** The account the email already has, if any. One without a password has never signed in. */
  account: { id: string; displayName: string; hasPassword: boolean; disabled: boolean } | null;
}

/** Looks up the invitation a link's token names; undefined when no invitation has that token. */
export async function findInvitationByToken(
  db: Db,
  token: string | undefined,
  now = new Date(),
): Promise<InvitationForAcceptance | undefined> {
  if (!isWellFormedEmailToken(token)) return undefined;
  const row = await db
    .selectFrom("invitations")
    .innerJoin("groups", "groups.id", "invitations.group_id")
    .leftJoin("organisations", "organisations.id", "invitations.organisation_id")
    .leftJoin("users", "users.email", "invitations.email")
    .select([
      "invitations.id",
      "invitations.email",
      "invitations.role",
      "invitations.expires_at",
      "invitations.accepted_at",
      "invitations.revoked_at",
      "groups.id as group_id",
      "groups.name as group_name",
      "organisations.name as organisation_name",
      "users.id as user_id",
      "users.display_name as user_display_name",
      "users.password_hash as user_password_hash",
      "users.disabled_at as user_disabled_at",
    ])
    .where("invitations.token_hash", "=", hashEmailToken(token))
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    state: stateOf(row, now),
    email: row.email,
    role: row.role,
    groupId: row.group_id,
    groupName: row.group_name,
    organisationName: row.organisation_name,
    expiresAt: row.expires_at,
    account: row.user_id
      ? {
          id: row.user_id,
          displayName: row.user_display_name ?? "",
          hasPassword: row.user_password_hash !== null,
          disabled: row.user_disabled_at !== null,
        }
      : null,
  };
}

export type AcceptInvitationResult =
  | { ok: true; userId: string; groupId: string; membershipId: string; membershipCreated: boolean }
  | { ok: false; error: Exclude<InvitationError, "FORBIDDEN" | "GROUP_NOT_FOUND" | "ORGANISATION_NOT_FOUND"> };

/** Thrown inside the transaction to roll it back; turned into a result outside. */
class AcceptanceRefused extends Error {
  constructor(readonly code: Extract<AcceptInvitationResult, { ok: false }>["error"]) {
    super(code);
  }
}

/**
 * Accepts an invitation for someone whose email has no account yet (or an account that has never
 * had a password): creates or completes the account, then joins the group.
 */
export async function acceptInvitationWithNewAccount(
  db: Kysely<Database>,
  token: string,
  input: { displayName: string; password: string },
  facts: RequestFacts = {},
): Promise<AcceptInvitationResult> {
  // Hashing is slow on purpose: do it before the transaction holds a connection.
  const passwordHash = await hashPassword(input.password);
  return acceptInvitation(db, token, facts, async (trx, invitation, now) => {
    const existing = await trx
      .selectFrom("users")
      .select(["id", "password_hash", "disabled_at"])
      .where("email", "=", invitation.email)
      .forUpdate()
      .executeTakeFirst();
    if (existing && (existing.password_hash !== null || existing.disabled_at !== null)) {
      throw new AcceptanceRefused("ACCOUNT_EXISTS");
    }
    if (existing) {
      await trx
        .updateTable("users")
        .set({ display_name: input.displayName, password_hash: passwordHash, updated_at: now })
        .where("id", "=", existing.id)
        .execute();
      await recordAudit(trx, {
        actorId: existing.id,
        action: "user.password_set",
        subjectType: "user",
        subjectId: existing.id,
        ip: facts.ip ?? null,
        details: { via: "invitation", invitationId: invitation.id },
      });
      return existing.id;
    }
    const user = await trx
      .insertInto("users")
      .values({ email: invitation.email, display_name: input.displayName, password_hash: passwordHash })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: user.id,
      action: "user.created",
      subjectType: "user",
      subjectId: user.id,
      ip: facts.ip ?? null,
      details: { email: invitation.email, via: "invitation", invitationId: invitation.id },
    });
    return user.id;
  });
}

/** Accepts an invitation for the signed-in person, whose email must be the one invited. */
export async function acceptInvitationAsUser(
  db: Kysely<Database>,
  token: string,
  user: { id: string; email: string },
  facts: RequestFacts = {},
): Promise<AcceptInvitationResult> {
  return acceptInvitation(db, token, facts, async (_trx, invitation) => {
    if (normaliseEmail(user.email) !== invitation.email) throw new AcceptanceRefused("WRONG_ACCOUNT");
    return user.id;
  });
}

async function acceptInvitation(
  db: Kysely<Database>,
  token: string,
  { ip = null, now = new Date() }: RequestFacts,
  resolveUser: (
    trx: Transaction<Database>,
    invitation: { id: string; email: string },
    now: Date,
  ) => Promise<string>,
): Promise<AcceptInvitationResult> {
  if (!isWellFormedEmailToken(token)) return { ok: false, error: "INVITATION_NOT_FOUND" };
  try {
    return await db.transaction().execute(async (trx): Promise<AcceptInvitationResult> => {
      // The row lock makes the link single use even when two people press "accept" at once.
      const invitation = await trx
        .selectFrom("invitations")
        .select(["id", "email", "group_id", "organisation_id", "role", "accepted_at", "revoked_at", "expires_at"])
        .where("token_hash", "=", hashEmailToken(token))
        .forUpdate()
        .executeTakeFirst();
      if (!invitation) throw new AcceptanceRefused("INVITATION_NOT_FOUND");
      const state = stateOf(invitation, now);
      if (state !== "pending") throw new AcceptanceRefused(errorForState[state]);

      const userId = await resolveUser(trx, invitation, now);
      await trx
        .updateTable("invitations")
        .set({ accepted_at: now, accepted_user_id: userId })
        .where("id", "=", invitation.id)
        .execute();
      await recordAudit(trx, {
        actorId: userId,
        action: "invitation.accepted",
        groupId: invitation.group_id,
        subjectType: "invitation",
        subjectId: invitation.id,
        ip,
        details: { email: invitation.email, role: invitation.role, organisationId: invitation.organisation_id },
      });

      // Someone already holding this role today keeps their membership; the record stays one row.
      const startsOn = nzCalendarDate(now);
      const current = await trx
        .selectFrom("memberships")
        .select("id")
        .where("group_id", "=", invitation.group_id)
        .where("user_id", "=", userId)
        .where("role", "=", invitation.role)
        .where(membershipActiveOn(startsOn))
        .executeTakeFirst();
      if (current) {
        return { ok: true, userId, groupId: invitation.group_id, membershipId: current.id, membershipCreated: false };
      }
      const membership = await trx
        .insertInto("memberships")
        .values({
          group_id: invitation.group_id,
          user_id: userId,
          organisation_id: invitation.organisation_id,
          role: invitation.role,
          starts_on: startsOn,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actorId: userId,
        action: "membership.created",
        groupId: invitation.group_id,
        subjectType: "membership",
        subjectId: membership.id,
        ip,
        details: {
          userId,
          role: invitation.role,
          organisationId: invitation.organisation_id,
          startsOn,
          invitationId: invitation.id,
        },
      });
      return { ok: true, userId, groupId: invitation.group_id, membershipId: membership.id, membershipCreated: true };
    });
  } catch (error) {
    if (error instanceof AcceptanceRefused) return { ok: false, error: error.code };
    throw error;
  }
}
