/**
 * A group's documents: the working list, the archived ones (kept read-only for the record), and a
 * form to start a new one with its kind and security classification. Works without JavaScript.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { classifications, documentKinds } from "../../db/database.js";
import { DOCUMENT_TITLE_MAX } from "../documents/limits.js";
import { requireActor } from "../http/require.server.js";
import { createDocument, listDocuments } from "../models/documents.server.js";
import { findGroup } from "../models/groups.server.js";
import { can } from "../policy/policy.js";
import editorStyles from "../styles/editor.css";
import { formatNzDateTime, formatNzShortDate } from "../utils/dates.js";
import { documentKindLabels, documentStatusLabels } from "../utils/labels.js";
import { AppError } from "../errors.js";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: editorStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Documents · ${loaderData?.group.name ?? "Group"} · Stewardship Workspace` },
];

/** Anything but these three is refused: the platform is not accredited for higher markings. */
const classificationRefusal =
  "This platform cannot hold material above SENSITIVE. Choose UNCLASSIFIED, IN-CONFIDENCE or SENSITIVE.";

const createDocumentSchema = z.object({
  title: z
    .string({ error: "Enter a title" })
    .trim()
    .min(1, "Enter a title")
    .max(DOCUMENT_TITLE_MAX, `Keep the title to ${DOCUMENT_TITLE_MAX} characters or fewer`),
  kind: z.enum(documentKinds, { error: "Choose what kind of document this is" }),
  classification: z.enum(classifications, { error: classificationRefusal }).default("IN-CONFIDENCE"),
});

type Field = "title" | "kind" | "classification";
type ActionData = { formError?: string; fieldErrors: Partial<Record<Field, string>>; values: Record<Field, string> };

async function loadGroupFor(request: Request, context: LoaderFunctionArgs["context"], groupId: string | undefined) {
  const { actor } = await requireActor(request, context);
  const group = await findGroup(context.services.db, groupId ?? "");
  if (!group) throw new Response("Not found", { status: 404 });
  const resource = { type: "group", groupId: group.id } as const;
  if (!can(actor, "group.view", resource)) throw new Response("Not found", { status: 404 });
  return { actor, group, resource };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, group, resource } = await loadGroupFor(request, context, params.groupId);
  if (!can(actor, "document.list", resource)) throw new Response("Forbidden", { status: 403 });
  const db = context.services.db;
  const [active, archived] = await Promise.all([
    listDocuments(db, group.id, { archived: false }),
    listDocuments(db, group.id, { archived: true }),
  ]);
  const describe = (document: (typeof active)[number]) => ({
    id: document.id,
    title: document.title,
    kind: documentKindLabels[document.kind],
    status: documentStatusLabels[document.status],
    classification: document.classification,
    updatedAt: formatNzDateTime(document.updated_at),
    updatedBy: document.updated_by_name,
    archivedOn: document.archived_at ? formatNzShortDate(document.archived_at) : null,
  });
  return {
    group: { id: group.id, name: group.name },
    mayCreate: can(actor, "document.create", { type: "document", groupId: group.id }),
    documents: active.map(describe),
    archived: archived.map(describe),
    kindOptions: documentKinds.map((kind) => ({ value: kind, label: documentKindLabels[kind] })),
    classificationOptions: [...classifications],
    archivedTitle: new URL(request.url).searchParams.get("archived"),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, group } = await loadGroupFor(request, context, params.groupId);
  if (!can(actor, "document.create", { type: "document", groupId: group.id })) {
    throw new Response("Forbidden", { status: 403 });
  }
  const form = Object.fromEntries(await request.formData());
  const text = (value: FormDataEntryValue | undefined) => (typeof value === "string" ? value.slice(0, 300) : "");
  const values = { title: text(form.title), kind: text(form.kind), classification: text(form.classification) };
  const parsed = createDocumentSchema.safeParse({ ...form, classification: form.classification || undefined });
  if (!parsed.success) {
    const fieldErrors: Partial<Record<Field, string>> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === "title" || field === "kind" || field === "classification") && !fieldErrors[field]) {
        fieldErrors[field] = issue.message;
      }
    }
    return data<ActionData>({ fieldErrors, values }, { status: 400 });
  }
  try {
    const documentId = await createDocument(context.services.db, actor, group.id, {
      ...parsed.data,
      ip: context.clientIp,
    });
    return redirect(`/groups/${group.id}/documents/${documentId}`);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === "FORBIDDEN") throw new Response("Forbidden", { status: 403 });
    return data<ActionData>({ fieldErrors: { title: error.message }, values }, { status: 400 });
  }
}

type DocumentRow = ReturnType<typeof useLoaderData<typeof loader>>["documents"][number];

