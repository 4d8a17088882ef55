/**
 * A document's page: its classification marking at the top and bottom, title and status, who else
 * has it open, and the co-editing editor (read-only, with the reason, for people who may not edit).
 * Also renaming, archiving and saving a named version; for the terms of reference, where they stand
 * with the Lead Minister's office (the version in force, a pending submission) and submitting. The editor needs JavaScript; without it the
 * page shows the text as last saved.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { Suspense, lazy, useEffect, useState } from "react";
import { z } from "zod";
import { SubmitForApprovalForm, WithdrawSubmissionForm } from "../components/approvals/ApprovalForms.js";
import { type CommentFilter, CommentsPanel } from "../components/comments/CommentsPanel.js";
import { DOCUMENT_TITLE_MAX } from "../documents/limits.js";
import { PresenceList } from "../components/editor/PresenceList.js";
import { userColour } from "../components/editor/user-colour.js";
import { approvalStatus } from "../models/approvals.server.js";
import { listThreads } from "../models/comments.server.js";
import { captureCurrentContent } from "../models/document-versions.server.js";
import { consultationNotice } from "../models/consultations.server.js";
import { requireReadableDocument } from "../http/require-document.server.js";
import { archiveDocument, readOnlyReason, renameDocument } from "../models/documents.server.js";
import { submissionResource } from "../models/policy-resources.server.js";
import { can } from "../policy/policy.js";
import editorStyles from "../styles/editor.css";
import { formatNzDateTime, formatNzShortDate } from "../utils/dates.js";
import { documentKindLabels, documentStatusLabels } from "../utils/labels.js";
import { AppError } from "../errors.js";

const CollaborativeEditor = lazy(() => import("../components/editor/CollaborativeEditor.js"));

export const links: LinksFunction = () => [{ rel: "stylesheet", href: editorStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `${loaderData?.document.title ?? "Document"} · Stewardship Workspace` },
];

const renameSchema = z.object({
  intent: z.literal("rename"),
  title: z
    .string({ error: "Enter a title" })
    .trim()
    .min(1, "Enter a title")
    .max(DOCUMENT_TITLE_MAX, `Keep the title to ${DOCUMENT_TITLE_MAX} characters or fewer`),
});

type ActionData =
  | { intent: "rename"; fieldErrors: { title?: string }; values: { title: string } }
  | { intent: "archive" | "unknown"; formError: string };

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user, actor, document, resource, group } = await requireReadableDocument(request, context, params);

  /** The terms of reference's approval: status line, version in force, whether the draft moved on. */
  const approvalPanel = async () => {
    const status = await approvalStatus(context.services.db, document.id);
    const draft = status.inForce ? await captureCurrentContent(context.services.collaboration, document.id) : null;
    const pending = { group_id: document.group_id, submitted_by: status.pendingSubmittedBy, status: "pending" };
    return {
      ...status,
      draftDiffers: draft !== null && status.inForce !== null && draft.hash !== status.inForce.contentHash,
      maySubmit: can(actor, "document.submit", resource) && status.pendingSubmissionId === null,
      mayWithdraw: status.pendingSubmissionId !== null && can(actor, "submission.withdraw", submissionResource(actor, pending)),
      flash: url.searchParams.get("submitted") === "1" ? "submitted" : url.searchParams.get("withdrawn") === "1" ? "withdrawn" : null,
    };
  };
  const reason = readOnlyReason(actor, document, resource);
  const url = new URL(request.url);
  const requestedFilter = url.searchParams.get("comments");
  const commentFilter: CommentFilter = requestedFilter === "resolved" || requestedFilter === "all" ? requestedFilter : "open";
  const threads = await listThreads(context.services.db, document.id, { status: "all", collaboration: context.services.collaboration });
  return {
    comments: {
      filter: commentFilter,
      mayComment: can(actor, "document.comment", resource),
      threads: threads
        .filter((thread) => commentFilter === "all" || thread.status === commentFilter)
        .map((thread) => ({
          id: thread.id,
          status: thread.status,
          quote: thread.quote,
          onDeletedText: thread.onDeletedText,
          resolvedByName: thread.resolvedByName,
          resolvedAt: thread.resolvedAt ? formatNzDateTime(thread.resolvedAt) : null,
          comments: thread.comments.map((comment) => ({ ...comment, createdAt: formatNzDateTime(comment.createdAt) })),
        })),
      // Whatever the filter, the editor highlights every open thread whose words still exist.
      anchors: threads
        .filter((thread) => thread.status === "open" && !thread.onDeletedText)
        .map((thread) => ({ threadId: thread.id, anchorStart: thread.anchorStart, anchorEnd: thread.anchorEnd })),
    },
    // The approval story is part of the document's history, which consultees do not see.
    approval: document.kind === "terms_of_reference" && can(actor, "document.history", resource) ? await approvalPanel() : null,
    group,
    document: {
      id: document.id,
      title: document.title,
      kind: documentKindLabels[document.kind],
      status: documentStatusLabels[document.status],
      classification: document.classification,
      archivedOn: document.archived_at ? formatNzShortDate(document.archived_at) : null,
      updatedAt: formatNzDateTime(document.updated_at),
      updatedBy: document.updated_by_name,
      createdBy: document.created_by_name,
      // Rendered by app/documents/content.ts from the schema, every text escaped: shown until the
      // editor loads, and to people without JavaScript.
      savedHtml: document.content_html,
    },
    me: { id: user.id, name: user.displayName, colour: userColour(user.id) },
    mayEdit: reason === null,
    mayViewHistory: can(actor, "document.history", resource),
    readOnlyReason: reason,
    mayArchive: can(actor, "document.archive", resource),
    renamed: url.searchParams.get("renamed") === "1",
    restored: /^\d+$/.test(new URL(request.url).searchParams.get("restored") ?? "")
      ? Number(new URL(request.url).searchParams.get("restored"))
      : null,
    // Journey 3: the latest consultation's state, and whether this person runs consultations.
    consultation: { notice: await consultationNotice(context.services.db, document.id), mayManage: can(actor, "consultation.manage", resource) },
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, document, group } = await requireReadableDocument(request, context, params);
  const form = Object.fromEntries(await request.formData());
  const db = context.services.db;
  const here = `/groups/${group.id}/documents/${document.id}`;

  if (form.intent === "rename") {
    const values = { title: typeof form.title === "string" ? form.title.slice(0, 300) : "" };
    const parsed = renameSchema.safeParse(form);
    if (!parsed.success) {
      return data<ActionData>(
        { intent: "rename", fieldErrors: { title: parsed.error.issues[0]?.message ?? "Enter a title" }, values },
        { status: 400 },
      );
    }
    try {
      await renameDocument(db, actor, document.id, { title: parsed.data.title, ip: context.clientIp });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === "FORBIDDEN") throw new Response("Forbidden", { status: 403 });
      if (error.code === "NOT_FOUND") throw new Response("Not found", { status: 404 });
      return data<ActionData>(
        { intent: "rename", fieldErrors: { title: error.message }, values },
        { status: error.code === "DOCUMENT_LOCKED" ? 409 : 400 },
      );
    }
    return redirect(`${here}?renamed=1`);
  }

  if (form.intent === "archive") {
    try {
      await archiveDocument(db, actor, document.id, { ip: context.clientIp });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === "FORBIDDEN") throw new Response("Forbidden", { status: 403 });
      if (error.code === "NOT_FOUND") throw new Response("Not found", { status: 404 });
      return data<ActionData>({ intent: "archive", formError: error.message }, { status: 409 });
    }
    return redirect(`/groups/${group.id}/documents?archived=${encodeURIComponent(document.title)}`);
  }

  return data<ActionData>(
    { intent: "unknown", formError: "That action is not recognised. Reload the page and try again." },
    { status: 400 },
  );
}

