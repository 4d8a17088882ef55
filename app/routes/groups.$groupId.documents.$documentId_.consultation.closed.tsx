/**
 * What a consultee sees once a consultation they were invited to has closed: that comments are
 * closed and when, the brief they were given, and the threads they took part in (their own words
 * and the replies to them). Never the document itself: the group may have changed it since, and
 * those changes were not opened to them. Anyone else is sent to the document.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SummaryComments, summaryCommentItems } from "../components/comments/SummaryComments.js";
import type { RouteHandle } from "../components/PageFrame.js";
import { notFound } from "../errors.js";
import { requireActor, requirePermission } from "../http/require.server.js";
import { invariantResponse } from "../http/responses.server.js";
import { closedConsultationForConsultee, consultationClosingLabel, consultationSummary } from "../models/consultations.server.js";
import { findDocument } from "../models/document-access.server.js";
import { consultationResource } from "../models/policy-resources.server.js";

export const handle: RouteHandle<typeof loader> = {
  classification: (data) => ({ classification: data.document.classification }),
};

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Consultation closed: ${loaderData?.document.title ?? "Document"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context);
  const db = context.services.db;
  const document = await findDocument(db, params.documentId ?? "");
  invariantResponse(document && document.group_id === params.groupId, notFound);
  const documentPath = `/groups/${document.group_id}/documents/${document.id}`;
  if (actor.rolesByGroup.get(document.group_id) !== "consultee") {
    requirePermission(actor, "consultation.view", consultationResource(document.group_id, false));
    throw redirect(documentPath);
  }
  const consultation = await closedConsultationForConsultee(db, actor.id, document.id);
  // Still open to them (or never invited): the document page is the right place, or says not found.
  if (!consultation) throw redirect(documentPath);
  requirePermission(actor, "consultation.view", consultationResource(document.group_id, true));
  const threads = (await consultationSummary(db, document.id, document.group_id)).filter((thread) =>
    thread.comments.some((comment) => comment.authorId === actor.id),
  );
  return {
    groupId: document.group_id,
    document: { title: document.title, classification: document.classification },
    closed: consultationClosingLabel(consultation.closed_early_at ?? consultation.closes_at),
    closedEarly: consultation.closed_early_at !== null,
    brief: consultation.brief,
    threads: threads.map((thread) => ({
      id: thread.id,
      quote: thread.quote,
      comments: summaryCommentItems(thread.id, thread.comments),
    })),
  };
}

export default function ClosedConsultation() {
  const { groupId, document, closed, closedEarly, brief, threads } = useLoaderData<typeof loader>();
  return (
    <>
      <p className="muted">
        <Link to={`/groups/${groupId}`}>Back to the group</Link>
      </p>
      <h1>{document.title}</h1>
      <div className="alert" role="status">
        {`This consultation ${closedEarly ? "was closed early on" : "closed on"} ${closed} (New Zealand time); comments are closed. Thank you for taking part.`}
      </div>
      <section className="panel" aria-labelledby="brief-heading">
        <h2 id="brief-heading">What you were asked</h2>
        <p className="prewrap">{brief}</p>
      </section>
      <section className="panel" aria-labelledby="yours-heading">
        <h2 id="yours-heading">Your comments</h2>
        {threads.length === 0 ? (
          <p>You did not leave any comments in this consultation.</p>
        ) : (
          <ol className="list-plain">
            {threads.map((thread) => (
              <li key={thread.id} className="comment-thread">
                <p className="comment-thread__quote">
                  On: <q>{thread.quote}</q>
                </p>
                <SummaryComments comments={thread.comments} />
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
