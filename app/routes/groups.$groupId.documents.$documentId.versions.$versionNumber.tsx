/**
 * One saved version, read-only, exactly as it was saved (its stored HTML), with the document's
 * classification marking at the top and bottom. People who may edit can restore it: the current
 * text is saved as a version first, and the restore is a new change, so no history is lost.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  findVersion,
  restoreVersion,
  versionReasonLabels,
} from "../models/document-versions.server.js";
import { requireDocumentHistory } from "../http/require-document.server.js";
import { readOnlyReason } from "../models/documents.server.js";
import editorStyles from "../styles/editor.css";
import { formatNzDateTime } from "../utils/dates.js";
import { AppError } from "../errors.js";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: editorStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  {
    title: loaderData
      ? `Version ${loaderData.version.number} · ${loaderData.document.title} · Stewardship Workspace`
      : "Version · Stewardship Workspace",
  },
];

function versionNumber(value: string | undefined): number {
  return /^[1-9]\d{0,8}$/.test(value ?? "") ? Number(value) : Number.NaN;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, document, resource, group } = await requireDocumentHistory(request, context, params);
  const version = await findVersion(context.services.db, document.id, versionNumber(params.versionNumber));
  if (!version) throw new Response("Not found", { status: 404 });
  return {
    group,
    document: { id: document.id, title: document.title, classification: document.classification },
    version: {
      number: version.number,
      name: version.name,
      reason: versionReasonLabels[version.reason],
      savedBy: version.created_by_name ?? "Unknown",
      savedAt: formatNzDateTime(version.created_at),
      // Rendered by app/documents/content.ts when the version was saved; every text is escaped.
      html: version.content_html,
    },
    mayRestore: readOnlyReason(actor, document, resource) === null,
  };
}

type ActionData = { formError: string };

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, document, group } = await requireDocumentHistory(request, context, params);
  const form = await request.formData();
  if (form.get("intent") !== "restore") {
    return data<ActionData>({ formError: "That action is not recognised. Reload the page and try again." }, { status: 400 });
  }
  const number = versionNumber(params.versionNumber);
  try {
    await restoreVersion(context.services.db, context.services.collaboration, actor, document.id, number, {
      ip: context.clientIp,
    });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === "FORBIDDEN") throw new Response("Forbidden", { status: 403 });
    if (error.code === "NOT_FOUND") throw new Response("Not found", { status: 404 });
    return data<ActionData>({ formError: `${error.message}.` }, { status: 409 });
  }
  return redirect(`/groups/${group.id}/documents/${document.id}?restored=${number}`);
}

export default function VersionView() {
  const { group, document, version, mayRestore } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const base = `/groups/${group.id}/documents/${document.id}`;

  return (
    <article aria-labelledby="version-title">
      <h1 id="version-title">{`Version ${version.number}: ${version.name}`}</h1>
      <dl className="facts">
        <dt>Document</dt>
        <dd>{document.title}</dd>
        <dt>Saved by</dt>
        <dd>{version.savedBy}</dd>
        <dt>When</dt>
        <dd>{version.savedAt}</dd>
        <dt>Why</dt>
        <dd>{version.reason}</dd>
      </dl>
      <p>
        <Link to={`${base}/versions/compare?from=${version.number}&to=current`}>Compare with the current text</Link>
        {version.number > 1 ? (
          <>
            {" · "}
            <Link to={`${base}/versions/compare?from=${version.number - 1}&to=${version.number}`}>
              Compare with version {version.number - 1}
            </Link>
          </>
        ) : null}
      </p>
      <p>
        {/* A download, not a page: reloadDocument so the browser fetches the file itself. */}
        <Link to={`${base}/versions/${version.number}/export.docx`} reloadDocument download>
          Download Word document
        </Link>
        {" · "}
        <Link to={`${base}/versions/${version.number}/print`}>Print or save as PDF</Link>
      </p>
      {actionData?.formError ? (
        <div className="alert alert--error" role="alert">
          <p>{actionData.formError}</p>
        </div>
      ) : null}

      <div className="alert read-only-notice" role="note">
        <p>This is a saved version. It is read-only and never changes.</p>
      </div>
      <section className="document-text-frame" aria-label={`Text of version ${version.number}`}>
        {/* Stored HTML rendered by app/documents/content.ts, which escapes every text and attribute. */}
        <div className="document-text" dangerouslySetInnerHTML={{ __html: version.html }} />
      </section>

      {mayRestore ? (
        <section className="panel restore-panel" aria-labelledby="restore-heading">
          <h2 id="restore-heading">Restore this version</h2>
          <p>
            The document will read as version {version.number} did. The current text is saved first as a version named
            “Before restoring version {version.number}”, and everyone editing sees the change. Nothing is lost.
          </p>
          <Form method="post">
            <input type="hidden" name="intent" value="restore" />
            <button type="submit" className="button" disabled={navigation.state === "submitting"}>
              Restore this version
            </button>
          </Form>
        </section>
      ) : null}
    </article>
  );
}