/** True once React has hydrated: the editor is browser-only. */
function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

function SavedText({ html, loading }: { html: string; loading: boolean }) {
  return (
    <div className="editor">
      <p className="save-status" role="status">
        {loading ? "Loading the editor…" : "This is the text as last saved."}
      </p>
      <noscript>
        <p>Editing needs JavaScript, which is turned off in this browser.</p>
      </noscript>
      <div className="document-text-frame">
        {/* Rendered on the server by app/documents/content.ts, which escapes every text and attribute. */}
        <div className="document-text" role="region" aria-label="Document text" dangerouslySetInnerHTML={{ __html: html }} />
      </div>
    </div>
  );
}

interface SaveVersionResult {
  ok?: boolean;
  number?: number;
  name?: string;
  fieldErrors?: { name?: string };
  formError?: string;
  values?: { name: string };
}

function SaveVersionForm({ versionsPath }: { versionsPath: string }) {
  const fetcher = useFetcher<SaveVersionResult>();
  const result = fetcher.data;
  const saving = fetcher.state !== "idle";
  const nameError = result?.fieldErrors?.name;
  return (
    <fetcher.Form method="post" action={`${versionsPath}?index`} className="save-version" noValidate key={result?.ok ? result.number : "form"}>
      <input type="hidden" name="intent" value="save" />
      <div className="field">
        <label htmlFor="version-name">Version name</label>
        <span className="hint" id="version-name-hint">
          For example “Draft for the December hui”. Up to 120 characters.
        </span>
        <input
          id="version-name"
          name="name"
          type="text"
          maxLength={120}
          required
          defaultValue={result?.ok ? "" : (result?.values?.name ?? "")}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? "version-name-hint version-name-error" : "version-name-hint"}
        />
        {nameError ? (
          <p className="field-error" id="version-name-error">
            {nameError}
          </p>
        ) : null}
      </div>
      <button type="submit" className="button button--secondary" disabled={saving}>
        {saving ? "Saving version…" : "Save version"}
      </button>
      <div role="status" className="save-version__result">
        {result?.ok ? (
          <p>{`Saved as version ${result.number}, “${result.name}”.`}</p>
        ) : result?.formError ? (
          <p className="field-error">{result.formError}</p>
        ) : null}
      </div>
    </fetcher.Form>
  );
}

