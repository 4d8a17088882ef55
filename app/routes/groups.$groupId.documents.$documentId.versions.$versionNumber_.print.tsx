/**
 * A saved version laid out for printing and the browser's "Save as PDF": the title, the text as
 * it was saved (its stored HTML), the approval when there is one, and the classification marking
 * at the top and bottom of every printed page (see app/styles/print-view.css and
 * docs/decisions/005-pdf-by-print-stylesheet.md).
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ClassificationMarking } from "../components/editor/ClassificationMarking.js";
import type { RouteHandle } from "../components/PageFrame.js";
import { ApprovalBlock } from "../components/exports/ApprovalBlock.js";
import { loadVersionForExport } from "../exports/version-export.server.js";
import printStyles from "../styles/print-view.css";

/** After the editor's styles, which the document layout brings. */
export const links: LinksFunction = () => [{ rel: "stylesheet", href: printStyles }];

/** Laid out for paper: the page draws its own markings (repeated on every printed page). */
export const handle: RouteHandle = { ownFrame: true };

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  {
    title: loaderData
      ? `${loaderData.document.title} (version ${loaderData.version.number}) · Print`
      : "Print · Stewardship Workspace",
  },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { document, group, version, approval, standingLine } = await loadVersionForExport(request, context, params);
  return {
    group: { id: group.id, name: group.name },
    document: { id: document.id, title: document.title, classification: document.classification },
    version: {
      number: version.number,
      name: version.name,
      // What the version is now (approved on … by …), then when it was saved.
      standingLine,
      // Rendered by app/documents/content.ts when the version was saved; every text is escaped.
      html: version.content_html,
    },
    approval,
  };
}

export default function VersionPrintView() {
  const { group, document, version, approval } = useLoaderData<typeof loader>();
  const versionPath = `/groups/${group.id}/documents/${document.id}/versions/${version.number}`;
  return (
    <article className="print-view" aria-labelledby="print-title">
      <div className="print-view__tools">
        <button type="button" className="button" onClick={() => window.print()}>
          Print or save as PDF
        </button>
        <Link to={versionPath}>Back to version {version.number}</Link>
      </div>
      <ClassificationMarking classification={document.classification} position="top" />
      <table className="print-view__layout" role="presentation">
        <thead>
          <tr>
            <td className="print-view__spacer" />
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <h1 id="print-title" className="print-view__title">
                {document.title}
              </h1>
              <p className="print-view__subtitle">
                {group.name} · {version.standingLine}
              </p>
              {/* Stored HTML rendered by app/documents/content.ts, which escapes every text and attribute. */}
              <div className="print-text" dangerouslySetInnerHTML={{ __html: version.html }} />
              {approval ? <ApprovalBlock approval={approval} /> : null}
            </td>
          </tr>
        </tbody>
        <tfoot>
          <tr>
            <td className="print-view__spacer" />
          </tr>
        </tfoot>
      </table>
      <ClassificationMarking classification={document.classification} position="bottom" />
    </article>
  );
}
