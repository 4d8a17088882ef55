/**
 * The signed-in person's account: who they are, the devices they are signed in on, changing their
 * password (which signs out every other device) and signing out of all devices. Works without JS.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { PASSWORD_MAX_LENGTH, newPasswordFields, passwordsMatch } from "../auth/new-password.server.js";
import { requireUser } from "../http/require.server.js";
import { changePassword, listSignedInDevices, signOutEverywhere } from "../models/account.server.js";
import { formatNzShortDate, formatNzTime } from "../utils/dates.js";

export const meta: MetaFunction = () => [{ title: "Your account · Stewardship Workspace" }];

// Built on demand: its pieces come from a .server module, which the browser bundle leaves empty.
function changePasswordSchema() {
  return z
    .object({
      currentPassword: z
        .string({ error: "Enter your current password" })
        .min(1, "Enter your current password")
        .max(PASSWORD_MAX_LENGTH, "That password is too long"),
      ...newPasswordFields,
    })
    .superRefine(passwordsMatch)
    .superRefine((value, context) => {
      if (value.password.length > 0 && value.password === value.currentPassword) {
        context.addIssue({ code: "custom", path: ["password"], message: "Choose a password different from your current one" });
      }
    });
}

type PasswordField = "currentPassword" | "password" | "confirmPassword";
type ActionData = { formError?: string; fieldErrors?: Partial<Record<PasswordField, string>> };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = requireUser(request, context);
  const devices = await listSignedInDevices(context.services.db, user.id, context.session?.id ?? null);
  return {
    name: user.displayName,
    email: user.email,
    passwordChanged: new URL(request.url).searchParams.get("changed") === "password",
    devices: devices.map((device, index) => ({
      key: `${index}`,
      signedIn: `${formatNzShortDate(device.createdAt)}, ${formatNzTime(device.createdAt)}`,
      signedInIso: device.createdAt.toISOString(),
      ip: device.ip,
      device: device.device,
      isCurrent: device.isCurrent,
    })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requireUser(request, context);
  const session = context.session;
  if (!session) throw redirect("/login");
  const form = Object.fromEntries(await request.formData());
  const db = context.services.db;

  if (form.intent === "sign-out-everywhere") {
    await signOutEverywhere(db, { userId: user.id, ip: context.clientIp });
    await context.services.accessChanged({ userId: user.id });
    return redirect("/login", { headers: { "Set-Cookie": context.services.auth.lucia.createBlankSessionCookie().serialize() } });
  }

  if (form.intent === "change-password") {
    const parsed = changePasswordSchema().safeParse(form);
    if (!parsed.success) {
      const fieldErrors: Partial<Record<PasswordField, string>> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if ((field === "currentPassword" || field === "password" || field === "confirmPassword") && !fieldErrors[field]) {
          fieldErrors[field] = issue.message;
        }
      }
      return data<ActionData>({ fieldErrors }, { status: 400 });
    }
    const result = await changePassword(db, {
      userId: user.id,
      currentSessionId: session.id,
      currentPassword: parsed.data.currentPassword,
      newPassword: parsed.data.password,
      ip: context.clientIp,
    });
    if (!result.ok) {
      return data<ActionData>(
        { fieldErrors: { currentPassword: "That is not your current password. Check it and try again." } },
        { status: 400 },
      );
    }
    await context.services.accessChanged({ userId: user.id });
    return redirect("/account?changed=password");
  }

  return data<ActionData>({ formError: "That action is not recognised. Reload the page and try again." }, { status: 400 });
}

function PasswordInput({
  id,
  label,
  autoComplete,
  error,
  hint,
}: {
  id: PasswordField;
  label: string;
  autoComplete: string;
  error: string | undefined;
  hint?: string;
}) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      <input
        id={id}
        name={id}
        type="password"
        autoComplete={autoComplete}
        required
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export default function Account() {
  const { name, email, devices, passwordChanged } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const fieldErrors = actionData?.fieldErrors ?? {};
  return (
    <>
      <h1>Your account</h1>
      {passwordChanged ? (
        <div className="alert alert--success" role="status">
          <p>Your password has changed. You have been signed out on every other device.</p>
        </div>
      ) : null}
      {actionData?.formError ? (
        <div className="alert alert--error" role="alert">
          <p>{actionData.formError}</p>
        </div>
      ) : null}

      <section className="panel" aria-labelledby="details-heading">
        <h2 id="details-heading">Your details</h2>
        <dl className="facts">
          <dt>Name</dt>
          <dd>{name}</dd>
          <dt>Email address</dt>
          <dd>{email}</dd>
        </dl>
        <p>
          <Link to="/account/notifications">Notification emails</Link>: each one, a daily summary, or none.
        </p>
      </section>

      <section className="panel" aria-labelledby="password-heading">
        <h2 id="password-heading">Change your password</h2>
        <p className="muted">Changing your password signs you out on every other device.</p>
        <Form method="post" noValidate aria-labelledby="password-heading">
          <input type="hidden" name="intent" value="change-password" />
          <PasswordInput
            id="currentPassword"
            label="Current password"
            autoComplete="current-password"
            error={fieldErrors.currentPassword}
          />
          <PasswordInput
            id="password"
            label="New password"
            autoComplete="new-password"
            hint="At least 12 characters. A few unrelated words make a strong password."
            error={fieldErrors.password}
          />
          <PasswordInput
            id="confirmPassword"
            label="New password again"
            autoComplete="new-password"
            error={fieldErrors.confirmPassword}
          />
          <button type="submit" className="button" disabled={submitting}>
            Change password
          </button>
        </Form>
      </section>

      <section className="panel" aria-labelledby="devices-heading">
        <h2 id="devices-heading">Where you are signed in</h2>
        {devices.length === 0 ? (
          <p>You are not signed in anywhere else.</p>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Signed in</th>
                <th scope="col">IP address</th>
              </tr>
            </thead>
            <tbody>
              {devices.map((device) => (
                <tr key={device.key}>
                  <th scope="row">
                    {device.device}
                    {device.isCurrent ? (
                      <>
                        {" "}
                        <span className="tag">This device</span>
                      </>
                    ) : null}
                  </th>
                  <td>
                    <time dateTime={device.signedInIso}>{device.signedIn}</time>
                  </td>
                  <td>{device.ip ?? "Not recorded"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Form method="post">
          <input type="hidden" name="intent" value="sign-out-everywhere" />
          <p>If you have lost a device or signed in somewhere you should not have, sign out everywhere and sign in again here.</p>
          <button type="submit" className="button button--danger" disabled={submitting}>
            Sign out of all devices
          </button>
        </Form>
      </section>
    </>
  );
}
