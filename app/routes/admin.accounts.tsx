/**
 * Administration: every account, and disabling or enabling one. Disabling signs the person out on
 * every device at once and stops them signing in; an administrator cannot disable themselves.
 * Works without JS.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requirePlatformAdmin } from "../http/require-admin.server.js";
import { listAccounts, setAccountDisabled } from "../models/admin.server.js";
import { formatNzShortDate } from "../utils/dates.js";
import { AppError } from "../errors.js";

export const meta: MetaFunction = () => [{ title: "Accounts · Administration · Stewardship Workspace" }];

const accountActionSchema = z.object({
  intent: z.enum(["disable", "enable"], { error: "Choose to disable or enable the account" }),
  userId: z.string({ error: "Choose an account" }).min(1, "Choose an account"),
});

type ActionData = { formError: string };

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
  const parsed = accountActionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    return data<ActionData>({ formError: parsed.error.issues[0]?.message ?? "Choose an account" }, { status: 400 });
  }
  const disabled = parsed.data.intent === "disable";
  try {
    await setAccountDisabled(context.services.db, actor, { userId: parsed.data.userId, disabled, ip: context.clientIp });
    await context.services.accessChanged({ userId: parsed.data.userId });
  } catch (error) {
    if (error instanceof AppError && (error.code === "CANNOT_DISABLE_SELF" || error.code === "NOT_FOUND")) {
      const formError =
        error.code === "CANNOT_DISABLE_SELF"
          ? "You cannot disable your own account. Ask another platform administrator if it needs to be disabled."
          : "That account no longer exists. Reload the page and try again.";
      return data<ActionData>({ formError }, { status: 400 });
    }
    throw error;
  }
  return redirect(`/admin/accounts?${disabled ? "disabled" : "enabled"}=${parsed.data.userId}`);
}

export default function AdminAccounts() {
  const { accounts, disabledName, enabledName } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  return (
    <>
      <p className="muted">
        <Link to="/admin">Administration</Link>
      </p>
      <h1>Accounts</h1>
      {actionData?.formError ? (
        <div className="alert alert--error" role="alert">
          <p>{actionData.formError}</p>
        </div>
      ) : null}
      {disabledName ? (
        <div className="alert alert--success" role="status">
          <p>Disabled the account of {disabledName}. They have been signed out on every device.</p>
        </div>
      ) : null}
      {enabledName ? (
        <div className="alert alert--success" role="status">
          <p>Enabled the account of {enabledName}. They can sign in again.</p>
        </div>
      ) : null}
      <section className="panel" aria-labelledby="accounts-heading">
        <h2 id="accounts-heading">All accounts</h2>
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email address</th>
              <th scope="col">Platform administrator</th>
              <th scope="col">Status</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((account) => (
              <tr key={account.id}>
                <th scope="row">
                  {account.name}
                  {account.isSelf ? <span className="muted"> (you)</span> : null}
                </th>
                <td>{account.email}</td>
                <td>{account.isPlatformAdmin ? "Yes" : "No"}</td>
                <td>{account.disabledOn ? `Disabled on ${account.disabledOn}` : "Active"}</td>
                <td>
                  {account.isSelf ? (
                    <span className="muted">Your own account</span>
                  ) : (
                    <Form method="post">
                      <input type="hidden" name="userId" value={account.id} />
                      {account.disabledOn ? (
                        <button
                          type="submit"
                          name="intent"
                          value="enable"
                          className="button button--secondary"
                          aria-label={`Enable the account of ${account.name}`}
                          disabled={navigation.state === "submitting"}
                        >
                          Enable
                        </button>
                      ) : (
                        <button
                          type="submit"
                          name="intent"
                          value="disable"
                          className="button button--danger"
                          aria-label={`Disable the account of ${account.name}`}
                          disabled={navigation.state === "submitting"}
                        >
                          Disable
                        </button>
                      )}
                    </Form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
