/**
 * A document's page (its layout draws the classification marking): title and status, who else has
 * it open, the co-editing editor (read-only, with the reason, for people who may not edit) and its
 * comment threads. Also renaming, archiving and saving a named version; for the terms of
 * reference, where they stand with the Lead Minister's office (the version in force, a pending
 * submission) and submitting; following its comments. The editor needs JavaScript; without it the page shows the text as
 * last saved.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Suspense, lazy, useEffect, useState } from "react";
import * as Y from "yjs";
import { ApprovalPanel, ApprovalSummary } from "../components/approvals/ApprovalPanel.js";
import { type CommentFilter, CommentsPanel } from "../components/comments/CommentsPanel.js";
import { MentionPeopleContext } from "../components/comments/MentionPicker.js";
import { PresenceList } from "../components/editor/PresenceList.js";
import { SaveVersionForm } from "../components/editor/SaveVersionForm.js";
import { userColour } from "../components/editor/user-colour.js";
import { FormErrors, IntentInput, TextField, formProps, resultFor, useAppForm } from "../components/forms/fields.js";
import { archiveDocumentSchema, documentPageSchema, renameDocumentSchema } from "../documents/schemas.js";
import { requireReadableDocument } from "../http/require-document.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { approvalPermissions, approvalStatus } from "../models/approvals.server.js";
import { listThreads } from "../models/comment-threads.server.js";
import { mentionablePeople } from "../models/comments.server.js";
import { threadsInDocumentOrder } from "../documents/thread-order.js";
import { consultationNotice } from "../models/consultations.server.js";
import { isFollowing, setFollowing } from "../models/document-follows.server.js";
import { captureCurrentContent } from "../models/document-versions.server.js";
import { archiveDocument, readOnlyReason, renameDocument } from "../models/documents.server.js";
import type { DocumentResource } from "../models/policy-resources.server.js";
import { type Actor, permissionsFor } from "../policy/policy.js";
import { formatNzDateTime, formatNzShortDate } from "../utils/dates.js";
import { documentKindLabels, documentStatusLabels } from "../utils/labels.js";
import { SuccessNotice } from "../components/SuccessNotice.js";

const CollaborativeEditor = lazy(() => import("../components/editor/CollaborativeEditor.js"));

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `${loaderData?.document.title ?? "Document"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user, actor, document, resource, group } = await requireReadableDocument(request, context, params);
  const db = context.services.db;
  const url = new URL(request.url);
  const may = permissionsFor(actor, resource, [
    "document.edit",
    "document.history",
    "document.archive",
    "document.comment",
    "consultation.manage",
    "document.follow",
  ]);
  const restored = url.searchParams.get("restored") ?? "";
  return {
    comments: await commentsFor(context, document.id, url.searchParams.get("comments")),
    // The approval story is part of the document's history, which consultees do not see.
    approval: document.kind === "terms_of_reference" && may["document.history"] ? await approvalPanel(context, actor, document.id, resource, url) : null,
    group,
    document: {
      id: document.id,
      title: document.title,
      kind: documentKindLabels[document.kind],
      status: documentStatusLabels[document.status],
      archivedOn: document.archived_at ? formatNzShortDate(document.archived_at) : null,
      updatedAt: formatNzDateTime(document.updated_at),
      updatedBy: document.updated_by_name,
      // Rendered by app/documents/content.ts from the schema, every text escaped: shown until the
      // editor loads, and to people without JavaScript.
      savedHtml: document.content_html,
    },
    me: { id: user.id, name: user.displayName, colour: userColour(user.id) },
    may,
    readOnlyReason: readOnlyReason(actor, resource),
    renamed: url.searchParams.get("renamed") === "1",
    restored: /^\d+$/.test(restored) ? Number(restored) : null,
    // Journey 3: the latest consultation's state.
    consultationNotice: await consultationNotice(db, document.id),
    following: may["document.follow"] ? await isFollowing(db, user.id, document) : null,
    // Who the comment box's @ list offers.
    mentionable: may["document.comment"] ? await mentionablePeople(db, document, user.id) : [],
  };
}

type Context = LoaderFunctionArgs["context"];

/** The comment threads the panel shows (by its filter), and the anchors the editor highlights. */
async function commentsFor(context: Context, documentId: string, requestedFilter: string | null) {
  const filter: CommentFilter = requestedFilter === "resolved" || requestedFilter === "all" ? requestedFilter : "open";
  // The document's state is read once for the threads and their order, and not at all when there
  // are no threads (issue 21: it was read twice on every view of the page).
  let state: Promise<Uint8Array> | undefined;
  const collaboration = { encodeState: (id: string) => (state ??= context.services.collaboration.encodeState(id)) };
  const listed = await listThreads(context.services.db, documentId, { status: "all", collaboration });
  let threads: typeof listed = [];
  if (listed.length > 0) {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, await collaboration.encodeState(documentId));
    threads = threadsInDocumentOrder(doc, listed);
    doc.destroy();
  }
  return {
    filter,
    threads: threads
      .filter((thread) => filter === "all" || thread.status === filter)
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
      .map((thread) => ({
        threadId: thread.id,
        anchorStart: thread.anchorStart,
        anchorEnd: thread.anchorEnd,
        quote: thread.quote,
        quotePrefix: thread.quotePrefix,
        quoteSuffix: thread.quoteSuffix,
        quotePosition: thread.quotePosition,
      })),
  };
}

