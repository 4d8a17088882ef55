/**
 * Accepting an invitation from its emailed link. Shows the group and role, then either a form to
 * create an account (when the email has none yet), a "Join the group" button (when signed in as
 * the person invited), or asks them to sign in first. Used, revoked and expired links answer 410
 * with a page saying what to do. Works without JavaScript.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { normaliseEmail } from "../auth/sign-in.server.js";
import { PASSWORD_MIN_LENGTH, newPasswordFields, passwordsMatch } from "../auth/new-password.server.js";
import {
  type AcceptInvitationResult,
  type InvitationForAcceptance,
  type InvitationState,
  acceptInvitationAsUser,
  acceptInvitationWithNewAccount,
  findInvitationByToken,
} from "../models/invitations.server.js";
import { formatNzShortDate } from "../utils/dates.js";
import { roleLabels } from "../utils/labels.js";

export const meta: MetaFunction = () => [{ title: "Invitation · Stewardship Workspace" }];

// Built on demand: the password rules are server-only, so nothing here runs in the browser.
const newAccountSchema = () =>
  z
    .object({
      displayName: z
        .string({ error: "Enter your name" })
        .trim()
        .min(1, "Enter your name")
        .max(100, "Use 100 characters or fewer for your name"),
      ...newPasswordFields,
    })
    .superRefine(passwordsMatch);

type Field = "displayName" | "password" | "confirmPassword";
type FieldErrors = Partial<Record<Field, string>>;

/** What the page can be showing. */
type InvitationView =
  | { kind: "not_found" }
  | { kind: "unavailable"; state: Exclude<InvitationState, "pending"> }
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
      passwordMinLength: number;
    };

type ActionData =
  | { kind: "form"; formError?: string; fieldErrors?: FieldErrors; displayName?: string }
  | Extract<InvitationView, { kind: "unavailable" | "not_found" }>;

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
    passwordMinLength: PASSWORD_MIN_LENGTH,
  };
}

const statusOf = (view: InvitationView) => (view.kind === "not_found" ? 404 : view.kind === "unavailable" ? 410 : 200);

export async function loader({ params, context }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const view = viewOf(await findInvitationByToken(context.services.db, token), token, context.user);
  return data(view, { status: statusOf(view) });
}

/** The answer when accepting failed because of the link itself, or the account. */
function refusal(result: Extract<AcceptInvitationResult, { ok: false }>, displayName?: string) {
  switch (result.error) {
    case "INVITATION_NOT_FOUND":
      return data<ActionData>({ kind: "not_found" }, { status: 404 });
    case "INVITATION_EXPIRED":
      return data<ActionData>({ kind: "unavailable", state: "expired" }, { status: 410 });
    case "INVITATION_USED":
      return data<ActionData>({ kind: "unavailable", state: "accepted" }, { status: 410 });
    case "INVITATION_REVOKED":
      return data<ActionData>({ kind: "unavailable", state: "revoked" }, { status: 410 });
    case "ACCOUNT_EXISTS":
      return data<ActionData>(
        { kind: "form", formError: "An account already uses this email address. Sign in, then open this link again.", displayName },
        { status: 409 },
      );
    case "WRONG_ACCOUNT":
      return data<ActionData>(
        {
          kind: "form",
          formError: "This invitation is for a different email address. Sign out, then open this link again.",
          displayName,
        },
        { status: 403 },
      );
  }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const { db, auth } = context.services;
  const ip = context.clientIp;
  const form = Object.fromEntries(await request.formData());
  const userAgent = request.headers.get("user-agent");

  if (form.intent === "join") {
    if (!context.user) throw redirect(`/login?redirectTo=${encodeURIComponent(`/invitations/${token}`)}`);
    const result = await acceptInvitationAsUser(db, token, context.user, { ip });
    if (!result.ok) return refusal(result);
    return redirect(`/groups/${result.groupId}`);
  }

  const displayName = typeof form.displayName === "string" ? form.displayName.slice(0, 100) : "";
  if (context.user) {
    return refusal({ ok: false, error: "WRONG_ACCOUNT" }, displayName);
  }
  const parsed = newAccountSchema().safeParse(form);
  if (!parsed.success) {
    const fieldErrors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === "displayName" || field === "password" || field === "confirmPassword") && !fieldErrors[field]) {
        fieldErrors[field] = issue.message;
      }
    }
    return data<ActionData>({ kind: "form", fieldErrors, displayName }, { status: 400 });
  }
  const result = await acceptInvitationWithNewAccount(
    db,
    token,
    { displayName: parsed.data.displayName, password: parsed.data.password },
    { ip },
  );
  if (!result.ok) return refusal(result, displayName);
  const { setCookie } = await auth.signIn(result.userId, { ip, userAgent });
  return redirect(`/groups/${result.groupId}`, { headers: { "Set-Cookie": setCookie } });
}

