/**
 * The comments of one thread as a consultation's summary lists them (the summary page, and the
 * page a consultee sees after the consultation closed): who, their organisation, when (New
 * Zealand time) and the words, as text.
 */
import type { SummaryComment } from "../../models/consultations.server.js";
import { formatNzDateTime } from "../../utils/dates.js";
import { CommentText } from "./CommentText.js";

export interface SummaryCommentItem {
  key: string;
  author: string;
  organisation: string | null;
  when: string;
  body: string;
}

/** A thread's comments as the page's loader sends them. */
export function summaryCommentItems(threadId: string, comments: readonly SummaryComment[]): SummaryCommentItem[] {
  return comments.map((comment, index) => ({
    key: `${threadId}-${index}`,
    author: comment.author,
    organisation: comment.organisation,
    when: formatNzDateTime(comment.createdAt),
    body: comment.body,
  }));
}

export function SummaryComments({ comments }: { comments: readonly SummaryCommentItem[] }) {
  return (
    <ul className="list-plain">
      {comments.map((comment) => (
        <li key={comment.key}>
          <strong>{comment.author}</strong>
          {comment.organisation ? `, ${comment.organisation}` : ""} · <span className="muted">{comment.when}</span>
          <CommentText text={comment.body} />
        </li>
      ))}
    </ul>
  );
}
