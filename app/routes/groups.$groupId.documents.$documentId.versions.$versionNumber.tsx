/**
 * One saved version, read-only, exactly as it was saved (its stored HTML), with the document's
 * classification marking at the top and bottom. People who may edit can restore it: the current
 * text is saved as a version first, and the restore is a new change, so no history is lost.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { FormErrors, IntentInput, formProps, useAppForm } from "../components/forms/fields.js";
import { restoreVersionSchema } from "../documents/schemas.js";
import { requireVersion } from "../http/require-document.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { restoreVersion, versionReasonLabels } from "../models/document-versions.server.js";
import { permissionsFor } from "../policy/policy.js";
import { formatNzDateTime } from "../utils/dates.js";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  {
    title: loaderData
      ? `Version ${loaderData.version.number} · ${loaderData.document.title} · Stewardship Workspace`
      : "Version · Stewardship Workspace",
  },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, document, resource, group, version } = await requireVersion(request, context, params);
  return {
    group,
    document: { id: document.id, title: document.title },
    version: {
      number: version.number,
      name: version.name,
      reason: versionReasonLabels[version.reason],
      savedBy: version.created_by_name ?? "Unknown",
      savedAt: formatNzDateTime(version.created_at),
      // Rendered by app/documents/content.ts when the version was saved; every text is escaped.
      html: version.content_html,
    },
    may: permissionsFor(actor, resource, ["document.edit"]),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, document, group, version } = await requireVersion(request, context, params);
  const submission = parseWithZod(await request.formData(), { schema: restoreVersionSchema });
  if (submission.status !== "success") return invalidForm(submission);
  try {
    await restoreVersion(context.services.db, context.services.collaboration, actor, document.id, version.number, {
      ip: context.clientIp,
    });
  } catch (error) {
    return replyWithError(submission, error);
  }
  return redirect(`/groups/${group.id}/documents/${document.id}?restored=${version.number}`);
}

export default function VersionView() {
  const { group, document, version, may } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const [form] = useAppForm(restoreVersionSchema, { id: "restore-version", lastResult: useActionData<typeof action>() });
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
      <div className="alert read-only-notice" role="note">
        <p>This is a saved version. It is read-only and never changes.</p>
      </div>
      <section className="document-text-frame" aria-label={`Text of version ${version.number}`}>
        {/* Stored HTML rendered by app/documents/content.ts, which escapes every text and attribute. */}
        <div className="document-text" dangerouslySetInnerHTML={{ __html: version.html }} />
      </section>

      {may["document.edit"] ? (
        <section className="panel restore-panel" aria-labelledby="restore-heading">
          <h2 id="restore-heading">Restore this version</h2>
          <p>
            The document will read as version {version.number} did. The current text is saved first as a version named
            “Before restoring version {version.number}”, and everyone editing sees the change. Nothing is lost.
          </p>
          <FormErrors form={form} />
          <Form method="post" {...formProps(form)}>
            <IntentInput value="restore" />
            <button type="submit" className="button" disabled={navigation.state === "submitting"}>
              Restore this version
            </button>
          </Form>
        </section>
      ) : null}
    </article>
  );
}
