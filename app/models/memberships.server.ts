/**
 * Membership history: who was a member of a group on any date, and the commands that change it.
 * A membership row is never deleted or rewritten into something else: a person leaving sets its end
 * date, and a role change ends one row and starts another, so "who was a member when this decision
 * was made" always has an answer. Every command runs in one transaction with its audit entry
 * (`runCommand`); the forms' schemas (app/identity/schemas.ts) have checked the dates and the
 * reason before a command sees them.
 */
import type { ExpressionBuilder, Kysely, Transaction } from "kysely";
import { sql } from "kysely";
import type { Database, MembershipRole, OrganisationSector } from "../../db/database.js";
import { AppError, conflict, forbidden, invalidInput, notFound } from "../errors.js";
import { type Actor, can } from "../policy/policy.js";
import { isCalendarDate, nzCalendarDate } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { roleLabels } from "../utils/labels.js";
import { runCommand } from "./command.server.js";
import { groupResource } from "./policy-resources.server.js";

type Db = Kysely<Database> | Transaction<Database>;

/** One membership as pages show it. Dates are calendar dates, "YYYY-MM-DD". */
export interface MembershipView {
  id: string;
  userId: string;
  name: string;
  organisationName: string | null;
  sector: OrganisationSector | null;
  role: MembershipRole;
  startsOn: string;
  endsOn: string | null;
  endReason: string | null;
  alternateForId: string | null;
  alternateForName: string | null;
}

/** Memberships in force on a calendar date: started by then and not ended before it (the last day counts). */
export function membershipActiveOn(onDate: string) {
  return (eb: ExpressionBuilder<Database, "memberships">) =>
    eb.and([
      eb("memberships.starts_on", "<=", onDate),
      eb.or([eb("memberships.ends_on", "is", null), eb("memberships.ends_on", ">=", onDate)]),
    ]);
}

function requireCalendarDate(value: string, field: string): void {
  if (!isCalendarDate(value)) throw invalidInput(`${field} must be a date written YYYY-MM-DD`);
}

/** The calendar date `days` after (or before, when negative) `date`. */
export function addDays(date: string, days: number): string {
  const instant = new Date(`${date}T00:00:00Z`);
  instant.setUTCDate(instant.getUTCDate() + days);
  return instant.toISOString().slice(0, 10);
}

// Chair first, then secretary, members, and the roles that do not vote.
const roleOrder = sql<number>`case memberships.role
  when 'chair' then 1 when 'secretary' then 2 when 'member' then 3
  when 'minister_office' then 4 when 'observer' then 5 else 6 end`;

function selectMemberships(db: Db, groupId: string) {
  return db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .leftJoin("organisations", "organisations.id", "memberships.organisation_id")
    .leftJoin("memberships as principal", "principal.id", "memberships.alternate_for_id")
    .leftJoin("users as principal_user", "principal_user.id", "principal.user_id")
    .select([
      "memberships.id",
      "memberships.user_id as userId",
      "users.display_name as name",
      "organisations.name as organisationName",
      "organisations.sector",
      "memberships.role",
      "memberships.starts_on as startsOn",
      "memberships.ends_on as endsOn",
      "memberships.end_reason as endReason",
      "memberships.alternate_for_id as alternateForId",
      "principal_user.display_name as alternateForName",
    ])
    .where("memberships.group_id", "=", groupId);
}

/** Every organisation by name: who an action can be given to. */
export async function listOrganisationNames(db: Db) {
  return db.selectFrom("organisations").select(["id", "name"]).orderBy("name").execute();
}

/** The organisation a person represents in a group today (their latest current membership's), or null. */
export async function currentOrganisationName(db: Db, userId: string, groupId: string, today = nzCalendarDate()): Promise<string | null> {
  const membership = await db
    .selectFrom("memberships")
    .leftJoin("organisations", "organisations.id", "memberships.organisation_id")
    .select(["organisations.name as organisation"])
    .where("memberships.user_id", "=", userId)
    .where("memberships.group_id", "=", groupId)
    .where(membershipActiveOn(today))
    .orderBy("memberships.starts_on", "desc")
    .executeTakeFirst();
  return membership?.organisation ?? null;
}

