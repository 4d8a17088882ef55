/**
 * The summary of a consultation: every comment thread on the document with the words it points
 * at, and each comment with who, their organisation and when (New Zealand time); and a link to
 * the same as a Word document.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { SummaryComments, summaryCommentItems } from "../components/comments/SummaryComments.js";
import type { RouteHandle } from "../components/PageFrame.js";
import { requireConsultationSummary } from "../http/require-consultation-summary.server.js";

export const handle: RouteHandle<typeof loader> = {
  breadcrumb: (data) => [{ to: `/groups/${data.group.id}/documents/${data.document.id}/consultation`, label: "Consultation" }],
};

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Consultation summary: ${data?.document.title ?? "Document"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { document, group, consultationLine, threads } = await requireConsultationSummary(request, context, params);
  return {
    group,
    document: { id: document.id, title: document.title },
    consultationLine,
    threads: threads.map((thread) => ({
      id: thread.id,
      quote: thread.quote,
      status: thread.status,
      comments: summaryCommentItems(thread.id, thread.comments),
    })),
  };
}

export default function ConsultationSummary() {
  const { group, document, consultationLine, threads } = useLoaderData<typeof loader>();
  const documentPath = `/groups/${group.id}/documents/${document.id}`;
  return (
    <>
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
              <SummaryComments comments={thread.comments} />
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
