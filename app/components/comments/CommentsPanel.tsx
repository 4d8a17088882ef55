/**
 * The document's comment threads beside the editor: open or resolved (a filter), each with the
 * words it is about, its comments, a reply form, and for each person their own comments' edit and
 * delete. A thread whose words were deleted says so and shows the original quote. Every form is a
 * Conform form with its schema from app/documents/schemas.ts, posted to the comments route with a
 * fetcher; the route's JSON answer fills in the form's messages. The page's loader revalidates
 * after each, and on `comment:changed` from someone else (see the document page).
 */
import type { SubmissionResult } from "@conform-to/react";
import { Link, useFetcher } from "@remix-run/react";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import type { z } from "zod";
import {
  commentFormSchemas,
  deleteCommentSchema,
  reopenThreadSchema,
  resolveThreadSchema,
} from "../../documents/schemas.js";
import type { CommentView, ThreadView } from "../../models/comment-threads.server.js";
import type { CommentActionData } from "../../documents/schemas.js";
import { FormErrors, IntentInput, TextAreaField, formProps, useAppForm } from "../forms/fields.js";
import { CommentText } from "./CommentText.js";
import { useMentionPicker } from "./MentionPicker.js";

/** A comment as the page's loader sends it: its date in words. */
export type CommentItem = Omit<CommentView, "createdAt"> & { createdAt: string };

/** A thread as the page's loader sends it. */
export type CommentThreadItem = Pick<ThreadView, "id" | "status" | "quote" | "onDeletedText" | "resolvedByName"> & {
  resolvedAt: string | null;
  comments: CommentItem[];
};

export type CommentFilter = "open" | "resolved" | "all";

const filterLabels: Record<CommentFilter, string> = { open: "Open", resolved: "Resolved", all: "All" };

