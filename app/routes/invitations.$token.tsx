/**
 * Accepting an invitation from its emailed link. Shows the group and role, then either a form to
 * create an account (when the email has none yet), a "Join the group" button (when signed in as
 * the person invited), or asks them to sign in first. Used, revoked and expired links answer 410
 * with a page saying what to do. Works without JavaScript.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { normaliseEmail } from "../models/sign-in.server.js";
import { createAccountSchema, invitationResponseSchema, joinGroupSchema, passwordFields } from "../auth/schemas.js";
import { NewPasswordFields } from "../components/auth/NewPasswordFields.js";
import { UnusableLink, type UnusableLinkMessage } from "../components/auth/UnusableLink.js";
import { FormErrors, IntentInput, TextField, formProps, resultFor, useAppForm } from "../components/forms/fields.js";
import { isAppError } from "../errors.js";
import { requireUser } from "../http/require.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import {
  type InvitationForAcceptance,
  acceptInvitationAsUser,
  acceptInvitationWithNewAccount,
  findInvitationByToken,
  wrongAccount,
} from "../models/invitation-acceptance.server.js";
import type { InvitationState } from "../models/invitations.server.js";
import { formatNzShortDate } from "../utils/dates.js";
import { roleLabels } from "../utils/labels.js";

export const meta: MetaFunction = () => [{ title: "Invitation · Stewardship Workspace" }];

type Unavailable = { kind: "not_found" } | { kind: "unavailable"; state: Exclude<InvitationState, "pending"> };

/** What the page can be showing. */
type InvitationView =
  | Unavailable
  | {
      kind: "pending";
      /** What the person can do next. */
      next: "create_account" | "join" | "sign_in_first" | "signed_in_as_someone_else";
      token: string;
      email: string;
      role: string;
      groupName: string;
      organisationName: string | null;
      expiresOn: string;
      suggestedName: string;
      signedInAs: string | null;
    };

function viewOf(invitation: InvitationForAcceptance | undefined, token: string, user: { email: string } | null): InvitationView {
  if (!invitation) return { kind: "not_found" };
  if (invitation.state !== "pending") return { kind: "unavailable", state: invitation.state };
  const needsAccount = !invitation.account || (!invitation.account.hasPassword && !invitation.account.disabled);
  const signedInAsInvitee = user !== null && normaliseEmail(user.email) === invitation.email;
  const next =
    user && !signedInAsInvitee
      ? "signed_in_as_someone_else"
      : needsAccount
        ? "create_account"
        : signedInAsInvitee
          ? "join"
          : "sign_in_first";
  return {
    kind: "pending",
    next,
    token,
    email: invitation.email,
    role: roleLabels[invitation.role],
    groupName: invitation.groupName,
    organisationName: invitation.organisationName,
    expiresOn: formatNzShortDate(invitation.expiresAt),
    suggestedName: invitation.account?.displayName ?? "",
    signedInAs: user?.email ?? null,
  };
}

const statusOf = (view: InvitationView) => (view.kind === "not_found" ? 404 : view.kind === "unavailable" ? 410 : 200);

export async function loader({ params, context }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const view = viewOf(await findInvitationByToken(context.services.db, token), token, context.user);
  return data(view, { status: statusOf(view) });
}

/** A refusal about the link itself (no such invitation, or no longer pending), as the page shows it. */
function unavailableView(error: unknown): Unavailable | null {
  if (!isAppError(error)) return null;
  switch (error.code) {
    case "NOT_FOUND":
      return { kind: "not_found" };
    case "INVITATION_EXPIRED":
      return { kind: "unavailable", state: "expired" };
    case "INVITATION_USED":
      return { kind: "unavailable", state: "accepted" };
    case "INVITATION_REVOKED":
      return { kind: "unavailable", state: "revoked" };
    default:
      return null;
  }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const { db, auth } = context.services;
  const ip = context.clientIp;
  const submission = parseWithZod(await request.formData(), { schema: invitationResponseSchema });
  if (submission.status !== "success") return invalidForm(submission, { hideFields: passwordFields });
  const command = submission.value;
  // Joining needs the invited person signed in: the sign-in page brings them back here.
  const user = command.intent === "join" ? requireUser(request, context) : context.user;
  try {
    if (command.intent === "join") {
      const accepted = await acceptInvitationAsUser(db, token, user!, { ip });
      return redirect(`/groups/${accepted.groupId}`);
    }
    if (user) throw wrongAccount();
    const accepted = await acceptInvitationWithNewAccount(db, token, { displayName: command.displayName, password: command.password }, { ip });
    const { setCookie } = await auth.signIn(accepted.userId, { ip, userAgent: request.headers.get("user-agent") });
    return redirect(`/groups/${accepted.groupId}`, { headers: { "Set-Cookie": setCookie } });
  } catch (error) {
    const unavailable = unavailableView(error);
    if (unavailable) return data<InvitationView>(unavailable, { status: statusOf(unavailable) });
    return replyWithError(submission, error, { hideFields: passwordFields });
  }
}

