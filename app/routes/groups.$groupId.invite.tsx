/**
 * Inviting people to a group (chair, secretary or the Hub's administrator): email, role and the
 * organisation they represent. Lists the invitations still waiting, each with "Revoke".
 * Works without JavaScript.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { membershipRoles } from "../../db/database.js";
import { requireActor } from "../http/require.server.js";
import { findGroup } from "../models/groups.server.js";
import {
  createInvitation,
  invitationEmail,
  listOrganisationChoices,
  listPendingInvitations,
  revokeInvitation,
} from "../models/invitations.server.js";
import { can } from "../policy/policy.js";
import { formatNzShortDate } from "../utils/dates.js";
import { roleLabels } from "../utils/labels.js";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Invite people · ${loaderData?.group.name ?? "Group"} · Stewardship Workspace` },
];

const inviteSchema = z.object({
  email: z
    .string({ error: "Enter their email address" })
    .trim()
    .min(1, "Enter their email address")
    .max(254, "That email address is too long")
    .email("Enter an email address like name@example.org"),
  role: z.enum(membershipRoles, { error: "Choose the role they will have" }),
  organisationId: z.uuid({ error: "Choose the organisation they represent" }),
});

const revokeSchema = z.object({ invitationId: z.uuid() });

type Field = "email" | "role" | "organisationId";
type FieldErrors = Partial<Record<Field, string>>;
type ActionData = {
  formError?: string;
  fieldErrors?: FieldErrors;
  values?: { email: string; role: string; organisationId: string };
};

async function loadInvitingGroup(request: Request, context: LoaderFunctionArgs["context"], groupId: string | undefined) {
  const { user, actor } = await requireActor(request, context);
  const group = await findGroup(context.services.db, groupId ?? "");
  if (!group) throw new Response("Not found", { status: 404 });
  if (!can(actor, "group.members.invite", { type: "group", groupId: group.id })) {
    throw new Response("Forbidden", { status: 403 });
  }
  return { user, actor, group };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { group } = await loadInvitingGroup(request, context, params.groupId);
  const db = context.services.db;
  const [organisations, pending] = await Promise.all([
    listOrganisationChoices(db),
    listPendingInvitations(db, group.id),
  ]);
  return {
    group: { id: group.id, name: group.name },
    organisations,
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
  const { actor, group } = await loadInvitingGroup(request, context, params.groupId);
  const { db, mailer, config, logger } = context.services;
  const form = Object.fromEntries(await request.formData());
  const ip = context.clientIp;
  const invitePath = `/groups/${group.id}/invite`;

  if (form.intent === "revoke") {
    const parsed = revokeSchema.safeParse(form);
    const result = parsed.success
      ? await revokeInvitation(db, actor, { groupId: group.id, invitationId: parsed.data.invitationId }, { ip })
      : ({ ok: false, error: "INVITATION_NOT_FOUND" } as const);
    if (!result.ok) {
      if (result.error === "FORBIDDEN") throw new Response("Forbidden", { status: 403 });
      return data<ActionData>(
        { formError: "That invitation has already been accepted, revoked or has expired, so there is nothing to revoke." },
        { status: 409 },
      );
    }
    return redirect(`${invitePath}?revoked=1`);
  }

  const values = {
    email: typeof form.email === "string" ? form.email.slice(0, 254) : "",
    role: typeof form.role === "string" ? form.role : "",
    organisationId: typeof form.organisationId === "string" ? form.organisationId : "",
  };
  const parsed = inviteSchema.safeParse(form);
  if (!parsed.success) {
    const fieldErrors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === "email" || field === "role" || field === "organisationId") && !fieldErrors[field]) {
        fieldErrors[field] = issue.message;
      }
    }
    return data<ActionData>({ fieldErrors, values }, { status: 400 });
  }

  const result = await createInvitation(db, actor, { groupId: group.id, ...parsed.data }, { ip });
  if (!result.ok) {
    if (result.error === "FORBIDDEN") throw new Response("Forbidden", { status: 403 });
    if (result.error === "GROUP_NOT_FOUND") throw new Response("Not found", { status: 404 });
    return data<ActionData>(
      { fieldErrors: { organisationId: "Choose the organisation they represent" }, values },
      { status: 400 },
    );
  }
  try {
    await mailer.send(invitationEmail(result, config.publicUrl));
  } catch (error) {
    logger.error({ category: "email", requestId: context.requestId, invitationId: result.invitationId, err: error }, "invitation email failed");
    return data<ActionData>(
      {
        formError:
          "We saved the invitation but could not send the email. Please try again in a few minutes: sending it again replaces the first invitation.",
        values,
      },
      { status: 502 },
    );
  }
  return redirect(`${invitePath}?sent=1`);
}

export default function InviteToGroup() {
  const { group, organisations, roles, pending } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting" && navigation.formData?.get("intent") === "invite";
  const fieldErrors = actionData?.fieldErrors ?? {};
  const values = actionData?.values;
  const notice = searchParams.get("sent")
    ? "Invitation sent. It is listed below until it is accepted."
    : searchParams.get("revoked")
      ? "Invitation revoked. Its link no longer works."
      : null;
  const describedBy = (field: Field) => (fieldErrors[field] ? `${field}-error` : undefined);

  return (
    <>
      <p>
        <Link to={`/groups/${group.id}`}>Back to {group.name}</Link>
      </p>
      <h1>Invite someone to the group</h1>
      {actionData?.formError ? (
        <div className="alert alert--error" role="alert" id="form-error">
          <p>{actionData.formError}</p>
        </div>
      ) : null}
      {notice && !actionData ? (
        <div className="alert alert--success" role="status">
          <p>{notice}</p>
        </div>
      ) : null}

      <section className="panel" aria-labelledby="invite-heading">
        <h2 id="invite-heading">Send an invitation</h2>
        <p className="muted">
          We email them a link to join {group.name}. The link works once and expires after 7 days.
        </p>
        <Form method="post" noValidate aria-describedby={actionData?.formError ? "form-error" : undefined}>
          <input type="hidden" name="intent" value="invite" />
          <div className="field">
            <label htmlFor="email">Email address</label>
            <input
              id="email"
              name="email"
              type="email"
              autoComplete="off"
              required
              defaultValue={values?.email ?? ""}
              aria-invalid={fieldErrors.email ? true : undefined}
              aria-describedby={describedBy("email")}
            />
            {fieldErrors.email ? (
              <p className="field-error" id="email-error">
                {fieldErrors.email}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="role">Role</label>
            <select
              id="role"
              name="role"
              required
              defaultValue={values?.role ?? "member"}
              aria-invalid={fieldErrors.role ? true : undefined}
              aria-describedby={describedBy("role")}
            >
              {roles.map((role) => (
                <option key={role.value} value={role.value}>
                  {role.label}
                </option>
              ))}
            </select>
            {fieldErrors.role ? (
              <p className="field-error" id="role-error">
                {fieldErrors.role}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="organisationId">Organisation they represent</label>
            <select
              id="organisationId"
              name="organisationId"
              required
              defaultValue={values?.organisationId ?? ""}
              aria-invalid={fieldErrors.organisationId ? true : undefined}
              aria-describedby={describedBy("organisationId")}
            >
              <option value="">Choose an organisation</option>
              {organisations.map((organisation) => (
                <option key={organisation.id} value={organisation.id}>
                  {organisation.name}
                </option>
              ))}
            </select>
            {fieldErrors.organisationId ? (
              <p className="field-error" id="organisationId-error">
                {fieldErrors.organisationId}
              </p>
            ) : null}
          </div>
          <button type="submit" className="button" disabled={submitting}>
            {submitting ? "Sending…" : "Send invitation"}
          </button>
        </Form>
      </section>

      <section className="panel" aria-labelledby="pending-heading">
        <h2 id="pending-heading">Invitations waiting to be accepted</h2>
        {pending.length === 0 ? (
          <p>There are no invitations waiting.</p>
        ) : (
          <table className="data">
            <caption className="muted">Sending a new invitation to the same email replaces the one waiting.</caption>
            <thead>
              <tr>
                <th scope="col">Email address</th>
                <th scope="col">Role</th>
                <th scope="col">Organisation</th>
                <th scope="col">Sent</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="muted">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {pending.map((invitation) => (
                <tr key={invitation.id}>
                  <td>{invitation.email}</td>
                  <td>{invitation.role}</td>
                  <td>{invitation.organisation ?? "None"}</td>
                  <td>
                    {invitation.sentOn} by {invitation.invitedBy}
                  </td>
                  <td>{invitation.expiresOn}</td>
                  <td>
                    <Form method="post">
                      <input type="hidden" name="intent" value="revoke" />
                      <input type="hidden" name="invitationId" value={invitation.id} />
                      <button
                        type="submit"
                        className="button button--secondary"
                        aria-label={`Revoke the invitation for ${invitation.email}`}
                      >
                        Revoke
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
