/**
 * The document's comment threads beside the editor: open or resolved (a filter), each with the
 * words it is about, its comments, a reply form, and for each person their own comments' edit and
 * delete. A thread whose words were deleted says so and shows the original quote. Every form posts
 * to the comments route with a fetcher; the page's loader revalidates after each, and on
 * `comment:changed` from someone else (see the document page).
 */
import { Link, useFetcher } from "@remix-run/react";
import { useEffect, useId, useRef, useState } from "react";
import type { CommentActionData } from "../../routes/groups.$groupId.documents.$documentId.comments.js";
import { CommentText } from "./CommentText.js";
import { COMMENT_BODY_MAX } from "../../documents/limits.js";

export interface CommentItem {
  id: string;
  authorId: string;
  authorName: string;
  body: string | null;
  deleted: boolean;
  edited: boolean;
  createdAt: string;
}

export interface CommentThreadItem {
  id: string;
  status: "open" | "resolved";
  quote: string;
  onDeletedText: boolean;
  resolvedByName: string | null;
  resolvedAt: string | null;
  comments: CommentItem[];
}

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
  const statusFetcher = useFetcher<CommentActionData>();
  const headingId = useId();
  return (
    <article className={`comment-thread comment-thread--${thread.status}`} aria-labelledby={headingId} data-thread-id={thread.id}>
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
          <statusFetcher.Form method="post" action={actionPath} className="comment-thread__status">
            <input type="hidden" name="threadId" value={thread.id} />
            <button
              type="submit"
              name="intent"
              value={thread.status === "open" ? "resolve" : "reopen"}
              className="button button--secondary"
              disabled={statusFetcher.state !== "idle"}
            >
              {thread.status === "open" ? "Resolve" : "Reopen"}
            </button>
            {statusFetcher.data && !statusFetcher.data.ok ? (
              <p className="field-error" role="alert">
                {statusFetcher.data.fieldErrors.form}
              </p>
            ) : null}
          </statusFetcher.Form>
        </>
      ) : null}
    </article>
  );
}

function CommentView({ comment, actionPath, mine }: { comment: CommentItem; actionPath: string; mine: boolean }) {
  const [editing, setEditing] = useState(false);
  const deleteFetcher = useFetcher<CommentActionData>();
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
          <deleteFetcher.Form method="post" action={actionPath}>
            <input type="hidden" name="commentId" value={comment.id} />
            <button type="submit" name="intent" value="delete" className="button button--link" disabled={deleteFetcher.state !== "idle"}>
              Delete<span className="visually-hidden"> your comment</span>
            </button>
          </deleteFetcher.Form>
        </div>
      ) : null}
    </div>
  );
}

/** A labelled textarea that posts one comment command; shows the server's field message. */
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
  const fetcher = useFetcher<CommentActionData>();
  const ids = useId();
  const form = useRef<HTMLFormElement>(null);
  const [sent, setSent] = useState(false);
  const result = fetcher.data;
  const error = result && !result.ok ? (result.fieldErrors.body ?? result.fieldErrors.quote ?? result.fieldErrors.anchor ?? result.fieldErrors.form) : undefined;
  useEffect(() => {
    if (!sent || fetcher.state !== "idle") return;
    setSent(false);
    if (fetcher.data?.ok) {
      form.current?.reset();
      onDone?.();
    }
  }, [sent, fetcher.state, fetcher.data, onDone]);
  return (
    <fetcher.Form ref={form} method="post" action={actionPath} className="comment-form" noValidate onSubmit={() => setSent(true)}>
      <input type="hidden" name="intent" value={intent} />
      {idField ? <input type="hidden" name={idField.name} value={idField.value} /> : null}
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <label htmlFor={`${ids}-body`}>{label}</label>
      <textarea
        id={`${ids}-body`}
        name="body"
        rows={3}
        maxLength={COMMENT_BODY_MAX}
        required
        defaultValue={defaultValue}
        // The form opens because the person asked for it: take them to it.
        autoFocus={autoFocus}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${ids}-error` : undefined}
        onKeyDown={(event) => {
          if (event.key === "Escape" && onCancel) {
            event.preventDefault();
            onCancel();
          }
        }}
      />
      {error ? (
        <p className="field-error" id={`${ids}-error`} role="alert">
          {error}
        </p>
      ) : null}
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