const notFoundMessage: UnusableLinkMessage = {
  heading: "We could not find this invitation",
  body: "Check that you copied the whole link from the email. If it still does not work, ask the group's secretary to send a new one.",
};

const unavailableMessages: Record<Exclude<InvitationState, "pending">, UnusableLinkMessage> = {
  expired: {
    heading: "This invitation has expired",
    body: "This invitation link has expired. Ask the group's secretary to send a new one.",
  },
  accepted: {
    heading: "This invitation has already been used",
    body: "This invitation link has already been used, and each link works only once. If it was you, sign in to see the group. If not, ask the group's secretary to send a new one.",
  },
  revoked: {
    heading: "This invitation has been withdrawn",
    body: "This invitation link has been withdrawn, so it no longer works. Ask the group's secretary to send a new one.",
  },
};

export default function AcceptInvitation() {
  const loaded = useLoaderData<InvitationView>();
  // The action answers with the page's state when the link is the problem, else the form's reply.
  const actionData = useActionData<Unavailable | SubmissionResult<string[]>>();
  const view = actionData && "kind" in actionData ? actionData : loaded;

  if (view.kind === "not_found") return <UnusableLink message={notFoundMessage} />;
  if (view.kind === "unavailable") return <UnusableLink message={unavailableMessages[view.state]} next={{ to: "/login", label: "Sign in" }} />;
  return <PendingInvitation view={view} actionData={actionData} />;
}

type PendingView = Extract<InvitationView, { kind: "pending" }>;

function PendingInvitation({ view, actionData }: { view: PendingView; actionData: unknown }) {
  const returnPath = `/invitations/${view.token}`;
  return (
    <section className="panel narrow" aria-labelledby="invitation-heading">
      <h1 id="invitation-heading">{`Join the ${view.groupName}`}</h1>
      <p>You have been invited to join this group.</p>
      <dl className="facts">
        <dt>Group</dt>
        <dd>{view.groupName}</dd>
        <dt>Your role</dt>
        <dd>{view.role}</dd>
        {view.organisationName ? (
          <>
            <dt>Representing</dt>
            <dd>{view.organisationName}</dd>
          </>
        ) : null}
        <dt>Invitation for</dt>
        <dd>{view.email}</dd>
        <dt>Link expires</dt>
        <dd>{view.expiresOn}</dd>
      </dl>

      {view.next === "signed_in_as_someone_else" ? (
        <div className="alert" role="status">
          <p>
            You are signed in as {view.signedInAs}, but this invitation is for {view.email}. Sign out, then open this
            link again.
          </p>
        </div>
      ) : view.next === "sign_in_first" ? (
        <>
          <p>An account already uses {view.email}. Sign in to that account to join the group.</p>
          <p>
            <Link className="button" to={`/login?redirectTo=${encodeURIComponent(returnPath)}`}>
              Sign in to join
            </Link>
          </p>
        </>
      ) : view.next === "join" ? (
        <JoinForm lastResult={resultFor(actionData, "join")} />
      ) : (
        <CreateAccountForm view={view} lastResult={resultFor(actionData, "create_account")} />
      )}
    </section>
  );
}

function JoinForm({ lastResult }: { lastResult: unknown }) {
  const submitting = useNavigation().state === "submitting";
  const [form] = useAppForm(joinGroupSchema, { id: "join", lastResult });
  return (
    <>
      <FormErrors form={form} />
      <Form method="post" {...formProps(form)}>
        <IntentInput value="join" />
        <button type="submit" className="button" disabled={submitting}>
          {submitting ? "Joining…" : "Join the group"}
        </button>
      </Form>
    </>
  );
}

function CreateAccountForm({ view, lastResult }: { view: PendingView; lastResult: unknown }) {
  const submitting = useNavigation().state === "submitting";
  const [form, fields] = useAppForm(createAccountSchema, {
    id: "create-account",
    lastResult,
    defaultValue: { displayName: view.suggestedName },
  });
  return (
    <>
      <h2>Create your account</h2>
      <FormErrors form={form} />
      <Form method="post" {...formProps(form)}>
        <IntentInput value="create_account" />
        <div className="field">
          <label htmlFor="account-email">Email address</label>
          <input id="account-email" type="email" autoComplete="username" value={view.email} readOnly />
        </div>
        <TextField meta={fields.displayName} label="Your name" hint="As you would like other members to see it." autoComplete="name" />
        <NewPasswordFields
          password={fields.password}
          confirmPassword={fields.confirmPassword}
          labels={{ password: "Choose a password", confirmPassword: "Type the password again" }}
          advice="A few words you will remember works well."
        />
        <button type="submit" className="button" disabled={submitting}>
          {submitting ? "Creating your account…" : "Create account and join"}
        </button>
      </Form>
    </>
  );
}
