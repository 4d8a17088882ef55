/**
 * The signed-in person's account: who they are, the devices they are signed in on, changing their
 * password (which signs out every other device) and signing out of all devices. Works without JS.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { accountCommandSchema, changePasswordSchema, passwordFields, signOutEverywhereSchema } from "../auth/schemas.js";
import { NewPasswordFields } from "../components/auth/NewPasswordFields.js";
import { FormErrors, IntentInput, TextField, formProps, resultFor, useAppForm } from "../components/forms/fields.js";
import { requireUser } from "../http/require.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { changePassword, listSignedInDevices, signOutEverywhere } from "../models/account.server.js";
import { formatNzShortDate, formatNzTime } from "../utils/dates.js";
import { DataTable, type Column } from "../components/DataTable.js";
import { SuccessNotice } from "../components/SuccessNotice.js";
import { Panel } from "../components/Panel.js";

export const meta: MetaFunction = () => [{ title: "Your account · Stewardship Workspace" }];

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
  const submission = parseWithZod(await request.formData(), { schema: accountCommandSchema });
  if (submission.status !== "success") return invalidForm(submission, { hideFields: passwordFields });
  const db = context.services.db;

  if (submission.value.intent === "sign-out-everywhere") {
    await signOutEverywhere(db, { userId: user.id, ip: context.clientIp });
    await context.services.accessChanged({ userId: user.id });
    return redirect("/login", { headers: { "Set-Cookie": context.services.auth.lucia.createBlankSessionCookie().serialize() } });
  }

  try {
    await changePassword(db, {
      userId: user.id,
      currentSessionId: session.id,
      currentPassword: submission.value.currentPassword,
      newPassword: submission.value.password,
      ip: context.clientIp,
    });
  } catch (error) {
    return replyWithError(submission, error, { hideFields: passwordFields });
  }
  await context.services.accessChanged({ userId: user.id });
  return redirect("/account?changed=password");
}

type DeviceRow = ReturnType<typeof useLoaderData<typeof loader>>["devices"][number];

const deviceColumns: Column<DeviceRow>[] = [
  {
    header: "Device",
    rowHeader: true,
    cell: (device) => (
      <>
        {device.device}
        {device.isCurrent ? (
          <>
            {" "}
            <span className="tag">This device</span>
          </>
        ) : null}
      </>
    ),
  },
  { header: "Signed in", cell: (device) => <time dateTime={device.signedInIso}>{device.signedIn}</time> },
  { header: "IP address", cell: (device) => device.ip ?? "Not recorded" },
];

export default function Account() {
  const { name, email, devices, passwordChanged } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <h1>Your account</h1>
      {passwordChanged ? (
        <SuccessNotice>Your password has changed. You have been signed out on every other device.</SuccessNotice>
      ) : null}

      <Panel headingId="details-heading" heading="Your details">
        <dl className="facts">
          <dt>Name</dt>
          <dd>{name}</dd>
          <dt>Email address</dt>
          <dd>{email}</dd>
        </dl>
        <p>
          <Link to="/account/notifications">Notification emails</Link>: each one, a daily summary, or none.
        </p>
      </Panel>

      <Panel headingId="password-heading" heading="Change your password">
        <p className="muted">Changing your password signs you out on every other device.</p>
        <ChangePasswordForm lastResult={resultFor(actionData, "change-password")} />
      </Panel>

      <Panel headingId="devices-heading" heading="Where you are signed in">
        <DataTable label="Where you are signed in" columns={deviceColumns} rows={devices} rowKey={(device) => device.key} empty="You are not signed in anywhere else." />
        <SignOutEverywhereForm lastResult={resultFor(actionData, "sign-out-everywhere")} />
      </Panel>
    </>
  );
}

function ChangePasswordForm({ lastResult }: { lastResult: unknown }) {
  const submitting = useNavigation().state === "submitting";
  const [form, fields] = useAppForm(changePasswordSchema, { id: "change-password", lastResult });
  return (
    <>
      <FormErrors form={form} />
      <Form method="post" {...formProps(form)} aria-labelledby="password-heading">
        <IntentInput value="change-password" />
        <TextField meta={fields.currentPassword} label="Current password" type="password" autoComplete="current-password" />
        <NewPasswordFields
          password={fields.password}
          confirmPassword={fields.confirmPassword}
          labels={{ password: "New password", confirmPassword: "New password again" }}
          advice="A few unrelated words make a strong password."
        />
        <button type="submit" className="button" disabled={submitting}>
          Change password
        </button>
      </Form>
    </>
  );
}

function SignOutEverywhereForm({ lastResult }: { lastResult: unknown }) {
  const submitting = useNavigation().state === "submitting";
  const [form] = useAppForm(signOutEverywhereSchema, { id: "sign-out-everywhere", lastResult });
  return (
    <Form method="post" {...formProps(form)}>
      <IntentInput value="sign-out-everywhere" />
      <p>If you have lost a device or signed in somewhere you should not have, sign out everywhere and sign in again here.</p>
      <button type="submit" className="button button--danger" disabled={submitting}>
        Sign out of all devices
      </button>
    </Form>
  );
}
