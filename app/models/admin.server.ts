/**
 * The Hub's administration: organisations, groups, accounts and the audit log. Every command
 * checks `platform.administer` through the policy, runs in one transaction and writes its audit
 * entry in that transaction (`runCommand`). Nothing here reads a group's documents:
 * administrators manage the platform, not its content.
 */
import { type Kysely, sql } from "kysely";
import type { Database, OrganisationSector } from "../../db/database.js";
import { AppError, forbidden, invalidInput, notFound } from "../errors.js";
import { type Actor, can } from "../policy/policy.js";
import { isUuid } from "../utils/ids.js";
import { runCommand } from "./command.server.js";

const platform = { type: "platform" } as const;

function assertAdministers(actor: Actor): void {
  if (!can(actor, "platform.administer", platform)) throw forbidden("Only a platform administrator can do this");
}

/** Two administrators creating the same name at once: the unique index decides, with the same refusal. */
async function refusingDuplicates<T>(command: () => Promise<T>, duplicate: () => AppError): Promise<T> {
  try {
    return await command();
  } catch (error) {
    const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
    if (code === "23505") throw duplicate();
    throw error;
  }
}

/** Names keep their macrons exactly; NFC only makes "ā" typed two ways the same stored text. */
function cleanName(value: string): string {
  return value.normalize("NFC").trim();
}

const collator = new Intl.Collator("en-NZ", { sensitivity: "base" });

// ---------------------------------------------------------------------------------------------
// Organisations

export async function listOrganisations(db: Kysely<Database>) {
  const rows = await db
    .selectFrom("organisations")
    .select(["id", "name", "short_name", "sector", "created_at"])
    .execute();
  // Sorted in JavaScript so "Ō" sorts with "O", whatever the database's collation.
  return rows.sort((a, b) => collator.compare(a.name, b.name));
}

export interface CreateOrganisationInput {
  name: string;
  shortName?: string | null;
  sector: OrganisationSector;
  ip: string | null;
}

/** Creates an organisation; a name already used (ignoring case) is refused with DUPLICATE_NAME on `name`. */
export async function createOrganisation(
  db: Kysely<Database>,
  actor: Actor,
  input: CreateOrganisationInput,
): Promise<string> {
  const name = cleanName(input.name);
  const shortName = input.shortName ? cleanName(input.shortName) || null : null;
  const duplicate = () => new AppError("DUPLICATE_NAME", "There is already an organisation with that name", "name");
  return refusingDuplicates(
    () =>
      runCommand(db, {
        lock: (trx) =>
          trx
            .selectFrom("organisations")
            .select("id")
            .where(sql<string>`lower(name)`, "=", sql<string>`lower(${name})`)
            .executeTakeFirst(),
        check(existing) {
          assertAdministers(actor);
          if (existing) throw duplicate();
        },
        async change(trx) {
          const created = await trx
            .insertInto("organisations")
            .values({ name, short_name: shortName, sector: input.sector })
            .returning("id")
            .executeTakeFirstOrThrow();
          return created.id;
        },
        audit: (_existing, id) => ({
          actorId: actor.id,
          action: "organisation.created",
          subjectType: "organisation",
          subjectId: id,
          ip: input.ip,
          details: { name, sector: input.sector, ...(shortName ? { shortName } : {}) },
        }),
      }),
    duplicate,
  );
}

// ---------------------------------------------------------------------------------------------
// Groups

export async function listGroupsForAdmin(db: Kysely<Database>) {
  const rows = await db
    .selectFrom("groups")
    .select(["id", "code", "name", "portfolio", "quorum", "created_at", "archived_at"])
    .execute();
  return rows.sort((a, b) => collator.compare(a.name, b.name));
}

export interface CreateGroupInput {
  /** Upper-case letters and digits, 2 to 12, starting with a letter: used in decision references. */
  code: string;
  name: string;
  description?: string;
  portfolio: string;
  quorum: number;
  ip: string | null;
}

/** Creates a group; a code already in use is refused with DUPLICATE_CODE on `code`. */
export async function createGroup(db: Kysely<Database>, actor: Actor, input: CreateGroupInput): Promise<string> {
  const name = cleanName(input.name);
  const portfolio = cleanName(input.portfolio);
  const description = cleanName(input.description ?? "");
  const duplicate = () => new AppError("DUPLICATE_CODE", "Another group already uses that code", "code");
  return refusingDuplicates(
    () =>
      runCommand(db, {
        lock: (trx) => trx.selectFrom("groups").select("id").where("code", "=", input.code).executeTakeFirst(),
        check(existing) {
          assertAdministers(actor);
          if (existing) throw duplicate();
        },
        async change(trx) {
          const created = await trx
            .insertInto("groups")
            .values({ code: input.code, name, description, portfolio, quorum: input.quorum })
            .returning("id")
            .executeTakeFirstOrThrow();
          return created.id;
        },
        audit: (_existing, id) => ({
          actorId: actor.id,
          action: "group.created",
          groupId: id,
          subjectType: "group",
          subjectId: id,
          ip: input.ip,
          details: { code: input.code, name, portfolio, quorum: input.quorum },
        }),
      }),
    duplicate,
  );
}

// ---------------------------------------------------------------------------------------------
// Accounts

export async function listAccounts(db: Kysely<Database>) {
  const rows = await db
    .selectFrom("users")
    .select(["id", "email", "display_name", "is_platform_admin", "disabled_at", "created_at"])
    .execute();
  return rows.sort((a, b) => collator.compare(a.display_name, b.display_name) || a.email.localeCompare(b.email));
}

