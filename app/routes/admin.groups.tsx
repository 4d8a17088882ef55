/**
 * Administration: the groups on the platform, and creating one with its reference code (the
 * <CODE> in decision references like SSCSG-27-MIN-0001). Works without JS.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { FormErrors, TextAreaField, TextField, formProps, useAppForm } from "../components/forms/fields.js";
import { requirePlatformAdmin } from "../http/require-admin.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { GROUP_CODE_RULE, groupSchema } from "../identity/schemas.js";
import { createGroup, listGroupsForAdmin } from "../models/admin.server.js";
import { formatNzShortDate } from "../utils/dates.js";
import { DataTable, type Column } from "../components/DataTable.js";
import { SuccessNotice } from "../components/SuccessNotice.js";
import { Panel } from "../components/Panel.js";

export const meta: MetaFunction = () => [{ title: "Groups · Administration · Stewardship Workspace" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePlatformAdmin(request, context);
  const groups = await listGroupsForAdmin(context.services.db);
  const createdId = new URL(request.url).searchParams.get("created");
  return {
    created: groups.find((group) => group.id === createdId)?.name ?? null,
    groups: groups.map((group) => ({
      id: group.id,
      code: group.code,
      name: group.name,
      portfolio: group.portfolio,
      quorum: group.quorum,
      created: formatNzShortDate(group.created_at),
      archived: group.archived_at ? formatNzShortDate(group.archived_at) : null,
    })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requirePlatformAdmin(request, context);
  const submission = parseWithZod(await request.formData(), { schema: groupSchema });
  if (submission.status !== "success") return invalidForm(submission);
  try {
    const id = await createGroup(context.services.db, actor, { ...submission.value, ip: context.clientIp });
    return redirect(`/admin/groups?created=${id}`);
  } catch (error) {
    return replyWithError(submission, error);
  }
}

type GroupRow = ReturnType<typeof useLoaderData<typeof loader>>["groups"][number];

const groupColumns: Column<GroupRow>[] = [
  { header: "Code", cell: (group) => group.code },
  {
    header: "Name",
    rowHeader: true,
    cell: (group) => (
      <>
        {group.name}
        {group.archived ? <span className="muted"> (archived {group.archived})</span> : null}
      </>
    ),
  },
  { header: "Portfolio", cell: (group) => group.portfolio || "Not set" },
  { header: "Quorum", cell: (group) => group.quorum },
  { header: "Created", cell: (group) => group.created },
  {
    header: "Members",
    cell: (group) =>
      group.archived ? null : (
        <Link to={`/groups/${group.id}/members`} aria-label={`Members of ${group.name}`}>
          Members
        </Link>
      ),
  },
];

export default function AdminGroups() {
  const { groups, created } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useAppForm(groupSchema, { id: "group", lastResult });
  return (
    <>
      <h1>Groups</h1>
      {created ? (
        <SuccessNotice>Created {created}. Next, invite its chair and secretary.</SuccessNotice>
      ) : null}

      <Panel headingId="create-heading" heading="Create a group">
        <FormErrors form={form} />
        <Form method="post" {...formProps(form)} aria-labelledby="create-heading">
          <TextField
            meta={fields.code}
            label="Reference code"
            hint={`Used in decision references, like SSCSG-27-MIN-0001. ${GROUP_CODE_RULE}.`}
            maxLength={12}
          />
          <TextField meta={fields.name} label="Name" maxLength={200} />
          <TextField meta={fields.portfolio} label="Portfolio (optional)" hint="For example Social Development and Employment" maxLength={200} />
          <TextAreaField meta={fields.description} label="Description (optional)" rows={3} maxLength={2000} />
          <TextField
            meta={fields.quorum}
            label="Quorum"
            hint="How many members must be present for the group to make decisions"
            maxLength={3}
            inputMode="numeric"
          />
          <button type="submit" className="button" disabled={navigation.state === "submitting"}>
            Create group
          </button>
        </Form>
      </Panel>

      <Panel headingId="list-heading" heading="All groups">
        <DataTable label="Groups" columns={groupColumns} rows={groups} rowKey={(group) => group.id} empty="No groups yet." />
      </Panel>
    </>
  );
}
