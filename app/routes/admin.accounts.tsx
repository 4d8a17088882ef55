/**
 * Administration: every account, and disabling or enabling one. Disabling signs the person out on
 * every device at once and stops them signing in; an administrator cannot disable themselves.
 * Works without JS.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { RowButtonsForm, resultFor, useAppForm } from "../components/forms/fields.js";
import { requirePlatformAdmin } from "../http/require-admin.server.js";
import { afterChange, invalidForm, replyWithError } from "../http/responses.server.js";
import { accountStatusSchema } from "../identity/schemas.js";
import { listAccounts, setAccountDisabled } from "../models/admin.server.js";
import { formatNzShortDate } from "../utils/dates.js";
import { DataTable, type Column } from "../components/DataTable.js";
import { SuccessNotice } from "../components/SuccessNotice.js";
import { Panel } from "../components/Panel.js";

export const meta: MetaFunction = () => [{ title: "Accounts · Administration · Stewardship Workspace" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requirePlatformAdmin(request, context);
  const accounts = await listAccounts(context.services.db);
  const url = new URL(request.url);
  const nameOf = (id: string | null) => accounts.find((account) => account.id === id)?.display_name ?? null;
  return {
    disabledName: nameOf(url.searchParams.get("disabled")),
    enabledName: nameOf(url.searchParams.get("enabled")),
    accounts: accounts.map((account) => ({
      id: account.id,
      name: account.display_name,
      email: account.email,
      isPlatformAdmin: account.is_platform_admin,
      disabledOn: account.disabled_at ? formatNzShortDate(account.disabled_at) : null,
      isSelf: account.id === user.id,
    })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requirePlatformAdmin(request, context);
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: accountStatusSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const { intent, userId } = submission.value;
  const disabled = intent === "disable";
  try {
    await setAccountDisabled(context.services.db, actor, { userId, disabled, ip: context.clientIp });
  } catch (error) {
    return replyWithError(submission, error);
  }
  await context.services.accessChanged({ userId });
  return afterChange(request, formData, `/admin/accounts?${disabled ? "disabled" : "enabled"}=${userId}`);
}

/** One form per change: each row's button submits it (its `form` attribute), naming the account. */
const statusForms = { disable: "disable-account", enable: "enable-account" } as const;

type AccountRow = ReturnType<typeof useLoaderData<typeof loader>>["accounts"][number];

function accountColumns(submitting: boolean): Column<AccountRow>[] {
  return [
    {
      header: "Name",
      rowHeader: true,
      cell: (account) => (
        <>
          {account.name}
          {account.isSelf ? <span className="muted"> (you)</span> : null}
        </>
      ),
    },
    { header: "Email address", cell: (account) => account.email },
    { header: "Platform administrator", cell: (account) => (account.isPlatformAdmin ? "Yes" : "No") },
    { header: "Status", cell: (account) => (account.disabledOn ? `Disabled on ${account.disabledOn}` : "Active") },
    {
      header: "Change",
      cell: (account) =>
        account.isSelf ? (
          <span className="muted">Your own account</span>
        ) : (
          <button
            type="submit"
            form={statusForms[account.disabledOn ? "enable" : "disable"]}
            name="userId"
            value={account.id}
            className={account.disabledOn ? "button button--secondary" : "button button--danger"}
            aria-label={`${account.disabledOn ? "Enable" : "Disable"} the account of ${account.name}`}
            disabled={submitting}
          >
            {account.disabledOn ? "Enable" : "Disable"}
          </button>
        ),
    },
  ];
}

export default function AdminAccounts() {
  const { accounts, disabledName, enabledName } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const submitting = useNavigation().state === "submitting";
  return (
    <>
      <h1>Accounts</h1>
      <AccountStatusForm intent="disable" lastResult={resultFor(actionData, "disable")} />
      <AccountStatusForm intent="enable" lastResult={resultFor(actionData, "enable")} />
      {disabledName ? (
        <SuccessNotice>Disabled the account of {disabledName}. They have been signed out on every device.</SuccessNotice>
      ) : null}
      {enabledName ? (
        <SuccessNotice>Enabled the account of {enabledName}. They can sign in again.</SuccessNotice>
      ) : null}
      <Panel headingId="accounts-heading" heading="All accounts">
        <DataTable label="All accounts" columns={accountColumns(submitting)} rows={accounts} rowKey={(account) => account.id} />
      </Panel>
    </>
  );
}

/** The reply's message above the table, and the form the rows' buttons submit. */
function AccountStatusForm({ intent, lastResult }: { intent: keyof typeof statusForms; lastResult: unknown }) {
  const [form] = useAppForm(accountStatusSchema, { id: statusForms[intent], lastResult });
  return <RowButtonsForm form={form} intent={intent} />;
}
