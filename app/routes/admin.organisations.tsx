/**
 * Administration: the organisations members represent, and adding one. Names keep their macrons
 * exactly as typed ("Whaikaha – Ministry of Disabled People"). Works without JS.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { organisationSectors } from "../../db/database.js";
import { FormErrors, SelectField, TextField, formProps, useAppForm } from "../components/forms/fields.js";
import { requirePlatformAdmin } from "../http/require-admin.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { organisationSchema } from "../identity/schemas.js";
import { createOrganisation, listOrganisations } from "../models/admin.server.js";
import { formatNzShortDate } from "../utils/dates.js";
import { sectorLabels } from "../utils/labels.js";
import { DataTable, type Column } from "../components/DataTable.js";
import { SuccessNotice } from "../components/SuccessNotice.js";
import { Panel } from "../components/Panel.js";

export const meta: MetaFunction = () => [{ title: "Organisations · Administration · Stewardship Workspace" }];

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
  const submission = parseWithZod(await request.formData(), { schema: organisationSchema });
  if (submission.status !== "success") return invalidForm(submission);
  try {
    const id = await createOrganisation(context.services.db, actor, {
      name: submission.value.name,
      shortName: submission.value.shortName || null,
      sector: submission.value.sector,
      ip: context.clientIp,
    });
    return redirect(`/admin/organisations?created=${id}`);
  } catch (error) {
    return replyWithError(submission, error);
  }
}

type OrganisationRow = ReturnType<typeof useLoaderData<typeof loader>>["organisations"][number];

const organisationColumns: Column<OrganisationRow>[] = [
  { header: "Name", rowHeader: true, cell: (organisation) => organisation.name },
  { header: "Short name", cell: (organisation) => organisation.shortName ?? "" },
  { header: "Sector", cell: (organisation) => organisation.sector },
  { header: "Added", cell: (organisation) => organisation.added },
];

export default function AdminOrganisations() {
  const { organisations, sectorOptions, created } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useAppForm(organisationSchema, { id: "organisation", lastResult });
  return (
    <>
      <h1>Organisations</h1>
      {created ? (
        <SuccessNotice>Added {created}.</SuccessNotice>
      ) : null}

      <Panel headingId="add-heading" heading="Add an organisation">
        <FormErrors form={form} />
        <Form method="post" {...formProps(form)} aria-labelledby="add-heading">
          <TextField
            meta={fields.name}
            label="Name"
            hint="As the organisation writes it, with macrons, for example Te Puni Kōkiri"
            maxLength={200}
          />
          <TextField meta={fields.shortName} label="Short name (optional)" hint="For example MSD" maxLength={30} />
          <SelectField meta={fields.sector} label="Sector" placeholder="Choose a sector" options={sectorOptions} />
          <button type="submit" className="button" disabled={navigation.state === "submitting"}>
            Add organisation
          </button>
        </Form>
      </Panel>

      <Panel headingId="list-heading" heading="All organisations">
        <DataTable label="Organisations" columns={organisationColumns} rows={organisations} rowKey={(organisation) => organisation.id} empty="No organisations yet." />
      </Panel>
    </>
  );
}
