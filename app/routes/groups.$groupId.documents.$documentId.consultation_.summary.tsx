/**
 * The summary of a consultation: every comment thread on the document with the words it points
 * at, and each comment with who, their organisation and when (New Zealand time); and a link to
 * the same as a Word document.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CommentText } from "../components/comments/CommentText.js";
import { requireConsultationSummary } from "../http/require-consultation-summary.server.js";
import { formatNzDateTime } from "../utils/dates.js";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Consultation summary: ${data?.document.title ?? "Document"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { document, group, consultationLine, threads } = await requireConsultationSummary(request, context, params);
  return {
    group,
    document: { id: document.id, title: document.title, classification: document.classification },
    consultationLine,
    threads: threads.map((thread) => ({
      id: thread.id,
      quote: thread.quote,
      status: thread.status,
      comments: thread.comments.map((comment) => ({
        author: comment.author,
        organisation: comment.organisation,
        when: formatNzDateTime(comment.createdAt),
        body: comment.body,
      })),
    })),
  };
}

export default function ConsultationSummary() {
  const { group, document, consultationLine, threads } = useLoaderData<typeof loader>();
  const documentPath = `/groups/${group.id}/documents/${document.id}`;
  return (
    <>
      <p className="muted">
        <Link to={documentPath}>{document.title}</Link> · <Link to={`${documentPath}/consultation`}>Consultation</Link>
      </p>
      <h1>Summary of comments</h1>
      {consultationLine ? <p>{consultationLine}</p> : null}
      <p>
        <a href={`${documentPath}/consultation/summary.docx`} download>
          Download as a Word document
        </a>
      </p>
      {threads.length === 0 ? (
        <p>No comments yet.</p>
      ) : (
        <ol className="list-plain">
          {threads.map((thread) => (
            <li key={thread.id} className="panel">
              <blockquote>{thread.quote}</blockquote>
              {thread.status ? <p className="muted">{thread.status}</p> : null}
              <ul className="list-plain">
                {thread.comments.map((comment, index) => (
                  <li key={index}>
                    <strong>{comment.author}</strong>
                    {comment.organisation ? `, ${comment.organisation}` : ""} · <span className="muted">{comment.when}</span>
                    <CommentText text={comment.body} />
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