type ApprovalPanelData = NonNullable<Awaited<ReturnType<typeof loader>>["approval"]>;

/** Where the terms of reference stand with the Lead Minister's office, and the chair's forms. */
function ApprovalPanel({ approval, base, busy }: { approval: ApprovalPanelData; base: string; busy: boolean }) {
  return (
    <section className="panel approval-panel" aria-labelledby="approval-heading">
      <h2 id="approval-heading">Approval</h2>
      {approval.flash ? (
        <div className="alert alert--success" role="status">
          <p>
            {approval.flash === "submitted"
              ? "Submitted for approval. The Lead Minister's office reviews the text as it was at this moment; you can keep editing the draft."
              : "The submission has been withdrawn."}
          </p>
        </div>
      ) : null}
      <p className="approval-status" data-approval-state={approval.state}>
        <strong>{approval.line}</strong>
      </p>
      {approval.inForce ? (
        <p>
          <Link to={`${base}/approved`} className="button button--secondary">
            Read the approved version (version {approval.inForce.versionNumber})
          </Link>
        </p>
      ) : null}
      {approval.inForce && approval.draftDiffers ? (
        <div className="alert" role="note">
          <p>
            <strong>Working draft — differs from the approved version.</strong>{" "}
            <Link to={`${base}/versions/compare?from=${approval.inForce.versionNumber}&to=current`}>
              See what the draft changes
            </Link>
          </p>
        </div>
      ) : null}
      {approval.maySubmit ? <SubmitForApprovalForm action={`${base}/approvals`} disabled={busy} /> : null}
      {approval.mayWithdraw && approval.pendingSubmissionId ? (
        <WithdrawSubmissionForm action={`${base}/approvals`} submissionId={approval.pendingSubmissionId} disabled={busy} />
      ) : null}
      <p>
        <Link to={`${base}/approvals`}>Approval history</Link>
      </p>
    </section>
  );
}

