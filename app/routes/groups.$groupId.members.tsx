/**
 * A group's members: who is a member now, who was, who will be, and who was a member on any date
 * (the record behind "who was present when this was decided"). The chair, secretary and platform
 * administrator can end a membership or change a role; both keep the history. Works without JS.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { membershipRoles } from "../../db/database.js";
import { resultFor } from "../components/forms/fields.js";
import { ChangeRoleForm } from "../components/members/ChangeRoleForm.js";
import { EndMembershipForm } from "../components/members/EndMembershipForm.js";
import { MembersOnDate } from "../components/members/MembersOnDate.js";
import { MembersSection } from "../components/members/MembersSection.js";
import type { MemberRow } from "../components/members/MembersTable.js";
import { requireGroup } from "../http/require-group.server.js";
import { afterChange, invalidForm, replyWithError } from "../http/responses.server.js";
import { membersOnDateSchema, membershipCommandSchema } from "../identity/schemas.js";
import { countMemberships, membershipCountsSentence } from "../members/membership-counts.js";
import { type MembershipView, changeRole, endMembership, membersOnDate, membershipHistory } from "../models/memberships.server.js";
import { permissionsFor } from "../policy/policy.js";
import { formatNzShortDate, nzCalendarDate } from "../utils/dates.js";
import { roleLabels, sectorLabels } from "../utils/labels.js";
import { SuccessNotice } from "../components/SuccessNotice.js";

export const meta: MetaFunction = ({ data: loaderData }) => [
  { title: `Members · ${(loaderData as MembersPage | undefined)?.group.name ?? "Group"} · Stewardship Workspace` },
];

function describeMembership(membership: MembershipView): MemberRow {
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

/** The memberships in force on a date, and the three counts of them. */
async function describeDate(db: Parameters<typeof membersOnDate>[0], groupId: string, on: string) {
  const members = await membersOnDate(db, groupId, on);
  return { label: formatNzShortDate(on), counts: membershipCountsSentence(countMemberships(members)), members: members.map(describeMembership) };
}

type MembersPage = Awaited<ReturnType<typeof loadMembersPage>>;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const page = await loadMembersPage(request, context, params);
  // A date that is not a date is a bad request, answered with the page and the field's message.
  return data(page, { status: page.onDateQuery.status === "error" ? 400 : 200 });
}

async function loadMembersPage(request: Request, context: LoaderFunctionArgs["context"], params: LoaderFunctionArgs["params"]) {
  const { actor, group, resource } = await requireGroup(request, context, params, "group.members.view");
  const db = context.services.db;
  const today = nzCalendarDate();

  const [current, history] = await Promise.all([membersOnDate(db, group.id, today), membershipHistory(db, group.id)]);
  const upcoming = history.filter((membership) => membership.startsOn > today);
  const past = history
    .filter((membership) => membership.endsOn !== null && membership.endsOn < today)
    .sort((a, b) => (a.endsOn! < b.endsOn! ? 1 : a.endsOn! > b.endsOn! ? -1 : a.name.localeCompare(b.name, "en-NZ")));

  const onDateQuery = parseWithZod(new URL(request.url).searchParams, { schema: membersOnDateSchema });
  const on = onDateQuery.status === "success" ? onDateQuery.value.on : undefined;
  const may = permissionsFor(actor, resource, ["group.members.manage"]);
  return {
    group: { id: group.id, name: group.name },
    todayLabel: formatNzShortDate(today),
    todayCounts: membershipCountsSentence(countMemberships(current)),
    current: current.map(describeMembership),
    upcoming: upcoming.map(describeMembership),
    past: past.map(describeMembership),
    onDateQuery: onDateQuery.reply(),
    onDate: on ? await describeDate(db, group.id, on) : null,
    may,
    roleOptions: membershipRoles.map((role) => ({ value: role, label: roleLabels[role] })),
    manageable: may["group.members.manage"]
      ? [...current, ...upcoming]
          .filter((membership, index, all) => all.findIndex((other) => other.id === membership.id) === index)
          .map((membership) => ({
            value: membership.id,
            label: `${membership.name}, ${roleLabels[membership.role]}${membership.organisationName ? ` (${membership.organisationName})` : ""}`,
          }))
      : [],
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, group } = await requireGroup(request, context, params, "group.members.manage");
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: membershipCommandSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const command = submission.value;
  const db = context.services.db;
  const ip = context.clientIp;
  try {
    if (command.intent === "end") {
      await endMembership(db, actor, command.membershipId, { endsOn: command.endsOn, reason: command.reason, ip, groupId: group.id });
    } else {
      await changeRole(db, actor, command.membershipId, command.newRole, { onDate: command.onDate, ip, groupId: group.id });
    }
  } catch (error) {
    return replyWithError(submission, error);
  }
  // Whoever lost their place may have the group's documents open: close what they may no longer read.
  await context.services.accessChanged();
  return afterChange(request, formData, `/groups/${group.id}/members?updated=${command.intent === "end" ? "ended" : "role-changed"}`);
}

const updatedNotices: Record<string, string> = {
  ended: "The membership has ended. It stays in the record below.",
  "role-changed": "The role has changed. The earlier role stays in the record below.",
};

export default function GroupMembers() {
  const { todayLabel, todayCounts, current, upcoming, past, onDate, onDateQuery, may, manageable, roleOptions } = useLoaderData<MembersPage>();
  const actionData = useActionData<typeof action>();
  const updated = updatedNotices[useSearchParams()[0].get("updated") ?? ""];

  return (
    <>
      <h1>Members</h1>
      {updated ? (
        <SuccessNotice>{updated}</SuccessNotice>
      ) : null}

      <p className="lede">{`Today: ${todayCounts}`}</p>
      <MembersSection
        id="current"
        heading="Current members"
        members={current}
        caption={`Members on ${todayLabel}`}
        whenEmpty="The group has no members today."
      />
      <MembersSection id="upcoming" heading="Joining later" members={upcoming} caption="Memberships that start after today" />
      <MembersSection
        id="past"
        heading="Past members"
        members={past}
        caption="Memberships that have ended, most recent first"
        showEnd
        whenEmpty="No one has left the group."
      />

      <MembersOnDate lastResult={onDateQuery} onDate={onDate} />

      {may["group.members.manage"] ? (
        <section className="panel" aria-labelledby="manage-heading">
          <h2 id="manage-heading">Change the membership</h2>
          <p className="muted">Nothing is deleted: an ended membership and an earlier role stay in the record.</p>
          <div className="grid">
            <EndMembershipForm memberships={manageable} lastResult={resultFor(actionData, "end")} />
            <ChangeRoleForm memberships={manageable} roles={roleOptions} lastResult={resultFor(actionData, "change-role")} />
          </div>
        </section>
      ) : null}
    </>
  );
}
