/**
 * The terms of reference in force: the last version the Lead Minister's office approved, read-only
 * exactly as it was approved, with the classification marking at the top and bottom. This is what
 * members read by default; the working draft may have moved on since.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireTermsOfReference } from "../http/require-document.server.js";
import { approvedLine, findApprovedVersion } from "../models/approvals.server.js";
import { captureCurrentContent } from "../models/document-versions.server.js";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `${loaderData?.document.title ?? "Document"} (approved) · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { document, group } = await requireTermsOfReference(request, context, params);
  const approved = await findApprovedVersion(context.services.db, document.id);
  const draft = approved ? await captureCurrentContent(context.services.collaboration, document.id) : null;
  return {
    group,
    document: { id: document.id, title: document.title },
    approved: approved
      ? {
          versionNumber: approved.version_number,
          line: approvedLine(approved.decided_at!),
          // Stored HTML rendered by app/documents/content.ts when the version was saved; every text escaped.
          html: approved.content_html,
          draftDiffers: draft !== null && draft.hash !== approved.content_hash,
        }
      : null,
  };
}

export default function ApprovedVersion() {
  const { group, document, approved } = useLoaderData<typeof loader>();
  const base = `/groups/${group.id}/documents/${document.id}`;
  return (
    <article aria-labelledby="approved-title">
      <h1 id="approved-title">{`${document.title} (approved version)`}</h1>
      {approved ? (
        <>
          <p className="lede approval-status" data-approval-state="approved">
            {approved.line}
          </p>
          <p>
            Version {approved.versionNumber} · <Link to={`${base}/approvals`}>Approval history</Link> ·{" "}
            <Link to={base}>Working draft</Link>
            {approved.draftDiffers ? (
              <>
                {" · "}
                <Link to={`${base}/versions/compare?from=${approved.versionNumber}&to=current`}>
                  What the working draft changes
                </Link>
              </>
            ) : null}
          </p>
          <div className="alert read-only-notice" role="note">
            <p>These are the terms of reference in force. This text is read-only and never changes.</p>
          </div>
          <p>
            <a href={`${base}/versions/${approved.versionNumber}/export.docx`} download>
              Download Word document
            </a>{" "}
            · <Link to={`${base}/versions/${approved.versionNumber}/print`}>Print or save as PDF</Link>
          </p>
          <div className="document-text-frame">
            {/* Stored HTML rendered by app/documents/content.ts, which escapes every text and attribute. */}
            <div className="document-text" role="region" aria-label="Approved text" dangerouslySetInnerHTML={{ __html: approved.html }} />
          </div>
        </>
      ) : (
        <p role="status">
          No version has been approved yet. <Link to={base}>Read the working draft</Link> or see the{" "}
          <Link to={`${base}/approvals`}>approval history</Link>.
        </p>
      )}
    </article>
  );
}
