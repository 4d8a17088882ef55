/**
 * A document's version history: every saved version (number, name, who, when, why), a form to save
 * the current text as a new version, and a form to compare two versions (or one with the current
 * text). Versions are never changed or deleted. Works without JavaScript.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { SaveVersionForm } from "../components/editor/SaveVersionForm.js";
import { SelectField, formProps, useAppForm } from "../components/forms/fields.js";
import { compareVersionsSchema, saveVersionSchema } from "../documents/schemas.js";
import { requireDocumentHistory } from "../http/require-document.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { listVersions, saveVersion, versionReasonLabels } from "../models/document-versions.server.js";
import { permissionsFor } from "../policy/policy.js";
import { formatNzDateTime } from "../utils/dates.js";
import { DataTable, type Column } from "../components/DataTable.js";
import { Panel } from "../components/Panel.js";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Version history · ${loaderData?.document.title ?? "Document"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, document, resource, group } = await requireDocumentHistory(request, context, params);
  const versions = await listVersions(context.services.db, document.id);
  return {
    group,
    document: { id: document.id, title: document.title },
    may: permissionsFor(actor, resource, ["document.edit"]),
    versions: versions.map((version) => ({
      number: version.number,
      name: version.name,
      reason: versionReasonLabels[version.reason],
      savedBy: version.created_by_name ?? "Unknown",
      savedAt: formatNzDateTime(version.created_at),
    })),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, document } = await requireDocumentHistory(request, context, params);
  const submission = parseWithZod(await request.formData(), { schema: saveVersionSchema });
  if (submission.status !== "success") return invalidForm(submission);
  try {
    const saved = await saveVersion(context.services.db, context.services.collaboration, actor, document.id, {
      name: submission.value.name,
      ip: context.clientIp,
    });
    // The page stays, with an empty form and the version saved named in it.
    return data({ ...submission.reply({ resetForm: true }), saved: { number: saved.number, name: saved.name } });
  } catch (error) {
    return replyWithError(submission, error);
  }
}

type VersionRow = ReturnType<typeof useLoaderData<typeof loader>>["versions"][number];

/** `base`: the document's address, that each version's links start from. */
function versionColumns(base: string): Column<VersionRow>[] {
  return [
    { header: "Version", cell: (version) => version.number },
    { header: "Name", rowHeader: true, cell: (version) => <Link to={`${base}/versions/${version.number}`}>{version.name}</Link> },
    { header: "Saved by", cell: (version) => version.savedBy },
    { header: "When", cell: (version) => version.savedAt },
    { header: "Why", cell: (version) => version.reason },
    {
      header: "Compare",
      cell: (version) => (
        <Link
          to={`${base}/versions/compare?from=${version.number}&to=current`}
          aria-label={`Compare version ${version.number} with the current text`}
        >
          With current text
        </Link>
      ),
    },
  ];
}

export default function VersionHistory() {
  const { group, document, may, versions } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const base = `/groups/${group.id}/documents/${document.id}`;

  return (
    <article aria-labelledby="versions-title">
      <h1 id="versions-title">Version history</h1>
      <p className="lede">{document.title}</p>

      <Panel headingId="saved-versions-heading" heading="Saved versions">
        <DataTable
          label="Saved versions"
          caption={{ text: "Saved versions, newest first", className: "visually-hidden" }}
          columns={versionColumns(base)}
          rows={versions}
          rowKey={(version) => version.number}
          empty="No versions have been saved yet."
        />
      </Panel>

      {versions.length > 0 ? (
        <Panel headingId="compare-heading" heading="Compare">
          <CompareVersionsForm action={`${base}/versions/compare`} versions={versions} />
        </Panel>
      ) : null}

      {may["document.edit"] ? (
        <Panel headingId="save-version-heading" heading="Save the current text as a version">
          <SaveVersionForm versionsPath={`${base}/versions`} lastResult={lastResult} />
        </Panel>
      ) : null}
    </article>
  );
}

/** Two texts to compare: by default the latest version with the one before it, or with the current text. */
function CompareVersionsForm({ action, versions }: { action: string; versions: { number: number; name: string }[] }) {
  const options = versions.map((version) => ({ value: String(version.number), label: `Version ${version.number}: ${version.name}` }));
  const [form, fields] = useAppForm(compareVersionsSchema, {
    id: "compare-versions",
    defaultValue: { from: options[Math.min(1, options.length - 1)]!.value, to: versions.length > 1 ? options[0]!.value : "current" },
  });
  return (
    <Form method="get" action={action} className="compare-form" {...formProps(form)}>
      <SelectField meta={fields.from} label="Earlier text" options={options} />
      <SelectField meta={fields.to} label="Later text" options={[{ value: "current", label: "The current text" }, ...options]} />
      <button type="submit" className="button button--secondary">
        Compare
      </button>
    </Form>
  );
}
