/**
 * Administration: the organisations members represent, and adding one. Names keep their macrons
 * exactly as typed ("Whaikaha – Ministry of Disabled People"). Works without JS.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { organisationSectors } from "../../db/database.js";
import { requirePlatformAdmin } from "../http/require-admin.server.js";
import { createOrganisation, listOrganisations } from "../models/admin.server.js";
import { formatNzShortDate } from "../utils/dates.js";
import { sectorLabels } from "../utils/labels.js";
import { AppError } from "../errors.js";

export const meta: MetaFunction = () => [{ title: "Organisations · Administration · Stewardship Workspace" }];

const organisationSchema = z.object({
  name: z
    .string({ error: "Enter the organisation's name" })
    .trim()
    .min(1, "Enter the organisation's name")
    .max(200, "Keep the name to 200 characters or fewer"),
  shortName: z.string().trim().max(30, "Keep the short name to 30 characters or fewer").optional(),
  sector: z.enum(organisationSectors, { error: "Choose the organisation's sector" }),
});

type Field = "name" | "shortName" | "sector";
type ActionData = { formError?: string; fieldErrors: Partial<Record<Field, string>>; values: Record<Field, string> };

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePlatformAdmin(request, context);
  const organisations = await listOrganisations(context.services.db);
  const createdId = new URL(request.url).searchParams.get("created");
  return {
    created: organisations.find((organisation) => organisation.id === createdId)?.name ?? null,
    sectorOptions: organisationSectors.map((sector) => ({ value: sector, label: sectorLabels[sector] })),
    organisations: organisations.map((organisation) => ({
      id: organisation.id,
      name: organisation.name,
      shortName: organisation.short_name,
      sector: sectorLabels[organisation.sector],
      added: formatNzShortDate(organisation.created_at),
    })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requirePlatformAdmin(request, context);
  const form = Object.fromEntries(await request.formData());
  const text = (value: FormDataEntryValue | undefined) => (typeof value === "string" ? value.slice(0, 300) : "");
  const values = { name: text(form.name), shortName: text(form.shortName), sector: text(form.sector) };
  const parsed = organisationSchema.safeParse(form);
  if (!parsed.success) {
    const fieldErrors: Partial<Record<Field, string>> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === "name" || field === "shortName" || field === "sector") && !fieldErrors[field]) {
        fieldErrors[field] = issue.message;
      }
    }
    return data<ActionData>({ fieldErrors, values }, { status: 400 });
  }
  try {
    const id = await createOrganisation(context.services.db, actor, {
      name: parsed.data.name,
      shortName: parsed.data.shortName || null,
      sector: parsed.data.sector,
      ip: context.clientIp,
    });
    return redirect(`/admin/organisations?created=${id}`);
  } catch (error) {
    if (error instanceof AppError && error.code === "DUPLICATE_NAME") {
      return data<ActionData>({ fieldErrors: { name: error.message }, values }, { status: 400 });
    }
    throw error;
  }
}

export default function AdminOrganisations() {
  const { organisations, sectorOptions, created } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const fieldErrors = actionData?.fieldErrors ?? {};
  const values = actionData?.values;
  return (
    <>
      <p className="muted">
        <Link to="/admin">Administration</Link>
      </p>
      <h1>Organisations</h1>
      {created ? (
        <div className="alert alert--success" role="status">
          <p>Added {created}.</p>
        </div>
      ) : null}

      <section className="panel" aria-labelledby="add-heading">
        <h2 id="add-heading">Add an organisation</h2>
        {actionData?.formError ? (
          <div className="alert alert--error" role="alert">
            <p>{actionData.formError}</p>
          </div>
        ) : null}
        <Form method="post" noValidate aria-labelledby="add-heading">
          <div className="field">
            <label htmlFor="name">Name</label>
            <span className="hint" id="name-hint">
              As the organisation writes it, with macrons, for example Te Puni Kōkiri
            </span>
            <input
              id="name"
              name="name"
              type="text"
              required
              maxLength={200}
              defaultValue={values?.name ?? ""}
              aria-invalid={fieldErrors.name ? true : undefined}
              aria-describedby={fieldErrors.name ? "name-hint name-error" : "name-hint"}
            />
            {fieldErrors.name ? (
              <p className="field-error" id="name-error">
                {fieldErrors.name}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="shortName">Short name (optional)</label>
            <span className="hint" id="shortName-hint">
              For example MSD
            </span>
            <input
              id="shortName"
              name="shortName"
              type="text"
              maxLength={30}
              defaultValue={values?.shortName ?? ""}
              aria-invalid={fieldErrors.shortName ? true : undefined}
              aria-describedby={fieldErrors.shortName ? "shortName-hint shortName-error" : "shortName-hint"}
            />
            {fieldErrors.shortName ? (
              <p className="field-error" id="shortName-error">
                {fieldErrors.shortName}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="sector">Sector</label>
            <select
              id="sector"
              name="sector"
              required
              defaultValue={values?.sector ?? ""}
              aria-invalid={fieldErrors.sector ? true : undefined}
              aria-describedby={fieldErrors.sector ? "sector-error" : undefined}
            >
              <option value="">Choose a sector</option>
              {sectorOptions.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
            {fieldErrors.sector ? (
              <p className="field-error" id="sector-error">
                {fieldErrors.sector}
              </p>
            ) : null}
          </div>
          <button type="submit" className="button" disabled={navigation.state === "submitting"}>
            Add organisation
          </button>
        </Form>
      </section>

      <section className="panel" aria-labelledby="list-heading">
        <h2 id="list-heading">All organisations</h2>
        {organisations.length === 0 ? (
          <p>No organisations yet.</p>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Short name</th>
                <th scope="col">Sector</th>
                <th scope="col">Added</th>
              </tr>
            </thead>
            <tbody>
              {organisations.map((organisation) => (
                <tr key={organisation.id}>
                  <th scope="row">{organisation.name}</th>
                  <td>{organisation.shortName ?? ""}</td>
                  <td>{organisation.sector}</td>
                  <td>{organisation.added}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