/**
 * The members of the group on `date` ("YYYY-MM-DD"): memberships that had started by that day and
 * had not ended before it (a membership ending on a day still counts on that day).
 */
export async function membersOnDate(db: Db, groupId: string, date: string): Promise<MembershipView[]> {
  requireCalendarDate(date, "The date");
  return selectMemberships(db, groupId)
    .where(membershipActiveOn(date))
    .orderBy(roleOrder)
    .orderBy("users.display_name")
    .orderBy("memberships.starts_on")
    .execute();
}

/** Every membership the group has had, current and past, oldest first. */
export async function membershipHistory(db: Db, groupId: string): Promise<MembershipView[]> {
  return selectMemberships(db, groupId)
    .orderBy("memberships.starts_on")
    .orderBy(roleOrder)
    .orderBy("users.display_name")
    .orderBy("memberships.created_at")
    .execute();
}

async function lockMembership(trx: Transaction<Database>, membershipId: string, expectedGroupId?: string) {
  const membership = isUuid(membershipId)
    ? await trx.selectFrom("memberships").selectAll().where("id", "=", membershipId).forUpdate().executeTakeFirst()
    : undefined;
  if (!membership || (expectedGroupId !== undefined && membership.group_id !== expectedGroupId)) {
    throw notFound("There is no such membership in this group");
  }
  return membership;
}

function assertMayManage(actor: Actor, groupId: string): void {
  if (!can(actor, "group.members.manage", groupResource(groupId))) throw forbidden("You may not manage this group's members");
}

export interface EndMembershipInput {
  /** The last day of the membership, "YYYY-MM-DD". */
  endsOn: string;
  reason: string;
  ip: string | null;
  /** When given, a membership of another group is treated as not found. */
  groupId?: string;
}

/** Ends a membership on `endsOn` (its last day) with a reason. Never deletes the row. */
export async function endMembership(
  db: Kysely<Database>,
  actor: Actor,
  membershipId: string,
  input: EndMembershipInput,
): Promise<void> {
  const reason = input.reason.trim();
  await runCommand(db, {
    lock: (trx) => lockMembership(trx, membershipId, input.groupId),
    check(membership) {
      assertMayManage(actor, membership.group_id);
      if (membership.ends_on !== null) throw conflict("ALREADY_ENDED", "This membership has already ended", "membershipId");
      if (input.endsOn < membership.starts_on) {
        throw new AppError("END_BEFORE_START", "The end date cannot be before the membership started", "endsOn");
      }
    },
    async change(trx, membership) {
      await trx
        .updateTable("memberships")
        .set({ ends_on: input.endsOn, end_reason: reason })
        .where("id", "=", membership.id)
        .execute();
    },
    audit: (membership) => ({
      actorId: actor.id,
      action: "membership.ended",
      groupId: membership.group_id,
      subjectType: "membership",
      subjectId: membership.id,
      ip: input.ip,
      details: { userId: membership.user_id, role: membership.role, endsOn: input.endsOn, reason },
    }),
  });
}

export interface ChangeRoleInput {
  /** The first day in the new role, "YYYY-MM-DD"; the old membership ends the day before. */
  onDate: string;
  ip: string | null;
  groupId?: string;
}

/**
 * Changes a member's role from `onDate`: the current membership ends the day before and a new one
 * with the new role starts on `onDate`, keeping the organisation, any alternate link and any
 * planned end date. Returns the new membership's id.
 */
