/**
 * A group's documents: the working list, the archived ones (kept read-only for the record), and a
 * form to start a new one with its kind and security classification. Works without JavaScript.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { classifications, documentKinds } from "../../db/database.js";
import { ChoiceField, FormErrors, SelectField, TextField, formProps, useAppForm } from "../components/forms/fields.js";
import { createDocumentSchema } from "../documents/schemas.js";
import { requireGroup } from "../http/require-group.server.js";
import { requirePermission } from "../http/require.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { createDocument, listDocuments } from "../models/documents.server.js";
import { permissionsFor } from "../policy/policy.js";
import editorStyles from "../styles/editor.css";
import { formatNzDateTime, formatNzShortDate } from "../utils/dates.js";
import { documentKindLabels, documentStatusLabels } from "../utils/labels.js";
import { DataTable, type Column } from "../components/DataTable.js";
import { SuccessNotice } from "../components/SuccessNotice.js";
import { Panel } from "../components/Panel.js";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: editorStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Documents · ${loaderData?.group.name ?? "Group"} · Stewardship Workspace` },
];

const kindOptions = documentKinds.map((kind) => ({ value: kind, label: documentKindLabels[kind] }));
const classificationOptions = classifications.map((classification) => ({ value: classification, label: classification }));

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, group, resource } = await requireGroup(request, context, params);
  requirePermission(actor, "document.list", resource);
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
    may: permissionsFor(actor, resource, ["document.create"]),
    documents: active.map(describe),
    archived: archived.map(describe),
    archivedTitle: new URL(request.url).searchParams.get("archived"),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, group, resource } = await requireGroup(request, context, params);
  requirePermission(actor, "document.create", resource);
  const submission = parseWithZod(await request.formData(), { schema: createDocumentSchema });
  if (submission.status !== "success") return invalidForm(submission);
  try {
    const documentId = await createDocument(context.services.db, actor, group.id, { ...submission.value, ip: context.clientIp });
    return redirect(`/groups/${group.id}/documents/${documentId}`);
  } catch (error) {
    return replyWithError(submission, error);
  }
}

type DocumentRow = ReturnType<typeof useLoaderData<typeof loader>>["documents"][number];

function DocumentsTable({ groupId, documents, caption, archived }: { groupId: string; documents: DocumentRow[]; caption: string; archived: boolean }) {
  const columns: Column<DocumentRow>[] = [
    {
      header: "Title",
      rowHeader: true,
      cell: (document) => <Link to={`/groups/${groupId}/documents/${document.id}`}>{document.title}</Link>,
    },
    { header: "Kind", cell: (document) => document.kind },
    { header: "Status", cell: (document) => document.status },
    { header: "Classification", cell: (document) => <span className="classification-tag">{document.classification}</span> },
    {
      header: archived ? "Archived" : "Last edited",
      cell: (document) =>
        archived ? (
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
        ),
    },
  ];
  return (
    <DataTable
      label={caption}
      caption={{ text: caption, className: "visually-hidden" }}
      columns={columns}
      rows={documents}
      rowKey={(document) => document.id}
    />
  );
}

export default function GroupDocuments() {
  const { group, may, documents, archived, archivedTitle } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useAppForm(createDocumentSchema, {
    id: "new-document",
    lastResult,
    defaultValue: { classification: "IN-CONFIDENCE" },
  });
  const submitting = navigation.state === "submitting";

  return (
    <>
      <h1>Documents</h1>
      {archivedTitle ? (
        <SuccessNotice>“{archivedTitle}” has been archived. It is kept, read-only, in the archived list below.</SuccessNotice>
      ) : null}

      <Panel headingId="current-documents-heading" heading="Current documents">
        {documents.length === 0 ? (
          <p>No documents yet.</p>
        ) : (
          <DocumentsTable groupId={group.id} documents={documents} caption="Current documents" archived={false} />
        )}
      </Panel>

      {may["document.create"] ? (
        <Panel headingId="new-document-heading" heading="Start a new document">
          <FormErrors form={form} />
          <Form method="post" {...formProps(form)}>
            <TextField meta={fields.title} label="Title" />
            <SelectField meta={fields.kind} label="Kind of document" options={kindOptions} placeholder="Choose one" />
            <ChoiceField
              meta={fields.classification}
              legend="Security classification"
              hint="Cabinet material is at least IN-CONFIDENCE. This platform cannot hold anything above SENSITIVE."
              type="radio"
              options={classificationOptions}
            />
            <button type="submit" className="button" disabled={submitting}>
              {submitting ? "Creating…" : "Create document"}
            </button>
          </Form>
        </Panel>
      ) : null}

      <Panel headingId="archived-documents-heading" heading="Archived documents">
        <p className="muted">Archived documents are never deleted. They stay here, read-only, for the record.</p>
        {archived.length === 0 ? (
          <p>No archived documents.</p>
        ) : (
          <DocumentsTable groupId={group.id} documents={archived} caption="Archived documents" archived />
        )}
      </Panel>
    </>
  );
}