export interface SetAccountDisabledInput {
  userId: string;
  disabled: boolean;
  ip: string | null;
}

/**
 * Disables or enables an account. Disabling also ends every session the account holds, in the
 * same transaction, so a disabled person is signed out everywhere at once. An administrator cannot
 * disable their own account (so there is always one left to undo a mistake).
 */
export async function setAccountDisabled(
  db: Kysely<Database>,
  actor: Actor,
  input: SetAccountDisabledInput,
): Promise<{ changed: boolean; sessionsRevoked: number }> {
  assertAdministers(actor);
  if (input.disabled && input.userId === actor.id) {
    // A choice the form should not offer (its own row has no button): the page says why, as for any input.
    throw invalidInput("You cannot disable your own account. Ask another platform administrator if it needs to be disabled.");
  }
  const now = new Date();
  return runCommand(db, {
    async lock(trx) {
      const user = isUuid(input.userId)
        ? await trx.selectFrom("users").select(["id", "email", "disabled_at"]).where("id", "=", input.userId).forUpdate().executeTakeFirst()
        : undefined;
      if (!user) throw notFound("That account no longer exists. Reload the page and try again.");
      return user;
    },
    async change(trx, user) {
      if (!input.disabled) {
        if (user.disabled_at === null) return { changed: false, sessionsRevoked: 0 };
        await trx.updateTable("users").set({ disabled_at: null, updated_at: now }).where("id", "=", user.id).execute();
        return { changed: true, sessionsRevoked: 0 };
      }
      // Sessions go even when the account was already disabled: none should outlive it.
      const revoked = await trx.deleteFrom("sessions").where("user_id", "=", user.id).executeTakeFirst();
      const sessionsRevoked = Number(revoked.numDeletedRows);
      if (user.disabled_at !== null) return { changed: false, sessionsRevoked };
      await trx.updateTable("users").set({ disabled_at: now, updated_at: now }).where("id", "=", user.id).execute();
      return { changed: true, sessionsRevoked };
    },
    audit: (user, { changed, sessionsRevoked }) =>
      !changed
        ? []
        : {
            actorId: actor.id,
            action: input.disabled ? "account.disabled" : "account.enabled",
            subjectType: "user",
            subjectId: user.id,
            ip: input.ip,
            details: input.disabled ? { email: user.email, sessionsRevoked } : { email: user.email },
          },
  });
}

// ---------------------------------------------------------------------------------------------
// The audit log

export const AUDIT_PAGE_SIZE = 50;

/** The actions that appear in the log, for the filter. */
export async function auditActions(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom("audit_log").select("action").distinct().orderBy("action").execute();
  return rows.map((row) => row.action);
}

/** One page of the audit log, newest first, optionally only one action; with the total count. */
export async function listAuditLog(db: Kysely<Database>, options: { action?: string | null; page: number }) {
  const filtered = db
    .selectFrom("audit_log")
    .$if(Boolean(options.action), (query) => query.where("audit_log.action", "=", options.action!));
  const [countRow, rows] = await Promise.all([
    filtered.select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow(),
    filtered
      .leftJoin("users as actor", "actor.id", "audit_log.actor_id")
      .leftJoin("groups as audit_group", "audit_group.id", "audit_log.group_id")
      .leftJoin("users as subject_user", (join) =>
        join.on(sql<boolean>`audit_log.subject_type = 'user' and subject_user.id::text = audit_log.subject_id`),
      )
      .leftJoin("organisations as subject_organisation", (join) =>
        join.on(
          sql<boolean>`audit_log.subject_type = 'organisation' and subject_organisation.id::text = audit_log.subject_id`,
        ),
      )
      .leftJoin("memberships as subject_membership", (join) =>
        join.on(sql<boolean>`audit_log.subject_type = 'membership' and subject_membership.id::text = audit_log.subject_id`),
      )
      .leftJoin("users as subject_member", "subject_member.id", "subject_membership.user_id")
      .select([
        "audit_log.id",
        "audit_log.occurred_at",
        "audit_log.actor_label",
        "actor.display_name as actor_name",
        "audit_log.action",
        "audit_log.subject_type",
        "audit_log.subject_id",
        "audit_group.name as group_name",
        "audit_group.code as group_code",
        "subject_user.display_name as subject_user_name",
        "subject_organisation.name as subject_organisation_name",
        "subject_member.display_name as subject_member_name",
        "audit_log.ip",
        "audit_log.details",
      ])
      .orderBy("audit_log.occurred_at", "desc")
      .orderBy("audit_log.id", "desc")
      .limit(AUDIT_PAGE_SIZE)
      .offset((Math.max(1, options.page) - 1) * AUDIT_PAGE_SIZE)
      .execute(),
  ]);
  return { total: Number(countRow.count), rows };
}

// ---------------------------------------------------------------------------------------------
// Overview

export async function adminOverview(db: Kysely<Database>) {
  const count = async (table: "organisations" | "groups" | "users" | "audit_log") =>
    Number(
      (await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow()).count,
    );
  const [organisations, groups, accounts, auditEntries] = await Promise.all([
    count("organisations"),
    count("groups"),
    count("users"),
    count("audit_log"),
  ]);
  return { organisations, groups, accounts, auditEntries };
}