export async function changeRole(
  db: Kysely<Database>,
  actor: Actor,
  membershipId: string,
  newRole: MembershipRole,
  input: ChangeRoleInput,
): Promise<string> {
  return runCommand(db, {
    lock: (trx) => lockMembership(trx, membershipId, input.groupId),
    check(membership) {
      assertMayManage(actor, membership.group_id);
      if (membership.role === newRole) throw new AppError("SAME_ROLE", "The member already has that role", "newRole");
      if (membership.ends_on !== null && membership.ends_on < input.onDate) {
        throw conflict("NOT_CURRENT", "The membership has ended by that date", "onDate");
      }
      if (input.onDate <= membership.starts_on) {
        throw conflict("CHANGE_ON_START_DAY", "A role change must take effect after the day the membership started", "onDate");
      }
    },
    async change(trx, membership) {
      await trx
        .updateTable("memberships")
        .set({ ends_on: addDays(input.onDate, -1), end_reason: `Role changed to ${roleLabels[newRole]}` })
        .where("id", "=", membership.id)
        .execute();
      const created = await trx
        .insertInto("memberships")
        .values({
          group_id: membership.group_id,
          user_id: membership.user_id,
          organisation_id: membership.organisation_id,
          role: newRole,
          starts_on: input.onDate,
          ends_on: membership.ends_on,
          end_reason: membership.end_reason,
          alternate_for_id: membership.alternate_for_id,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return created.id;
    },
    audit: (membership, createdId) => ({
      actorId: actor.id,
      action: "membership.role_changed",
      groupId: membership.group_id,
      subjectType: "membership",
      subjectId: createdId,
      ip: input.ip,
      details: {
        userId: membership.user_id,
        from: membership.role,
        to: newRole,
        onDate: input.onDate,
        previousMembershipId: membership.id,
      },
    }),
  });
}

export interface AddAlternateInput {
  /** The membership the alternate stands in for. */
  forMembershipId: string;
  userId: string;
  organisationId: string | null;
  startsOn: string;
  ip: string | null;
  groupId?: string;
}

/**
 * Adds an alternate: a person who may attend in a member's place. The alternate holds the member's
 * role, except that a chair's or secretary's alternate attends as a member (the office is not
 * delegated), and their term ends when the member's planned term does. Returns the new id.
 */
export async function addAlternate(db: Kysely<Database>, actor: Actor, input: AddAlternateInput): Promise<string> {
  return runCommand(db, {
    async lock(trx) {
      const principal = await lockMembership(trx, input.forMembershipId, input.groupId);
      const person = isUuid(input.userId)
        ? await trx.selectFrom("users").select(["id"]).where("id", "=", input.userId).executeTakeFirst()
        : undefined;
      const overlapping = person
        ? await trx
            .selectFrom("memberships")
            .select("id")
            .where("group_id", "=", principal.group_id)
            .where("user_id", "=", person.id)
            .where((eb) => eb.or([eb("ends_on", "is", null), eb("ends_on", ">=", input.startsOn)]))
            .executeTakeFirst()
        : undefined;
      return { principal, personExists: person !== undefined, overlapping: overlapping !== undefined };
    },
    check({ principal, personExists, overlapping }) {
      assertMayManage(actor, principal.group_id);
      if (principal.alternate_for_id !== null) throw invalidInput("An alternate cannot have an alternate of their own");
      if (input.startsOn < principal.starts_on || (principal.ends_on !== null && principal.ends_on < input.startsOn)) {
        throw conflict("NOT_CURRENT", "The member is not a member of the group on that date");
      }
      if (input.userId === principal.user_id) throw invalidInput("A member cannot be their own alternate");
      if (!personExists) throw notFound("There is no such person");
      if (overlapping) throw conflict("ALREADY_MEMBER", "That person already has a membership of this group");
    },
    async change(trx, { principal }) {
      const created = await trx
        .insertInto("memberships")
        .values({
          group_id: principal.group_id,
          user_id: input.userId,
          organisation_id: input.organisationId,
          role: alternateRole(principal.role),
          starts_on: input.startsOn,
          ends_on: principal.ends_on,
          alternate_for_id: principal.id,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return created.id;
    },
    audit: ({ principal }, createdId) => ({
      actorId: actor.id,
      action: "membership.alternate_added",
      groupId: principal.group_id,
      subjectType: "membership",
      subjectId: createdId,
      ip: input.ip,
      details: {
        userId: input.userId,
        forMembershipId: principal.id,
        forUserId: principal.user_id,
        organisationId: input.organisationId,
        role: alternateRole(principal.role),
        startsOn: input.startsOn,
      },
    }),
  });
}

/** A chair's or secretary's alternate attends as a member: the office is not delegated. */
function alternateRole(principalRole: MembershipRole): MembershipRole {
  return principalRole === "chair" || principalRole === "secretary" ? "member" : principalRole;
}