const unavailableMessages: Record<Exclude<InvitationState, "pending">, { heading: string; body: string }> = {
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
  const actionData = useActionData<ActionData>();
  const view: InvitationView = actionData && actionData.kind !== "form" ? actionData : loaded;

  if (view.kind === "not_found") {
    return (
      <section className="panel narrow" aria-labelledby="invitation-heading">
        <h1 id="invitation-heading">We could not find this invitation</h1>
        <p>Check that you copied the whole link from the email. If it still does not work, ask the group's secretary to send a new one.</p>
      </section>
    );
  }
  if (view.kind === "unavailable") {
    const message = unavailableMessages[view.state];
    return (
      <section className="panel narrow" aria-labelledby="invitation-heading">
        <h1 id="invitation-heading">{message.heading}</h1>
        <p>{message.body}</p>
        <p>
          <Link to="/login">Sign in</Link>
        </p>
      </section>
    );
  }
  return <PendingInvitation view={view} actionData={actionData?.kind === "form" ? actionData : undefined} />;
}

function PendingInvitation({
  view,
  actionData,
}: {
  view: Extract<InvitationView, { kind: "pending" }>;
  actionData: Extract<ActionData, { kind: "form" }> | undefined;
}) {
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const fieldErrors = actionData?.fieldErrors ?? {};
  const describedBy = (field: Field, hint?: string) =>
    [hint, fieldErrors[field] ? `${field}-error` : undefined].filter(Boolean).join(" ") || undefined;
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
      {actionData?.formError ? (
        <div className="alert alert--error" role="alert" id="form-error">
          <p>{actionData.formError}</p>
        </div>
      ) : null}

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
        <Form method="post" aria-describedby={actionData?.formError ? "form-error" : undefined}>
          <input type="hidden" name="intent" value="join" />
          <button type="submit" className="button" disabled={submitting}>
            {submitting ? "Joining…" : "Join the group"}
          </button>
        </Form>
      ) : (
        <>
          <h2>Create your account</h2>
          <Form method="post" noValidate aria-describedby={actionData?.formError ? "form-error" : undefined}>
            <input type="hidden" name="intent" value="create_account" />
            <div className="field">
              <label htmlFor="account-email">Email address</label>
              <input id="account-email" type="email" autoComplete="username" value={view.email} readOnly />
            </div>
            <div className="field">
              <label htmlFor="displayName">Your name</label>
              <span className="hint" id="displayName-hint">
                As you would like other members to see it.
              </span>
              <input
                id="displayName"
                name="displayName"
                type="text"
                autoComplete="name"
                required
                defaultValue={actionData?.displayName ?? view.suggestedName}
                aria-invalid={fieldErrors.displayName ? true : undefined}
                aria-describedby={describedBy("displayName", "displayName-hint")}
              />
              {fieldErrors.displayName ? (
                <p className="field-error" id="displayName-error">
                  {fieldErrors.displayName}
                </p>
              ) : null}
            </div>
            <div className="field">
              <label htmlFor="password">Choose a password</label>
              <span className="hint" id="password-hint">
                At least {view.passwordMinLength} characters. A few words you will remember works well.
              </span>
              <input
                id="password"
                name="password"
                type="password"
                autoComplete="new-password"
                required
                minLength={view.passwordMinLength}
                aria-invalid={fieldErrors.password ? true : undefined}
                aria-describedby={describedBy("password", "password-hint")}
              />
              {fieldErrors.password ? (
                <p className="field-error" id="password-error">
                  {fieldErrors.password}
                </p>
              ) : null}
            </div>
            <div className="field">
              <label htmlFor="confirmPassword">Type the password again</label>
              <input
                id="confirmPassword"
                name="confirmPassword"
                type="password"
                autoComplete="new-password"
                required
                aria-invalid={fieldErrors.confirmPassword ? true : undefined}
                aria-describedby={describedBy("confirmPassword")}
              />
              {fieldErrors.confirmPassword ? (
                <p className="field-error" id="confirmPassword-error">
                  {fieldErrors.confirmPassword}
                </p>
              ) : null}
            </div>
            <button type="submit" className="button" disabled={submitting}>
              {submitting ? "Creating your account…" : "Create account and join"}
            </button>
          </Form>
        </>
      )}
    </section>
  );
}
