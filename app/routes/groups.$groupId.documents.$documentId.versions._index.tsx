/**
 * A document's version history: every saved version (number, name, who, when, why), a form to save
 * the current text as a new version, and a form to compare two versions (or one with the current
 * text). Versions are never changed or deleted. Works without JavaScript.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { VERSION_NAME_MAX } from "../documents/limits.js";
import {
  listVersions,
  saveVersion,
  versionReasonLabels,
} from "../models/document-versions.server.js";
import { requireDocumentHistory } from "../http/require-document.server.js";
import { readOnlyReason } from "../models/documents.server.js";
import editorStyles from "../styles/editor.css";
import { formatNzDateTime } from "../utils/dates.js";
import { AppError } from "../errors.js";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: editorStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Version history · ${loaderData?.document.title ?? "Document"} · Stewardship Workspace` },
];

const saveVersionSchema = z.object({
  intent: z.literal("save"),
  name: z
    .string({ error: "Enter a name for the version" })
    .trim()
    .min(1, "Enter a name for the version")
    .max(VERSION_NAME_MAX, `Keep the name to ${VERSION_NAME_MAX} characters or fewer`),
});

type ActionData =
  | { ok: true; number: number; name: string }
  | { ok: false; fieldErrors?: { name?: string }; formError?: string; values: { name: string } };

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, document, resource, group } = await requireDocumentHistory(request, context, params);
  const versions = await listVersions(context.services.db, document.id);
  return {
    group,
    document: { id: document.id, title: document.title, classification: document.classification },
    mayEdit: readOnlyReason(actor, document, resource) === null,
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
  const form = Object.fromEntries(await request.formData());
  const values = { name: typeof form.name === "string" ? form.name.slice(0, 300) : "" };
  const parsed = saveVersionSchema.safeParse(form);
  if (!parsed.success) {
    const issue = parsed.error.issues.find((candidate) => candidate.path[0] === "name");
    return data<ActionData>(
      issue
        ? { ok: false, fieldErrors: { name: issue.message }, values }
        : { ok: false, formError: "That action is not recognised. Reload the page and try again.", values },
      { status: 400 },
    );
  }
  try {
    const saved = await saveVersion(context.services.db, context.services.collaboration, actor, document.id, {
      name: parsed.data.name,
      ip: context.clientIp,
    });
    return data<ActionData>({ ok: true, number: saved.number, name: saved.name });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === "FORBIDDEN") throw new Response("Forbidden", { status: 403 });
    if (error.code === "NOT_FOUND") throw new Response("Not found", { status: 404 });
    if (error.code === "INVALID_INPUT") {
      return data<ActionData>({ ok: false, fieldErrors: { name: error.message }, values }, { status: 400 });
    }
    return data<ActionData>({ ok: false, formError: `${error.message}.`, values }, { status: 409 });
  }
}

export default function VersionHistory() {
  const { group, document, mayEdit, versions } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const saving = navigation.state === "submitting";
  const base = `/groups/${group.id}/documents/${document.id}`;
  const nameError = actionData && !actionData.ok ? actionData.fieldErrors?.name : undefined;

  return (
    <article aria-labelledby="versions-title">
      <h1 id="versions-title">Version history</h1>
      <p className="lede">{document.title}</p>

      {actionData?.ok ? (
        <div className="alert alert--success" role="status">
          <p>{`Saved as version ${actionData.number}, “${actionData.name}”.`}</p>
        </div>
      ) : actionData?.formError ? (
        <div className="alert alert--error" role="alert">
          <p>{actionData.formError}</p>
        </div>
      ) : null}

      <section className="panel" aria-labelledby="saved-versions-heading">
        <h2 id="saved-versions-heading">Saved versions</h2>
        {versions.length === 0 ? (
          <p>No versions have been saved yet.</p>
        ) : (
          <table className="data">
            <caption className="visually-hidden">Saved versions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Name</th>
                <th scope="col">Saved by</th>
                <th scope="col">When</th>
                <th scope="col">Why</th>
                <th scope="col">Compare</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((version) => (
                <tr key={version.number}>
                  <td>{version.number}</td>
                  <th scope="row">
                    <Link to={`${base}/versions/${version.number}`}>{version.name}</Link>
                  </th>
                  <td>{version.savedBy}</td>
                  <td>{version.savedAt}</td>
                  <td>{version.reason}</td>
                  <td>
                    <Link
                      to={`${base}/versions/compare?from=${version.number}&to=current`}
                      aria-label={`Compare version ${version.number} with the current text`}
                    >
                      With current text
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {versions.length > 0 ? (
        <section className="panel" aria-labelledby="compare-heading">
          <h2 id="compare-heading">Compare</h2>
          <Form method="get" action={`${base}/versions/compare`} className="compare-form">
            <div className="field">
              <label htmlFor="compare-from">Earlier text</label>
              <select id="compare-from" name="from" defaultValue={String(versions[Math.min(1, versions.length - 1)]!.number)}>
                {versions.map((version) => (
                  <option key={version.number} value={version.number}>
                    Version {version.number}: {version.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="compare-to">Later text</label>
              <select id="compare-to" name="to" defaultValue={versions.length > 1 ? String(versions[0]!.number) : "current"}>
                <option value="current">The current text</option>
                {versions.map((version) => (
                  <option key={version.number} value={version.number}>
                    Version {version.number}: {version.name}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button button--secondary">
              Compare
            </button>
          </Form>
        </section>
      ) : null}

      {mayEdit ? (
        <section className="panel" aria-labelledby="save-version-heading">
          <h2 id="save-version-heading">Save the current text as a version</h2>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="save" />
            <div className="field">
              <label htmlFor="version-name">Version name</label>
              <span className="hint" id="version-name-hint">
                For example “Draft for the December hui”. Up to {VERSION_NAME_MAX} characters.
              </span>
              <input
                id="version-name"
                name="name"
                type="text"
                required
                maxLength={VERSION_NAME_MAX}
                defaultValue={actionData && !actionData.ok ? actionData.values.name : ""}
                aria-invalid={nameError ? true : undefined}
                aria-describedby={nameError ? "version-name-hint version-name-error" : "version-name-hint"}
              />
              {nameError ? (
                <p className="field-error" id="version-name-error">
                  {nameError}
                </p>
              ) : null}
            </div>
            <button type="submit" className="button" disabled={saving}>
              {saving ? "Saving version…" : "Save version"}
            </button>
          </Form>
        </section>
      ) : null}
    </article>
  );
}
