/**
 * The action tracker: what the group's decisions directed or invited someone to do, by when, and
 * how it is going. Actions are created with their decision (app/models/minutes.server.ts); their
 * owner (a member, or an organisation, whose members in the group act for it) and the chair and
 * secretary record progress, each update kept. Overdue: due before today (NZ) and not done.
 */
import type { Kysely } from "kysely";
import type { ActionStatus, Database } from "../../db/database.js";
import { forbidden, invalidInput, notFound } from "../errors.js";
import { type Actor, can } from "../policy/policy.js";
import { nzCalendarDate } from "../utils/dates.js";
import { isUuid } from "../utils/ids.js";
import { runCommand } from "./command.server.js";
import type { Db } from "./meetings.server.js";
import { membershipActiveOn } from "./memberships.server.js";
import { paragraphNumbersIn } from "./minutes.server.js";
import { actionResource, groupResource } from "./policy-resources.server.js";

export interface ActionView {
  id: string;
  description: string;
  owner: string;
  ownerKind: "member" | "organisation";
  dueOn: string;
  status: ActionStatus;
  overdue: boolean;
  /** Whether the person asking may record progress on it. */
  mayUpdate: boolean;
  decision: { id: string; number: string; verb: string | null; reference: string | null; meetingId: string; meetingTitle: string };
  updates: { status: ActionStatus; note: string | null; by: string | null; at: Date }[];
}

/** The organisations the person represents in the group today (their current memberships). */
async function actorOrganisations(db: Db, actor: Actor, groupId: string): Promise<Set<string>> {
  const today = nzCalendarDate();
  const rows = await db
    .selectFrom("memberships")
    .select("organisation_id")
    .where("user_id", "=", actor.id)
    .where("group_id", "=", groupId)
    .where(membershipActiveOn(today))
    .execute();
  return new Set(rows.map((row) => row.organisation_id).filter((id): id is string => id !== null));
}

function owns(actor: Actor, organisations: Set<string>, action: { owner_user_id: string | null; owner_organisation_id: string | null }): boolean {
  return action.owner_user_id === actor.id || (action.owner_organisation_id !== null && organisations.has(action.owner_organisation_id));
}

/** The group's actions, overdue and open ones first, each with its decision and its history. */
export async function listActions(db: Db, actor: Actor, groupId: string, filter: { status?: "open" | "all" } = {}): Promise<ActionView[]> {
  let query = db
    .selectFrom("actions")
    .innerJoin("decisions", "decisions.id", "actions.decision_id")
    .innerJoin("minutes", "minutes.id", "decisions.minute_id")
    .innerJoin("meetings", "meetings.id", "minutes.meeting_id")
    .select([
      "actions.id",
      "actions.description",
      "actions.owner_user_id",
      "actions.owner_organisation_id",
      "actions.due_on",
      "actions.status",
      "actions.owner_label",
      "decisions.id as decision_id",
      "decisions.verb",
      "decisions.minute_id",
      "minutes.reference",
      "meetings.id as meeting_id",
      "meetings.title as meeting_title",
    ])
    .where("actions.group_id", "=", groupId);
  if (filter.status !== "all") query = query.where("actions.status", "in", ["open", "in_progress"]);
  const rows = await query.orderBy("actions.due_on").orderBy("actions.created_at").execute();
  if (rows.length === 0) return [];

  const today = nzCalendarDate();
  const organisations = await actorOrganisations(db, actor, groupId);
  const updates = await db
    .selectFrom("action_updates")
    .leftJoin("users", "users.id", "action_updates.created_by")
    .select(["action_updates.action_id", "action_updates.status", "action_updates.note", "users.display_name", "action_updates.created_at"])
    .where("action_updates.action_id", "in", rows.map((row) => row.id))
    .orderBy("action_updates.created_at")
    .execute();
  const numbers = await paragraphNumbersIn(db, rows.map((row) => row.minute_id));
  const views = rows.map((row) => ({
    id: row.id,
    description: row.description,
    owner: row.owner_label,
    ownerKind: row.owner_user_id ? ("member" as const) : ("organisation" as const),
    dueOn: row.due_on,
    status: row.status,
    overdue: (row.status === "open" || row.status === "in_progress") && row.due_on < today,
    mayUpdate: can(actor, "action.update", actionResource(groupId, owns(actor, organisations, row))),
    decision: { id: row.decision_id, number: numbers.get(row.decision_id) ?? "", verb: row.verb, reference: row.reference, meetingId: row.meeting_id, meetingTitle: row.meeting_title },
    updates: updates
      .filter((update) => update.action_id === row.id)
      .map((update) => ({ status: update.status, note: update.note, by: update.display_name, at: update.created_at })),
  }));
  return views.sort((a, b) => Number(b.overdue) - Number(a.overdue));
}

/** Records progress on an action: its new status and a note, kept in its history. */
export async function updateActionProgress(
  db: Kysely<Database>,
  actor: Actor,
  input: { groupId: string; actionId: string; status: ActionStatus; note: string | null; ip?: string | null; now?: Date },
): Promise<void> {
  const now = input.now ?? new Date();
  const note = input.note || null;
  await runCommand(db, {
    lock: async (trx) => {
      const action = isUuid(input.actionId)
        ? await trx.selectFrom("actions").selectAll().where("id", "=", input.actionId).where("group_id", "=", input.groupId).forUpdate().executeTakeFirst()
        : undefined;
      if (!action || !can(actor, "meeting.view", groupResource(action.group_id))) throw notFound("There is no such action");
      return { action, organisations: await actorOrganisations(trx, actor, action.group_id) };
    },
    check: ({ action, organisations }) => {
      if (!can(actor, "action.update", actionResource(action.group_id, owns(actor, organisations, action)))) {
        throw forbidden("Only the action's owner, the chair or the secretary can record progress on it");
      }
      if (action.status === input.status && !note) throw invalidInput("Change the status or add a note", "note");
    },
    change: async (trx, { action }) => {
      await trx
        .updateTable("actions")
        // Done keeps the day it was first done; a note added later does not move it.
        .set({ status: input.status, updated_at: now, completed_at: input.status === "done" ? (action.completed_at ?? now) : null })
        .where("id", "=", action.id)
        .execute();
      await trx.insertInto("action_updates").values({ action_id: action.id, status: input.status, note, created_by: actor.id, created_at: now }).execute();
    },
    audit: ({ action }) => ({
      actorId: actor.id,
      action: "action.progress",
      groupId: action.group_id,
      subjectType: "action",
      subjectId: action.id,
      ip: input.ip ?? null,
      details: { from: action.status, to: input.status, noted: note !== null },
    }),
  });
}