/** The terms of reference's approval: status line, version in force, whether the draft moved on. */
async function approvalPanel(context: Context, actor: Actor, documentId: string, resource: DocumentResource, url: URL) {
  const status = await approvalStatus(context.services.db, documentId);
  const draft = status.inForce ? await captureCurrentContent(context.services.collaboration, documentId) : null;
  const may = approvalPermissions(actor, resource, status);
  return {
    ...status,
    draftDiffers: draft !== null && status.inForce !== null && draft.hash !== status.inForce.contentHash,
    maySubmit: may.submit,
    mayWithdraw: may.withdraw,
    flash: url.searchParams.get("submitted") === "1" ? ("submitted" as const) : url.searchParams.get("withdrawn") === "1" ? ("withdrawn" as const) : null,
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, document, group } = await requireReadableDocument(request, context, params);
  const submission = parseWithZod(await request.formData(), { schema: documentPageSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const db = context.services.db;
  try {
    const { intent } = submission.value;
    if (intent === "rename") {
      await renameDocument(db, actor, document.id, { title: submission.value.title, ip: context.clientIp });
      return redirect(`/groups/${group.id}/documents/${document.id}?renamed=1`);
    }
    if (intent === "follow" || intent === "unfollow") {
      await setFollowing(db, actor, document.id, intent === "follow", { ip: context.clientIp });
      return { followed: intent === "follow" };
    }
    await archiveDocument(db, actor, document.id, { ip: context.clientIp });
    return redirect(`/groups/${group.id}/documents?archived=${encodeURIComponent(document.title)}`);
  } catch (error) {
    return replyWithError(submission, error);
  }
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

export default function DocumentPage() {
  const { group, document, me, may, readOnlyReason: reason, renamed, restored, approval, comments, mentionable } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const hydrated = useHydrated();
  const submitting = navigation.state === "submitting";
  const base = `/groups/${group.id}/documents/${document.id}`;
  const mayEdit = may["document.edit"];

  return (
    // The comment boxes' @ lists offer these people (components/comments/MentionPicker.tsx).
    <MentionPeopleContext.Provider value={mentionable}>
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
          <SuccessNotice>The document has been renamed.</SuccessNotice>
        ) : null}
        {restored !== null && !actionData ? (
          <div className="alert alert--success" role="status">
            <p>
              Version {restored} has been restored as a new change. The text from before the restore is saved in the{" "}
              <Link to={`${base}/versions`}>version history</Link>.
            </p>
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
        {/* The status line only: the approval forms sit below the text, so the document comes first. */}
        {approval ? <ApprovalSummary approval={approval} base={base} /> : null}

        <section aria-label="People here" className="presence-region">
          {hydrated ? (
            <PresenceList
              key={document.id}
              documentId={document.id}
              selfUserId={me.id}
              onDocumentChanged={() => {
                if (revalidator.state === "idle") revalidator.revalidate();
              }}
            />
          ) : null}
        </section>

        {hydrated ? (
          <Suspense fallback={<SavedText html={document.savedHtml} loading />}>
            <CollaborativeEditor
              key={document.id}
              documentId={document.id}
              user={{ id: me.id, name: me.name, colour: me.colour }}
              editable={mayEdit}
              comments={{ mayComment: may["document.comment"], actionPath: `${base}/comments`, anchors: comments.anchors }}
            />
          </Suspense>
        ) : (
          <SavedText html={document.savedHtml} loading={false} />
        )}

        {/* With the comments it is about, below the text: the document comes first. */}
        <FollowForm />
        <CommentsPanel
          threads={comments.threads}
          filter={comments.filter}
          actionPath={`${base}/comments`}
          pagePath={base}
          meId={me.id}
          mayComment={may["document.comment"]}
        />

        {approval ? <ApprovalPanel approval={approval} base={base} busy={submitting} /> : null}

        <div className="document-tools">
          {may["document.history"] ? (
            <section className="panel" aria-labelledby="versions-heading">
              <h2 id="versions-heading">Versions</h2>
              <p>
                <Link to={`${base}/versions`}>Version history</Link> —{" "}
                {mayEdit ? "see earlier versions, compare them and restore one." : "see earlier versions and compare them."}
              </p>
              {mayEdit ? <SaveVersionForm versionsPath={`${base}/versions`} inPlace className="button button--secondary" /> : null}
            </section>
          ) : null}

          {mayEdit || may["document.archive"] ? (
            <section className="panel" aria-labelledby="details-heading">
              <h2 id="details-heading">Document details</h2>
              {mayEdit ? <RenameForm title={document.title} lastResult={resultFor(actionData, "rename")} disabled={submitting} /> : null}
              {may["document.archive"] ? (
                <ArchiveForm title={document.title} lastResult={resultFor(actionData, "archive")} disabled={submitting} />
              ) : null}
            </section>
          ) : null}
        </div>
      </article>
    </MentionPeopleContext.Provider>
  );
}

function RenameForm({ title, lastResult, disabled }: { title: string; lastResult: unknown; disabled: boolean }) {
  const [form, fields] = useAppForm(renameDocumentSchema, { id: "rename-document", lastResult, defaultValue: { title } });
  return (
    <Form method="post" className="rename-form" {...formProps(form)}>
      <FormErrors form={form} />
      <IntentInput value="rename" />
      <TextField meta={fields.title} label="Title" />
      <button type="submit" className="button button--secondary" disabled={disabled}>
        Rename
      </button>
    </Form>
  );
}

function ArchiveForm({ title, lastResult, disabled }: { title: string; lastResult: unknown; disabled: boolean }) {
  const [form] = useAppForm(archiveDocumentSchema, { id: "archive-document", lastResult });
  const { onSubmit, ...props } = formProps(form);
  return (
    <Form
      method="post"
      className="archive-form"
      {...props}
      onSubmit={(event) => {
        if (!window.confirm(`Archive “${title}”? It will be kept, read-only, and cannot be edited again.`)) event.preventDefault();
        else onSubmit?.(event);
      }}
    >
      <FormErrors form={form} />
      <IntentInput value="archive" />
      <p className="muted">Archiving keeps the document, read-only, for the record. It is never deleted.</p>
      <button type="submit" className="button button--danger" disabled={disabled}>
        Archive document
      </button>
    </Form>
  );
}

/** Follow or stop following the document's comments: followers are told of each new thread. */
function FollowForm() {
  const { following } = useLoaderData<typeof loader>();
  const fetcher = useFetcher();
  if (following === null) return null;
  // Shown as it will be while the change is on its way.
  const pending = fetcher.formData?.get("intent");
  const now = pending === "follow" ? true : pending === "unfollow" ? false : following;
  return (
    <fetcher.Form method="post" className="follow-form">
      <input type="hidden" name="intent" value={now ? "unfollow" : "follow"} />
      <p className="muted" id="follow-help">
        {now ? "You are told of each new comment on this document." : "Follow to be told of each new comment on this document."}
      </p>
      <button type="submit" className="button button--secondary" aria-describedby="follow-help" aria-pressed={now}>
        {now ? "Following" : "Follow"}
      </button>
    </fetcher.Form>
  );
}

/** Where the document's consultation stands, and the way to run one (journey 3). */
function ConsultationNotice({ base }: { base: string }) {
  const { consultationNotice: notice, may } = useLoaderData<typeof loader>();
  if (!notice && !may["consultation.manage"]) return null;
  return (
    <p className="consultation-notice" role="note">
      {notice}
      {may["consultation.manage"] ? (
        <>
          {notice ? " " : null}
          <Link to={`${base}/consultation`}>Consultation</Link>
        </>
      ) : null}
    </p>
  );
}