export default function DocumentPage() {
  const { group, document, me, mayEdit, mayViewHistory, readOnlyReason: reason, mayArchive, renamed, restored, approval, comments } =
    useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const hydrated = useHydrated();
  const submitting = navigation.state === "submitting";
  const base = `/groups/${group.id}/documents/${document.id}`;
  const renameError = actionData?.intent === "rename" ? actionData.fieldErrors.title : undefined;

  return (
    <article className="document-page" aria-labelledby="document-title">
      <h1 id="document-title">{document.title}</h1>
      <p className="document-meta">
        <span className="tag">{document.kind}</span> <span className="tag">{document.status}</span>{" "}
        <span className="muted">
          Last edited {document.updatedAt}
          {document.updatedBy ? ` by ${document.updatedBy}` : ""}
        </span>
      </p>
      {renamed && !actionData ? (
        <div className="alert alert--success" role="status">
          <p>The document has been renamed.</p>
        </div>
      ) : null}
      {restored !== null && !actionData ? (
        <div className="alert alert--success" role="status">
          <p>
            Version {restored} has been restored as a new change. The text from before the restore is saved in the{" "}
            <Link to={`${base}/versions`}>version history</Link>.
          </p>
        </div>
      ) : null}
      {actionData && "formError" in actionData ? (
        <div className="alert alert--error" role="alert">
          <p>{actionData.formError}</p>
        </div>
      ) : null}
      {reason ? (
        <div className="alert read-only-notice" role="note">
          <p>
            <strong>Read only.</strong> {reason}.
            {document.archivedOn ? ` Archived on ${document.archivedOn}.` : null}
          </p>
        </div>
      ) : null}

      <ConsultationNotice base={base} />
      {approval ? <ApprovalPanel approval={approval} base={base} busy={submitting} /> : null}

      <section aria-label="People here" className="presence-region">
        {hydrated ? <PresenceList
            key={document.id}
            documentId={document.id}
            selfUserId={me.id}
            onDocumentChanged={() => {
              if (revalidator.state === "idle") revalidator.revalidate();
            }}
          /> : null}
      </section>

      {hydrated ? (
        <Suspense fallback={<SavedText html={document.savedHtml} loading />}>
          <CollaborativeEditor
            key={document.id}
            documentId={document.id}
            user={{ id: me.id, name: me.name, colour: me.colour }}
            editable={mayEdit}
            comments={{ mayComment: comments.mayComment, actionPath: `${base}/comments`, anchors: comments.anchors }}
          />
        </Suspense>
      ) : (
        <SavedText html={document.savedHtml} loading={false} />
      )}

      <CommentsPanel
        threads={comments.threads}
        filter={comments.filter}
        actionPath={`${base}/comments`}
        pagePath={base}
        meId={me.id}
        mayComment={comments.mayComment}
      />

      <div className="document-tools">
        {mayViewHistory ? (
          <section className="panel" aria-labelledby="versions-heading">
            <h2 id="versions-heading">Versions</h2>
            <p>
              <Link to={`${base}/versions`}>Version history</Link> —{" "}
              {mayEdit ? "see earlier versions, compare them and restore one." : "see earlier versions and compare them."}
            </p>
            {mayEdit ? <SaveVersionForm versionsPath={`${base}/versions`} /> : null}
          </section>
        ) : null}

        {mayEdit || mayArchive ? (
          <section className="panel" aria-labelledby="details-heading">
            <h2 id="details-heading">Document details</h2>
            {mayEdit ? (
              <Form method="post" noValidate className="rename-form">
                <input type="hidden" name="intent" value="rename" />
                <div className="field">
                  <label htmlFor="rename-title">Title</label>
                  <input
                    id="rename-title"
                    name="title"
                    type="text"
                    required
                    maxLength={DOCUMENT_TITLE_MAX}
                    defaultValue={actionData?.intent === "rename" ? actionData.values.title : document.title}
                    aria-invalid={renameError ? true : undefined}
                    aria-describedby={renameError ? "rename-title-error" : undefined}
                  />
                  {renameError ? (
                    <p className="field-error" id="rename-title-error">
                      {renameError}
                    </p>
                  ) : null}
                </div>
                <button type="submit" className="button button--secondary" disabled={submitting}>
                  Rename
                </button>
              </Form>
            ) : null}
            {mayArchive ? (
              <Form
                method="post"
                className="archive-form"
                onSubmit={(event) => {
                  if (!window.confirm(`Archive “${document.title}”? It will be kept, read-only, and cannot be edited again.`)) {
                    event.preventDefault();
                  }
                }}
              >
                <input type="hidden" name="intent" value="archive" />
                <p className="muted">Archiving keeps the document, read-only, for the record. It is never deleted.</p>
                <button type="submit" className="button button--danger" disabled={submitting}>
                  Archive document
                </button>
              </Form>
            ) : null}
          </section>
        ) : null}
      </div>
    </article>
  );
}

/** Where the document's consultation stands, and the way to run one (journey 3). */
function ConsultationNotice({ base }: { base: string }) {
  const { consultation } = useLoaderData<typeof loader>();
  if (!consultation.notice && !consultation.mayManage) return null;
  return (
    <p className="consultation-notice" role="note">
      {consultation.notice}
      {consultation.mayManage ? (
        <>
          {consultation.notice ? " " : null}
          <Link to={`${base}/consultation`}>Consultation</Link>
        </>
      ) : null}
    </p>
  );
}
