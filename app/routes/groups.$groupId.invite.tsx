/**
 * Inviting people to a group (chair, secretary or the Hub's administrator): email, role and the
 * organisation they represent. Lists the invitations still waiting, each with "Revoke".
 * Works without JavaScript.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { membershipRoles } from "../../db/database.js";
import { FormErrors, IntentInput, RowButtonsForm, SelectField, TextField, formProps, resultFor, useAppForm } from "../components/forms/fields.js";
import { requireGroup } from "../http/require-group.server.js";
import { afterChange, invalidForm, replyWithError } from "../http/responses.server.js";
import { invitationCommandSchema, inviteSchema, revokeInvitationSchema } from "../identity/schemas.js";
import { createInvitation, listPendingInvitations, revokeInvitation } from "../models/invitations.server.js";
import { listOrganisationNames } from "../models/memberships.server.js";
import { formatNzShortDate } from "../utils/dates.js";
import { roleLabels } from "../utils/labels.js";
import { DataTable, type Column } from "../components/DataTable.js";
import { SuccessNotice } from "../components/SuccessNotice.js";
import { Panel } from "../components/Panel.js";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Invite people · ${loaderData?.group.name ?? "Group"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { group } = await requireGroup(request, context, params, "group.members.invite");
  const db = context.services.db;
  const [organisations, pending] = await Promise.all([listOrganisationNames(db), listPendingInvitations(db, group.id)]);
  return {
    group: { id: group.id, name: group.name },
    organisations: organisations.map((organisation) => ({ value: organisation.id, label: organisation.name })),
    roles: membershipRoles.map((role) => ({ value: role, label: roleLabels[role] })),
    pending: pending.map((invitation) => ({
      id: invitation.id,
      email: invitation.email,
      role: roleLabels[invitation.role],
      organisation: invitation.organisation_name,
      invitedBy: invitation.invited_by_name,
      sentOn: formatNzShortDate(invitation.created_at),
      expiresOn: formatNzShortDate(invitation.expires_at),
    })),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, group } = await requireGroup(request, context, params, "group.members.invite");
  const { db, jobs, config } = context.services;
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: invitationCommandSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const command = submission.value;
  const ip = context.clientIp;
  const invitePath = `/groups/${group.id}/invite`;

  if (command.intent === "revoke") {
    try {
      await revokeInvitation(db, actor, { groupId: group.id, invitationId: command.invitationId }, { ip });
    } catch (error) {
      return replyWithError(submission, error);
    }
    return afterChange(request, formData, `${invitePath}?revoked=1`);
  }

  try {
    await createInvitation(db, { outbox: jobs, publicUrl: config.publicUrl }, actor, { groupId: group.id, ...command }, { ip });
  } catch (error) {
    return replyWithError(submission, error);
  }
  return afterChange(request, formData, `${invitePath}?sent=1`);
}

export default function InviteToGroup() {
  const { group, organisations, roles, pending } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const notice = searchParams.get("sent")
    ? "Invitation sent. It is listed below until it is accepted."
    : searchParams.get("revoked")
      ? "Invitation revoked. Its link no longer works."
      : null;

  return (
    <>
      <h1>Invite someone to the group</h1>
      {notice && !actionData ? (
        <SuccessNotice>{notice}</SuccessNotice>
      ) : null}

      <Panel headingId="invite-heading" heading="Send an invitation">
        <p className="muted">
          We email them a link to join {group.name}. The link works once and expires after 7 days.
        </p>
        <InviteForm organisations={organisations} roles={roles} lastResult={resultFor(actionData, "invite")} />
      </Panel>

      <Panel headingId="pending-heading" heading="Invitations waiting to be accepted">
        <RevokeForm lastResult={resultFor(actionData, "revoke")} />
        <DataTable
          label="Invitations waiting"
          caption={{ text: "Sending a new invitation to the same email replaces the one waiting.", className: "muted" }}
          columns={invitationColumns}
          rows={pending}
          rowKey={(invitation) => invitation.id}
          empty="There are no invitations waiting."
        />
      </Panel>
    </>
  );
}

type InvitationRow = ReturnType<typeof useLoaderData<typeof loader>>["pending"][number];

const invitationColumns: Column<InvitationRow>[] = [
  { header: "Email address", cell: (invitation) => invitation.email },
  { header: "Role", cell: (invitation) => invitation.role },
  { header: "Organisation", cell: (invitation) => invitation.organisation ?? "None" },
  {
    header: "Sent",
    cell: (invitation) => (
      <>
        {invitation.sentOn} by {invitation.invitedBy}
      </>
    ),
  },
  { header: "Expires", cell: (invitation) => invitation.expiresOn },
  {
    header: <span className="muted">Action</span>,
    // Each row's button submits the one revoke form, naming its invitation.
    cell: (invitation) => (
      <button
        type="submit"
        form={REVOKE_FORM}
        name="invitationId"
        value={invitation.id}
        className="button button--secondary"
        aria-label={`Revoke the invitation for ${invitation.email}`}
      >
        Revoke
      </button>
    ),
  },
];

type Options = readonly { value: string; label: string }[];

function InviteForm({ organisations, roles, lastResult }: { organisations: Options; roles: Options; lastResult: unknown }) {
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting" && navigation.formData?.get("intent") === "invite";
  const [form, fields] = useAppForm(inviteSchema, { id: "invite", lastResult, defaultValue: { role: "member" } });
  return (
    <>
      <FormErrors form={form} />
      <Form method="post" {...formProps(form)}>
        <IntentInput value="invite" />
        <TextField meta={fields.email} label="Email address" type="email" autoComplete="off" />
        <SelectField meta={fields.role} label="Role" options={roles} />
        <SelectField
          meta={fields.organisationId}
          label="Organisation they represent"
          placeholder="Choose an organisation"
          options={organisations}
        />
        <button type="submit" className="button" disabled={submitting}>
          {submitting ? "Sending…" : "Send invitation"}
        </button>
      </Form>
    </>
  );
}

const REVOKE_FORM = "revoke";

/** The one revoke form: the buttons in the table submit it (their `form` attribute), each naming its invitation. */
function RevokeForm({ lastResult }: { lastResult: unknown }) {
  const [form] = useAppForm(revokeInvitationSchema, { id: REVOKE_FORM, lastResult });
  return <RowButtonsForm form={form} intent="revoke" />;
}