export function CommentsPanel({
  threads,
  filter,
  actionPath,
  pagePath,
  meId,
  mayComment,
}: {
  threads: CommentThreadItem[];
  filter: CommentFilter;
  actionPath: string;
  pagePath: string;
  meId: string;
  mayComment: boolean;
}) {
  return (
    <section className="panel comments-panel" aria-labelledby="comments-heading">
      <h2 id="comments-heading">Comments</h2>
      <nav aria-label="Show comments" className="comments-panel__filter">
        <ul>
          {(Object.keys(filterLabels) as CommentFilter[]).map((option) => (
            <li key={option}>
              <Link
                to={`${pagePath}?comments=${option}`}
                preventScrollReset
                aria-current={option === filter ? "page" : undefined}
                replace
              >
                {filterLabels[option]}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {mayComment ? (
        <p className="hint">Select words in the document, then choose “Comment” to start a thread about them.</p>
      ) : null}
      {threads.length === 0 ? (
        <p>{filter === "resolved" ? "No resolved comments." : filter === "open" ? "No open comments." : "No comments yet."}</p>
      ) : (
        <ol className="comment-threads">
          {threads.map((thread) => (
            <li key={thread.id}>
              <CommentThreadView thread={thread} actionPath={actionPath} meId={meId} mayComment={mayComment} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function CommentThreadView({
  thread,
  actionPath,
  meId,
  mayComment,
}: {
  thread: CommentThreadItem;
  actionPath: string;
  meId: string;
  mayComment: boolean;
}) {
  const headingId = useId();
  return (
    <article
      // A notification's link (…#thread-<id>) lands here.
      id={`thread-${thread.id}`}
      className={`comment-thread comment-thread--${thread.status}`}
      aria-labelledby={headingId}
      data-thread-id={thread.id}
    >
      <h3 id={headingId} className="comment-thread__quote">
        <span className="visually-hidden">Comment on: </span>
        <q>{thread.quote}</q>
      </h3>
      <p className="comment-thread__tags">
        {thread.onDeletedText ? <span className="tag tag--warning">On deleted text</span> : null}{" "}
        {thread.status === "resolved" ? (
          <span className="tag">Resolved{thread.resolvedByName ? ` by ${thread.resolvedByName}` : ""}</span>
        ) : null}
      </p>
      <ol className="comment-thread__comments">
        {thread.comments.map((comment) => (
          <li key={comment.id}>
            <CommentView comment={comment} actionPath={actionPath} mine={comment.authorId === meId && mayComment} />
          </li>
        ))}
      </ol>
      {mayComment ? (
        <>
          <CommentForm actionPath={actionPath} intent="reply" idField={{ name: "threadId", value: thread.id }} label="Reply" submitLabel="Reply" />
          <ThreadStatusForm threadId={thread.id} status={thread.status} actionPath={actionPath} />
        </>
      ) : null}
    </article>
  );
}

function CommentView({ comment, actionPath, mine }: { comment: CommentItem; actionPath: string; mine: boolean }) {
  const [editing, setEditing] = useState(false);
  if (comment.deleted) {
    return (
      <div className="comment comment--deleted">
        <p className="muted">Comment deleted</p>
      </div>
    );
  }
  return (
    <div className="comment">
      <p className="comment__meta">
        <strong>{comment.authorName}</strong> <span className="muted">{comment.createdAt}</span>
        {comment.edited ? <span className="muted"> (edited)</span> : null}
      </p>
      {editing ? (
        <CommentForm
          actionPath={actionPath}
          intent="edit"
          idField={{ name: "commentId", value: comment.id }}
          label="Edit your comment"
          submitLabel="Save comment"
          defaultValue={comment.body ?? ""}
          onDone={() => setEditing(false)}
        />
      ) : (
        <CommentText text={comment.body ?? ""} />
      )}
      {mine && !editing ? (
        <div className="comment__actions">
          <button type="button" className="button button--link" onClick={() => setEditing(true)}>
            Edit<span className="visually-hidden"> your comment</span>
          </button>
          <DeleteCommentForm commentId={comment.id} actionPath={actionPath} />
        </div>
      ) : null}
    </div>
  );
}

/**
 * A Conform form for one comment command, posted with a fetcher: `schema` checks it in the
 * browser, and the route's JSON answer (a refusal) puts its message beside the words or above the form.
 */
function useCommentForm<Schema extends z.ZodObject>(schema: Schema, options: { defaultValue?: Partial<z.input<Schema>> } = {}) {
  const fetcher = useFetcher<CommentActionData>();
  const id = useId();
  const answer = fetcher.data;
  const lastResult = useMemo(() => (answer && !answer.ok ? refusalReply(answer.fieldErrors) : undefined), [answer]);
  const [form, fields] = useAppForm(schema, { id: `comment-form${id}`, lastResult, ...(options.defaultValue ? { defaultValue: options.defaultValue } : {}) });
  return { fetcher, form, fields };
}

/** A refusal as Conform's reply: a message about the words beside them, any other above the form. */
function refusalReply(fieldErrors: Extract<CommentActionData, { ok: false }>["fieldErrors"]): SubmissionResult<string[]> {
  const other = fieldErrors.quote ?? fieldErrors.anchor ?? fieldErrors.form;
  return { status: "error", error: { ...(fieldErrors.body ? { body: [fieldErrors.body] } : {}), ...(other ? { "": [other] } : {}) } };
}

function ThreadStatusForm({ threadId, status, actionPath }: { threadId: string; status: "open" | "resolved"; actionPath: string }) {
  const { fetcher, form } = useCommentForm(status === "open" ? resolveThreadSchema : reopenThreadSchema);
  return (
    <fetcher.Form method="post" action={actionPath} className="comment-thread__status" {...formProps(form)}>
      <FormErrors form={form} />
      <IntentInput value={status === "open" ? "resolve" : "reopen"} />
      <input type="hidden" name="threadId" value={threadId} />
      <button type="submit" className="button button--secondary" disabled={fetcher.state !== "idle"}>
        {status === "open" ? "Resolve" : "Reopen"}
      </button>
    </fetcher.Form>
  );
}

function DeleteCommentForm({ commentId, actionPath }: { commentId: string; actionPath: string }) {
  const { fetcher, form } = useCommentForm(deleteCommentSchema);
  return (
    <fetcher.Form method="post" action={actionPath} {...formProps(form)}>
      <FormErrors form={form} />
      <IntentInput value="delete" />
      <input type="hidden" name="commentId" value={commentId} />
      <button type="submit" className="button button--link" disabled={fetcher.state !== "idle"}>
        Delete<span className="visually-hidden"> your comment</span>
      </button>
    </fetcher.Form>
  );
}

/** A labelled textarea that posts one comment command; shows the server's message for it. */
export function CommentForm({
  actionPath,
  intent,
  idField,
  hidden = {},
  label,
  submitLabel,
  defaultValue = "",
  onDone,
  onCancel,
  autoFocus = false,
}: {
  actionPath: string;
  intent: "create" | "reply" | "edit";
  idField?: { name: string; value: string };
  hidden?: Record<string, string>;
  label: string;
  submitLabel: string;
  defaultValue?: string;
  onDone?: () => void;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const { fetcher, form, fields } = useCommentForm(commentFormSchemas[intent], { defaultValue: { body: defaultValue } });
  const element = useRef<HTMLFormElement>(null);
  // The form's one text area, for the @ list.
  const box = useMemo(() => ({ get current() { return element.current?.querySelector("textarea") ?? null; } }), []);
  const mentions = useMentionPicker(box);
  const { reset: resetMentions } = mentions;
  const [sent, setSent] = useState(false);
  useEffect(() => {
    if (!sent || fetcher.state !== "idle") return;
    setSent(false);
    if (fetcher.data?.ok) {
      element.current?.reset();
      resetMentions();
      onDone?.();
    }
  }, [sent, fetcher.state, fetcher.data, onDone, resetMentions]);
  const { onSubmit, ...props } = formProps(form);
  return (
    <fetcher.Form
      ref={element}
      method="post"
      action={actionPath}
      className="comment-form"
      {...props}
      onSubmit={(event) => {
        onSubmit?.(event);
        if (!event.defaultPrevented) setSent(true);
      }}
    >
      <FormErrors form={form} />
      <IntentInput value={intent} />
      {idField ? <input type="hidden" name={idField.name} value={idField.value} /> : null}
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {mentions.hiddenFields}
      <div className="comment-form__box">
        <TextAreaField
          meta={fields.body}
          label={label}
          hint={mentions.available ? "Type @ and a name to mention someone who can read this document." : undefined}
          rows={3}
          // The form opens because the person asked for it: take them to it.
          autoFocus={autoFocus}
          {...mentions.boxProps}
          onKeyDown={(event) => {
            // While the @ list is open its keys are its own: Escape closes the list, not the form.
            if (mentions.onKeyDown(event)) return;
            if (event.key === "Escape" && onCancel) {
              event.preventDefault();
              onCancel();
            }
          }}
        />
        {mentions.list}
      </div>
      <div className="comment-form__buttons">
        <button type="submit" className="button" disabled={fetcher.state !== "idle"}>
          {fetcher.state !== "idle" ? "Sending…" : submitLabel}
        </button>
        {onCancel || (intent === "edit" && onDone) ? (
          <button type="button" className="button button--secondary" onClick={() => (onCancel ?? onDone)?.()}>
            Cancel
          </button>
        ) : null}
      </div>
    </fetcher.Form>
  );
}