function DocumentsTable({ groupId, documents, caption, archived }: { groupId: string; documents: DocumentRow[]; caption: string; archived: boolean }) {
  return (
    <table className="data">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Title</th>
          <th scope="col">Kind</th>
          <th scope="col">Status</th>
          <th scope="col">Classification</th>
          <th scope="col">{archived ? "Archived" : "Last edited"}</th>
        </tr>
      </thead>
      <tbody>
        {documents.map((document) => (
          <tr key={document.id}>
            <th scope="row">
              <Link to={`/groups/${groupId}/documents/${document.id}`}>{document.title}</Link>
            </th>
            <td>{document.kind}</td>
            <td>{document.status}</td>
            <td>
              <span className="classification-tag">{document.classification}</span>
            </td>
            <td>
              {archived ? (
                document.archivedOn
              ) : (
                <>
                  {document.updatedAt}
                  {document.updatedBy ? (
                    <>
                      <br />
                      <span className="muted">by {document.updatedBy}</span>
                    </>
                  ) : null}
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function GroupDocuments() {
  const { group, mayCreate, documents, archived, kindOptions, classificationOptions, archivedTitle } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const fieldErrors = actionData?.fieldErrors ?? {};
  const values = actionData?.values;
  const chosenClassification = values?.classification || "IN-CONFIDENCE";

  return (
    <>
      <p className="muted">
        <Link to={`/groups/${group.id}`}>{group.name}</Link>
      </p>
      <h1>Documents</h1>
      {archivedTitle ? (
        <div className="alert alert--success" role="status">
          <p>“{archivedTitle}” has been archived. It is kept, read-only, in the archived list below.</p>
        </div>
      ) : null}

      <section className="panel" aria-labelledby="current-documents-heading">
        <h2 id="current-documents-heading">Current documents</h2>
        {documents.length === 0 ? (
          <p>No documents yet.</p>
        ) : (
          <DocumentsTable groupId={group.id} documents={documents} caption="Current documents" archived={false} />
        )}
      </section>

      {mayCreate ? (
        <section className="panel" aria-labelledby="new-document-heading">
          <h2 id="new-document-heading">Start a new document</h2>
          {actionData?.formError ? (
            <div className="alert alert--error" role="alert">
              <p>{actionData.formError}</p>
            </div>
          ) : null}
          <Form method="post" noValidate>
            <div className="field">
              <label htmlFor="title">Title</label>
              <input
                id="title"
                name="title"
                type="text"
                required
                maxLength={DOCUMENT_TITLE_MAX}
                defaultValue={values?.title ?? ""}
                aria-invalid={fieldErrors.title ? true : undefined}
                aria-describedby={fieldErrors.title ? "title-error" : undefined}
              />
              {fieldErrors.title ? (
                <p className="field-error" id="title-error">
                  {fieldErrors.title}
                </p>
              ) : null}
            </div>
            <div className="field">
              <label htmlFor="kind">Kind of document</label>
              <select
                id="kind"
                name="kind"
                required
                defaultValue={values?.kind ?? ""}
                aria-invalid={fieldErrors.kind ? true : undefined}
                aria-describedby={fieldErrors.kind ? "kind-error" : undefined}
              >
                <option value="" disabled>
                  Choose one
                </option>
                {kindOptions.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
              {fieldErrors.kind ? (
                <p className="field-error" id="kind-error">
                  {fieldErrors.kind}
                </p>
              ) : null}
            </div>
            <fieldset
              className="field fieldset"
              aria-invalid={fieldErrors.classification ? true : undefined}
              aria-describedby={fieldErrors.classification ? "classification-error" : "classification-hint"}
            >
              <legend>Security classification</legend>
              <p className="hint" id="classification-hint">
                Cabinet material is at least IN-CONFIDENCE. This platform cannot hold anything above SENSITIVE.
              </p>
              {classificationOptions.map((classification) => (
                <div className="radio" key={classification}>
                  <input
                    type="radio"
                    id={`classification-${classification}`}
                    name="classification"
                    value={classification}
                    defaultChecked={classification === chosenClassification}
                  />
                  <label htmlFor={`classification-${classification}`}>{classification}</label>
                </div>
              ))}
              {fieldErrors.classification ? (
                <p className="field-error" id="classification-error">
                  {fieldErrors.classification}
                </p>
              ) : null}
            </fieldset>
            <button type="submit" className="button" disabled={submitting}>
              {submitting ? "Creating…" : "Create document"}
            </button>
          </Form>
        </section>
      ) : null}

      <section className="panel" aria-labelledby="archived-documents-heading">
        <h2 id="archived-documents-heading">Archived documents</h2>
        <p className="muted">Archived documents are never deleted. They stay here, read-only, for the record.</p>
        {archived.length === 0 ? (
          <p>No archived documents.</p>
        ) : (
          <DocumentsTable groupId={group.id} documents={archived} caption="Archived documents" archived />
        )}
      </section>
    </>
  );
}
