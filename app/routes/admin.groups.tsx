/**
 * Administration: the groups on the platform, and creating one with its reference code (the
 * <CODE> in decision references like SSCSG-27-MIN-0001). Works without JS.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requirePlatformAdmin } from "../http/require-admin.server.js";
import { createGroup, listGroupsForAdmin } from "../models/admin.server.js";
import { formatNzShortDate } from "../utils/dates.js";
import { AppError } from "../errors.js";

export const meta: MetaFunction = () => [{ title: "Groups · Administration · Stewardship Workspace" }];

const CODE_MESSAGE = "Use 2 to 12 capital letters and digits, starting with a letter, like SSCSG";

const groupSchema = z.object({
  code: z
    .string({ error: "Enter the group's reference code" })
    .trim()
    .min(1, "Enter the group's reference code")
    .toUpperCase()
    .regex(/^[A-Z][A-Z0-9]{1,11}$/, CODE_MESSAGE),
  name: z
    .string({ error: "Enter the group's name" })
    .trim()
    .min(1, "Enter the group's name")
    .max(200, "Keep the name to 200 characters or fewer"),
  portfolio: z.string().trim().max(200, "Keep the portfolio to 200 characters or fewer").default(""),
  description: z.string().trim().max(2000, "Keep the description to 2,000 characters or fewer").default(""),
  quorum: z
    .string({ error: "Enter the quorum" })
    .trim()
    .min(1, "Enter the quorum")
    .regex(/^\d{1,3}$/, "Enter the quorum as a whole number, like 4")
    .transform(Number)
    .pipe(z.number().min(1, "The quorum must be at least 1").max(100, "The quorum must be 100 or fewer")),
});

type Field = "code" | "name" | "portfolio" | "description" | "quorum";
const fields: readonly Field[] = ["code", "name", "portfolio", "description", "quorum"];
type ActionData = { formError?: string; fieldErrors: Partial<Record<Field, string>>; values: Record<Field, string> };

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
  const form = Object.fromEntries(await request.formData());
  const values = Object.fromEntries(
    fields.map((field) => [field, typeof form[field] === "string" ? (form[field] as string).slice(0, 2000) : ""]),
  ) as Record<Field, string>;
  const parsed = groupSchema.safeParse(form);
  if (!parsed.success) {
    const fieldErrors: Partial<Record<Field, string>> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as Field;
      if (fields.includes(field) && !fieldErrors[field]) fieldErrors[field] = issue.message;
    }
    return data<ActionData>({ fieldErrors, values }, { status: 400 });
  }
  try {
    const id = await createGroup(context.services.db, actor, { ...parsed.data, ip: context.clientIp });
    return redirect(`/admin/groups?created=${id}`);
  } catch (error) {
    if (error instanceof AppError && error.code === "DUPLICATE_CODE") {
      return data<ActionData>({ fieldErrors: { code: error.message }, values }, { status: 400 });
    }
    throw error;
  }
}

function TextField({
  id,
  label,
  hint,
  error,
  value,
  required,
  maxLength,
  inputMode,
}: {
  id: Field;
  label: string;
  hint?: string;
  error: string | undefined;
  value: string;
  required?: boolean;
  maxLength: number;
  inputMode?: "numeric";
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
        type="text"
        required={required}
        maxLength={maxLength}
        inputMode={inputMode}
        defaultValue={value}
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

export default function AdminGroups() {
  const { groups, created } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const fieldErrors = actionData?.fieldErrors ?? {};
  const values = actionData?.values;
  return (
    <>
      <p className="muted">
        <Link to="/admin">Administration</Link>
      </p>
      <h1>Groups</h1>
      {created ? (
        <div className="alert alert--success" role="status">
          <p>Created {created}. Next, invite its chair and secretary.</p>
        </div>
      ) : null}

      <section className="panel" aria-labelledby="create-heading">
        <h2 id="create-heading">Create a group</h2>
        {actionData?.formError ? (
          <div className="alert alert--error" role="alert">
            <p>{actionData.formError}</p>
          </div>
        ) : null}
        <Form method="post" noValidate aria-labelledby="create-heading">
          <TextField
            id="code"
            label="Reference code"
            hint={`Used in decision references, like SSCSG-27-MIN-0001. ${CODE_MESSAGE}.`}
            error={fieldErrors.code}
            value={values?.code ?? ""}
            required
            maxLength={12}
          />
          <TextField id="name" label="Name" error={fieldErrors.name} value={values?.name ?? ""} required maxLength={200} />
          <TextField
            id="portfolio"
            label="Portfolio (optional)"
            hint="For example Social Development and Employment"
            error={fieldErrors.portfolio}
            value={values?.portfolio ?? ""}
            maxLength={200}
          />
          <div className="field">
            <label htmlFor="description">Description (optional)</label>
            <textarea
              id="description"
              name="description"
              rows={3}
              maxLength={2000}
              defaultValue={values?.description ?? ""}
              aria-invalid={fieldErrors.description ? true : undefined}
              aria-describedby={fieldErrors.description ? "description-error" : undefined}
            />
            {fieldErrors.description ? (
              <p className="field-error" id="description-error">
                {fieldErrors.description}
              </p>
            ) : null}
          </div>
          <TextField
            id="quorum"
            label="Quorum"
            hint="How many members must be present for the group to make decisions"
            error={fieldErrors.quorum}
            value={values?.quorum ?? ""}
            required
            maxLength={3}
            inputMode="numeric"
          />
          <button type="submit" className="button" disabled={navigation.state === "submitting"}>
            Create group
          </button>
        </Form>
      </section>

      <section className="panel" aria-labelledby="list-heading">
        <h2 id="list-heading">All groups</h2>
        {groups.length === 0 ? (
          <p>No groups yet.</p>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Name</th>
                <th scope="col">Portfolio</th>
                <th scope="col">Quorum</th>
                <th scope="col">Created</th>
                <th scope="col">Members</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((group) => (
                <tr key={group.id}>
                  <td>{group.code}</td>
                  <th scope="row">
                    {group.name}
                    {group.archived ? <span className="muted"> (archived {group.archived})</span> : null}
                  </th>
                  <td>{group.portfolio || "Not set"}</td>
                  <td>{group.quorum}</td>
                  <td>{group.created}</td>
                  <td>
                    {group.archived ? null : (
                      <Link to={`/groups/${group.id}/members`} aria-label={`Members of ${group.name}`}>
                        Members
                      </Link>
                    )}
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
