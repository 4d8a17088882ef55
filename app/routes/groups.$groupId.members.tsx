/**
 * A group's members: who is a member now, who was, who will be, and who was a member on any date
 * (the record behind "who was present when this was decided"). The chair, secretary and platform
 * administrator can end a membership or change a role; both keep the history. Works without JS.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { membershipRoles } from "../../db/database.js";
import { requireActor } from "../http/require.server.js";
import { findGroup } from "../models/groups.server.js";
import {
  type MembershipView,
  changeRole,
  endMembership,
  membersOnDate,
  membershipHistory,
} from "../models/memberships.server.js";
import { can } from "../policy/policy.js";
import { formatNzShortDate, isCalendarDate, nzCalendarDate } from "../utils/dates.js";
import { roleLabels, sectorLabels } from "../utils/labels.js";
import { AppError } from "../errors.js";

export const meta: MetaFunction = ({ data: loaderData }) => [
  { title: `Members · ${(loaderData as MembersPageData | undefined)?.group.name ?? "Group"} · Stewardship Workspace` },
];

const calendarDate = (message: string) => z.string({ error: message }).trim().refine(isCalendarDate, message);

const onDateSchema = calendarDate("Enter a date like 2026-09-01");

const endSchema = z.object({
  intent: z.literal("end"),
  membershipId: z.string({ error: "Choose the membership to end" }).min(1, "Choose the membership to end"),
  endsOn: calendarDate("Enter the last day of the membership, like 2026-08-31"),
  reason: z
    .string({ error: "Say why the membership ended" })
    .trim()
    .min(1, "Say why the membership ended")
    .max(500, "Keep the reason to 500 characters or fewer"),
});

const changeRoleSchema = z.object({
  intent: z.literal("change-role"),
  membershipId: z.string({ error: "Choose the member whose role changes" }).min(1, "Choose the member whose role changes"),
  newRole: z.enum(membershipRoles, { error: "Choose the new role" }),
  onDate: calendarDate("Enter the first day in the new role, like 2026-12-01"),
});

type EndField = "membershipId" | "endsOn" | "reason";
type RoleField = "membershipId" | "newRole" | "onDate";
type ActionData =
  | { intent: "end"; formError?: string; fieldErrors: Partial<Record<EndField, string>>; values: Record<EndField, string> }
  | {
      intent: "change-role";
      formError?: string;
      fieldErrors: Partial<Record<RoleField, string>>;
      values: Record<RoleField, string>;
    }
  | { intent: "unknown"; formError: string };

function describeMembership(membership: MembershipView) {
  return {
    id: membership.id,
    name: membership.name,
    organisation: membership.organisationName,
    sector: membership.sector ? sectorLabels[membership.sector] : null,
    role: roleLabels[membership.role],
    from: formatNzShortDate(membership.startsOn),
    to: membership.endsOn ? formatNzShortDate(membership.endsOn) : null,
    endReason: membership.endReason,
    alternateFor: membership.alternateForName,
  };
}

async function loadGroupFor(request: Request, context: LoaderFunctionArgs["context"], groupId: string | undefined) {
  const { actor } = await requireActor(request, context);
  const group = await findGroup(context.services.db, groupId ?? "");
  if (!group) throw new Response("Not found", { status: 404 });
  return { actor, group, resource: { type: "group", groupId: group.id } as const };
}

type MembersPageData = Awaited<ReturnType<typeof loadMembersPage>>;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const page = await loadMembersPage(request, context, params.groupId);
  // A date that is not a date is a bad request, answered with the page and the field's message.
  return data(page, { status: page.onError ? 400 : 200 });
}

async function loadMembersPage(request: Request, context: LoaderFunctionArgs["context"], groupId: string | undefined) {
  const { actor, group, resource } = await loadGroupFor(request, context, groupId);
  if (!can(actor, "group.members.view", resource)) throw new Response("Forbidden", { status: 403 });
  const db = context.services.db;
  const url = new URL(request.url);
  const today = nzCalendarDate();

  const [current, history] = await Promise.all([membersOnDate(db, group.id, today), membershipHistory(db, group.id)]);
  const upcoming = history.filter((membership) => membership.startsOn > today);
  const past = history
    .filter((membership) => membership.endsOn !== null && membership.endsOn < today)
    .sort((a, b) => (a.endsOn! < b.endsOn! ? 1 : a.endsOn! > b.endsOn! ? -1 : a.name.localeCompare(b.name, "en-NZ")));

  const onParam = url.searchParams.get("on");
  let onDate: { value: string; label: string; members: ReturnType<typeof describeMembership>[] } | null = null;
  let onError: string | null = null;
  if (onParam !== null && onParam.trim() !== "") {
    const parsed = onDateSchema.safeParse(onParam);
    if (parsed.success) {
      const members = await membersOnDate(db, group.id, parsed.data);
      onDate = { value: parsed.data, label: formatNzShortDate(parsed.data), members: members.map(describeMembership) };
    } else {
      onError = parsed.error.issues[0]?.message ?? "Enter a date like 2026-09-01";
    }
  }

  const mayManage = can(actor, "group.members.manage", resource);
  return {
    group: { id: group.id, name: group.name },
    todayLabel: formatNzShortDate(today),
    current: current.map(describeMembership),
    upcoming: upcoming.map(describeMembership),
    past: past.map(describeMembership),
    onParam: onParam ?? "",
    onDate,
    onError,
    updated: url.searchParams.get("updated"),
    mayManage,
    roleOptions: membershipRoles.map((role) => ({ value: role, label: roleLabels[role] })),
    manageable: mayManage
      ? [...current, ...upcoming]
          .filter((membership, index, all) => all.findIndex((other) => other.id === membership.id) === index)
          .map((membership) => ({
            id: membership.id,
            label: `${membership.name}, ${roleLabels[membership.role]}${membership.organisationName ? ` (${membership.organisationName})` : ""}`,
          }))
      : [],
  };
}

function firstErrors<Field extends string>(issues: z.core.$ZodIssue[], fields: readonly Field[]) {
  const errors: Partial<Record<Field, string>> = {};
  for (const issue of issues) {
    const field = issue.path[0] as Field;
    if (fields.includes(field) && !errors[field]) errors[field] = issue.message;
  }
  return errors;
}

const text = (value: FormDataEntryValue | undefined) => (typeof value === "string" ? value.slice(0, 500) : "");

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, group, resource } = await loadGroupFor(request, context, params.groupId);
  if (!can(actor, "group.members.manage", resource)) throw new Response("Forbidden", { status: 403 });
  const form = Object.fromEntries(await request.formData());
  const db = context.services.db;
  const ip = context.clientIp;

  if (form.intent === "end") {
    const values = { membershipId: text(form.membershipId), endsOn: text(form.endsOn), reason: text(form.reason) };
    const parsed = endSchema.safeParse(form);
    if (!parsed.success) {
      const fieldErrors = firstErrors(parsed.error.issues, ["membershipId", "endsOn", "reason"] as const);
      return data<ActionData>({ intent: "end", fieldErrors, values }, { status: 400 });
    }
    try {
      await endMembership(db, actor, parsed.data.membershipId, {
        endsOn: parsed.data.endsOn,
        reason: parsed.data.reason,
        ip,
        groupId: group.id,
      });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === "FORBIDDEN") throw new Response("Forbidden", { status: 403 });
      const field: EndField = error.code === "END_BEFORE_START" ? "endsOn" : "membershipId";
      return data<ActionData>({ intent: "end", fieldErrors: { [field]: error.message }, values }, { status: 400 });
    }
    // Whoever lost their place may have the group's documents open: close what they may no longer read.
    await context.services.accessChanged();
    return redirect(`/groups/${group.id}/members?updated=ended`);
  }

  if (form.intent === "change-role") {
    const values = { membershipId: text(form.membershipId), newRole: text(form.newRole), onDate: text(form.onDate) };
    const parsed = changeRoleSchema.safeParse(form);
    if (!parsed.success) {
      const fieldErrors = firstErrors(parsed.error.issues, ["membershipId", "newRole", "onDate"] as const);
      return data<ActionData>({ intent: "change-role", fieldErrors, values }, { status: 400 });
    }
    try {
      await changeRole(db, actor, parsed.data.membershipId, parsed.data.newRole, {
        onDate: parsed.data.onDate,
        ip,
        groupId: group.id,
      });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === "FORBIDDEN") throw new Response("Forbidden", { status: 403 });
      const field: RoleField =
        error.code === "SAME_ROLE" ? "newRole" : error.code === "CHANGE_ON_START_DAY" || error.code === "NOT_CURRENT" ? "onDate" : "membershipId";
      return data<ActionData>({ intent: "change-role", fieldErrors: { [field]: error.message }, values }, { status: 400 });
    }
    await context.services.accessChanged();
    return redirect(`/groups/${group.id}/members?updated=role-changed`);
  }

  return data<ActionData>({ intent: "unknown", formError: "That action is not recognised. Reload the page and try again." }, { status: 400 });
}

type MemberRow = ReturnType<typeof describeMembership>;

function MembersTable({ members, caption, showEnd }: { members: MemberRow[]; caption: string; showEnd: boolean }) {
  return (
    <table className="data">
      <caption className="muted">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Organisation</th>
          <th scope="col">Sector</th>
          <th scope="col">Role</th>
          <th scope="col">From</th>
          <th scope="col">To</th>
          <th scope="col">Notes</th>
        </tr>
      </thead>
      <tbody>
        {members.map((member) => (
          <tr key={member.id}>
            <th scope="row">{member.name}</th>
            <td>{member.organisation ?? "None recorded"}</td>
            <td>{member.sector ?? ""}</td>
            <td>{member.role}</td>
            <td>{member.from}</td>
            <td>{member.to ?? (showEnd ? "" : "Continuing")}</td>
            <td>
              {member.alternateFor ? <span className="tag">Alternate for {member.alternateFor}</span> : null}
              {showEnd && member.endReason ? (
                <>
                  {member.alternateFor ? " " : null}
                  {member.endReason}
                </>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p className="field-error" id={id}>
      {message}
    </p>
  ) : null;
}

const describedBy = (...ids: (string | false | undefined)[]) => ids.filter(Boolean).join(" ") || undefined;

export default function GroupMembers() {
  const loaderData = useLoaderData<MembersPageData>();
  const { group, todayLabel, current, upcoming, past, onDate, onError, onParam, updated, mayManage, manageable, roleOptions } =
    loaderData;
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const endResult = actionData?.intent === "end" ? actionData : undefined;
  const roleResult = actionData?.intent === "change-role" ? actionData : undefined;
  const endErrors = endResult?.fieldErrors ?? {};
  const roleErrors = roleResult?.fieldErrors ?? {};

  return (
    <>
      <p className="muted">
        <Link to={`/groups/${group.id}`}>{group.name}</Link>
      </p>
      <h1>Members</h1>
      {updated === "ended" || updated === "role-changed" ? (
        <div className="alert alert--success" role="status">
          <p>{updated === "ended" ? "The membership has ended. It stays in the record below." : "The role has changed. The earlier role stays in the record below."}</p>
        </div>
      ) : null}
      {actionData?.intent === "unknown" ? (
        <div className="alert alert--error" role="alert">
          <p>{actionData.formError}</p>
        </div>
      ) : null}

      <section className="panel" aria-labelledby="current-heading">
        <h2 id="current-heading">Current members</h2>
        {current.length === 0 ? (
          <p>The group has no members today.</p>
        ) : (
          <MembersTable members={current} caption={`Members on ${todayLabel}`} showEnd={false} />
        )}
      </section>

      {upcoming.length > 0 ? (
        <section className="panel" aria-labelledby="upcoming-heading">
          <h2 id="upcoming-heading">Joining later</h2>
          <MembersTable members={upcoming} caption="Memberships that start after today" showEnd={false} />
        </section>
      ) : null}

      <section className="panel" aria-labelledby="past-heading">
        <h2 id="past-heading">Past members</h2>
        {past.length === 0 ? (
          <p>No one has left the group.</p>
        ) : (
          <MembersTable members={past} caption="Memberships that have ended, most recent first" showEnd />
        )}
      </section>

      <section className="panel" aria-labelledby="on-date-heading">
        <h2 id="on-date-heading">Who were the members on a date?</h2>
        <Form method="get" noValidate>
          <div className="field">
            <label htmlFor="on">Date</label>
            <span className="hint" id="on-hint">
              For example, the date of a meeting or decision: 2026-09-01
            </span>
            <input
              id="on"
              name="on"
              type="date"
              defaultValue={onParam}
              aria-invalid={onError ? true : undefined}
              aria-describedby={describedBy("on-hint", onError ? "on-error" : undefined)}
            />
            <FieldError id="on-error" message={onError ?? undefined} />
          </div>
          <button type="submit" className="button button--secondary">
            Show members
          </button>
        </Form>
        {onDate ? (
          <>
            <h3 id="on-date-result">Members on {onDate.label}</h3>
            {onDate.members.length === 0 ? (
              <p>The group had no members on that date.</p>
            ) : (
              <MembersTable members={onDate.members} caption={`${onDate.members.length} memberships on ${onDate.label}`} showEnd={false} />
            )}
          </>
        ) : null}
      </section>

      {mayManage ? (
        <section className="panel" aria-labelledby="manage-heading">
          <h2 id="manage-heading">Change the membership</h2>
          <p className="muted">Nothing is deleted: an ended membership and an earlier role stay in the record.</p>
          <div className="grid">
            <div>
              <h3 id="end-heading">End a membership</h3>
              {endResult?.formError ? (
                <div className="alert alert--error" role="alert">
                  <p>{endResult.formError}</p>
                </div>
              ) : null}
              <Form method="post" noValidate aria-labelledby="end-heading">
                <input type="hidden" name="intent" value="end" />
                <div className="field">
                  <label htmlFor="end-membershipId">Membership</label>
                  <select
                    id="end-membershipId"
                    name="membershipId"
                    defaultValue={endResult?.values.membershipId ?? ""}
                    aria-invalid={endErrors.membershipId ? true : undefined}
                    aria-describedby={endErrors.membershipId ? "end-membershipId-error" : undefined}
                  >
                    <option value="">Choose a member</option>
                    {manageable.map((option) => (
                      <option key={option.id} value={option.id}>
                        {option.label}
                      </option>
                    ))}
                  </select>
                  <FieldError id="end-membershipId-error" message={endErrors.membershipId} />
                </div>
                <div className="field">
                  <label htmlFor="end-endsOn">Last day of the membership</label>
                  <input
                    id="end-endsOn"
                    name="endsOn"
                    type="date"
                    defaultValue={endResult?.values.endsOn ?? ""}
                    aria-invalid={endErrors.endsOn ? true : undefined}
                    aria-describedby={endErrors.endsOn ? "end-endsOn-error" : undefined}
                  />
                  <FieldError id="end-endsOn-error" message={endErrors.endsOn} />
                </div>
                <div className="field">
                  <label htmlFor="end-reason">Reason</label>
                  <input
                    id="end-reason"
                    name="reason"
                    type="text"
                    maxLength={500}
                    defaultValue={endResult?.values.reason ?? ""}
                    aria-invalid={endErrors.reason ? true : undefined}
                    aria-describedby={endErrors.reason ? "end-reason-error" : undefined}
                  />
                  <FieldError id="end-reason-error" message={endErrors.reason} />
                </div>
                <button type="submit" className="button button--danger" disabled={submitting}>
                  End membership
                </button>
              </Form>
            </div>
            <div>
              <h3 id="role-heading">Change a role</h3>
              {roleResult?.formError ? (
                <div className="alert alert--error" role="alert">
                  <p>{roleResult.formError}</p>
                </div>
              ) : null}
              <Form method="post" noValidate aria-labelledby="role-heading">
                <input type="hidden" name="intent" value="change-role" />
                <div className="field">
                  <label htmlFor="role-membershipId">Member</label>
                  <select
                    id="role-membershipId"
                    name="membershipId"
                    defaultValue={roleResult?.values.membershipId ?? ""}
                    aria-invalid={roleErrors.membershipId ? true : undefined}
                    aria-describedby={roleErrors.membershipId ? "role-membershipId-error" : undefined}
                  >
                    <option value="">Choose a member</option>
                    {manageable.map((option) => (
                      <option key={option.id} value={option.id}>
                        {option.label}
                      </option>
                    ))}
                  </select>
                  <FieldError id="role-membershipId-error" message={roleErrors.membershipId} />
                </div>
                <div className="field">
                  <label htmlFor="role-newRole">New role</label>
                  <select
                    id="role-newRole"
                    name="newRole"
                    defaultValue={roleResult?.values.newRole ?? ""}
                    aria-invalid={roleErrors.newRole ? true : undefined}
                    aria-describedby={roleErrors.newRole ? "role-newRole-error" : undefined}
                  >
                    <option value="">Choose a role</option>
                    {roleOptions.map((option) => (
                      <option key={option.value} value={option.value}>
                        {option.label}
                      </option>
                    ))}
                  </select>
                  <FieldError id="role-newRole-error" message={roleErrors.newRole} />
                </div>
                <div className="field">
                  <label htmlFor="role-onDate">First day in the new role</label>
                  <span className="hint" id="role-onDate-hint">
                    The earlier role ends the day before.
                  </span>
                  <input
                    id="role-onDate"
                    name="onDate"
                    type="date"
                    defaultValue={roleResult?.values.onDate ?? ""}
                    aria-invalid={roleErrors.onDate ? true : undefined}
                    aria-describedby={describedBy("role-onDate-hint", roleErrors.onDate ? "role-onDate-error" : undefined)}
                  />
                  <FieldError id="role-onDate-error" message={roleErrors.onDate} />
                </div>
                <button type="submit" className="button" disabled={submitting}>
                  Change role
                </button>
              </Form>
            </div>
          </div>
        </section>
      ) : null}
    </>
  );
}
