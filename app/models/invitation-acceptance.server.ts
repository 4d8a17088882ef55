/**
 * Accepting an invitation from its emailed link: creating the account (when the email has none
 * yet, or has one that never had a password) or joining as the signed-in person invited, and the
 * membership, starting today in New Zealand, in one transaction with the audit log. The row lock
 * on the invitation makes the link single use even when two people press "accept" at once.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, MembershipRole } from "../../db/database.js";
import { hashPassword } from "../auth/new-password.server.js";
import { normaliseEmail } from "./sign-in.server.js";
import { hashEmailToken, isWellFormedEmailToken } from "../auth/tokens.server.js";
import { AppError, conflict, notFound } from "../errors.js";
import { nzCalendarDate } from "../utils/dates.js";
import type { AuditEntry } from "./audit.server.js";
import { runCommand } from "./command.server.js";
import { type InvitationState, type RequestFacts, invitationState, refusalCodes } from "./invitations.server.js";
import { membershipActiveOn } from "./memberships.server.js";

type Db = Kysely<Database> | Transaction<Database>;

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
    state: invitationState(row, now),
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

export interface AcceptedInvitation {
  userId: string;
  groupId: string;
  membershipId: string;
  /** False when the person already held this role today: the record keeps their one membership. */
  membershipCreated: boolean;
}

/** Signed in as someone other than the person invited. */
export const wrongAccount = () =>
  new AppError("WRONG_ACCOUNT", "This invitation is for a different email address. Sign out, then open this link again.");

const invitationNotFound = () => notFound("We could not find this invitation.");

/** How the person accepting got their account, for the audit log. */
type AccountStep = { kind: "created" | "password_set"; userId: string } | { kind: "existing"; userId: string };

/**
 * Accepts an invitation for someone whose email has no account yet (or an account that has never
 * had a password): creates or completes the account, then joins the group. Refuses with NOT_FOUND,
 * INVITATION_EXPIRED / _USED / _REVOKED, or ACCOUNT_EXISTS when the email already has a password.
 */
export async function acceptInvitationWithNewAccount(
  db: Kysely<Database>,
  token: string,
  input: { displayName: string; password: string },
  facts: RequestFacts = {},
): Promise<AcceptedInvitation> {
  // Hashing is slow on purpose: do it before the transaction holds a connection.
  const passwordHash = await hashPassword(input.password);
  return acceptInvitation(db, token, facts, async (trx, invitation, now): Promise<AccountStep> => {
    const existing = await trx
      .selectFrom("users")
      .select(["id", "password_hash", "disabled_at"])
      .where("email", "=", invitation.email)
      .forUpdate()
      .executeTakeFirst();
    if (existing && (existing.password_hash !== null || existing.disabled_at !== null)) {
      throw conflict("ACCOUNT_EXISTS", "An account already uses this email address. Sign in, then open this link again.");
    }
    if (existing) {
      await trx
        .updateTable("users")
        .set({ display_name: input.displayName, password_hash: passwordHash, updated_at: now })
        .where("id", "=", existing.id)
        .execute();
      return { kind: "password_set", userId: existing.id };
    }
    const user = await trx
      .insertInto("users")
      .values({ email: invitation.email, display_name: input.displayName, password_hash: passwordHash })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { kind: "created", userId: user.id };
  });
}

/** Accepts an invitation for the signed-in person, whose email must be the one invited (WRONG_ACCOUNT). */
export async function acceptInvitationAsUser(
  db: Kysely<Database>,
  token: string,
  user: { id: string; email: string },
  facts: RequestFacts = {},
): Promise<AcceptedInvitation> {
  return acceptInvitation(db, token, facts, async (_trx, invitation): Promise<AccountStep> => {
    if (normaliseEmail(user.email) !== invitation.email) throw wrongAccount();
    return { kind: "existing", userId: user.id };
  });
}

type LockedInvitation = {
  id: string;
  email: string;
  group_id: string;
  organisation_id: string | null;
  role: MembershipRole;
  accepted_at: Date | null;
  revoked_at: Date | null;
  expires_at: Date;
};

async function acceptInvitation(
  db: Kysely<Database>,
  token: string,
  { ip = null, now = new Date() }: RequestFacts,
  resolveAccount: (trx: Transaction<Database>, invitation: LockedInvitation, now: Date) => Promise<AccountStep>,
): Promise<AcceptedInvitation> {
  if (!isWellFormedEmailToken(token)) throw invitationNotFound();
  const startsOn = nzCalendarDate(now);
  const { account: _account, ...accepted } = await runCommand(db, {
    async lock(trx) {
      const invitation = await trx
        .selectFrom("invitations")
        .select(["id", "email", "group_id", "organisation_id", "role", "accepted_at", "revoked_at", "expires_at"])
        .where("token_hash", "=", hashEmailToken(token))
        .forUpdate()
        .executeTakeFirst();
      if (!invitation) throw invitationNotFound();
      return invitation;
    },
    check(invitation) {
      const state = invitationState(invitation, now);
      if (state === "accepted") throw conflict(refusalCodes.accepted, "This invitation has already been used.");
      if (state === "revoked") throw conflict(refusalCodes.revoked, "This invitation has been withdrawn.");
      if (state === "expired") throw conflict(refusalCodes.expired, "This invitation has expired.");
    },
    async change(trx, invitation): Promise<AcceptedInvitation & { account: AccountStep }> {
      const account = await resolveAccount(trx, invitation, now);
      const userId = account.userId;
      await trx
        .updateTable("invitations")
        .set({ accepted_at: now, accepted_user_id: userId })
        .where("id", "=", invitation.id)
        .execute();
      // Someone already holding this role today keeps their membership; the record stays one row.
      const current = await trx
        .selectFrom("memberships")
        .select("id")
        .where("group_id", "=", invitation.group_id)
        .where("user_id", "=", userId)
        .where("role", "=", invitation.role)
        .where(membershipActiveOn(startsOn))
        .executeTakeFirst();
      if (current) return { account, userId, groupId: invitation.group_id, membershipId: current.id, membershipCreated: false };
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
      return { account, userId, groupId: invitation.group_id, membershipId: membership.id, membershipCreated: true };
    },
    audit(invitation, { account, userId, membershipId, membershipCreated }): AuditEntry[] {
      const entries: AuditEntry[] = [];
      if (account.kind === "created") {
        entries.push({
          actorId: userId,
          action: "user.created",
          subjectType: "user",
          subjectId: userId,
          ip,
          details: { email: invitation.email, via: "invitation", invitationId: invitation.id },
        });
      } else if (account.kind === "password_set") {
        entries.push({
          actorId: userId,
          action: "user.password_set",
          subjectType: "user",
          subjectId: userId,
          ip,
          details: { via: "invitation", invitationId: invitation.id },
        });
      }
      entries.push({
        actorId: userId,
        action: "invitation.accepted",
        groupId: invitation.group_id,
        subjectType: "invitation",
        subjectId: invitation.id,
        ip,
        details: { email: invitation.email, role: invitation.role, organisationId: invitation.organisation_id },
      });
      if (membershipCreated) {
        entries.push({
          actorId: userId,
          action: "membership.created",
          groupId: invitation.group_id,
          subjectType: "membership",
          subjectId: membershipId,
          ip,
          details: {
            userId,
            role: invitation.role,
            organisationId: invitation.organisation_id,
            startsOn,
            invitationId: invitation.id,
          },
        });
      }
      return entries;
    },
  });
  return accepted;
}
