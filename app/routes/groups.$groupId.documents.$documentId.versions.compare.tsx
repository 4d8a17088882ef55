/**
 * What changed between two versions of a document, or between a version and the current text:
 * a word-level comparison with insertions in <ins> and deletions in <del>. Each change also says
 * in words what it is ("inserted", "deleted") for screen readers, which do not announce <ins>/<del>.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ClassificationMarking } from "../components/editor/ClassificationMarking.js";
import {
  captureCurrentContent,
  diffSummary,
  diffWords,
  findVersion,
  listVersions,
} from "../models/document-versions.server.js";
import { requireReadableDocument } from "../models/documents.server.js";
import editorStyles from "../styles/editor.css";
import { formatNzDateTime } from "../utils/dates.js";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: editorStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Compare versions · ${loaderData?.document.title ?? "Document"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { document, group } = await requireReadableDocument(request, context, params);
  const db = context.services.db;
  const url = new URL(request.url);
  const versions = await listVersions(db, document.id);
  const latest = versions[0]?.number;

  /** A side of the comparison: "current", a version number, or a 404. */
  const side = async (value: string | null, fallback: string) => {
    const chosen = value ?? fallback;
    if (chosen === "current") {
      const content = await captureCurrentContent(context.services.collaboration, document.id);
      return { label: "the current text", text: content.text, value: "current" };
    }
    const number = /^[1-9]\d{0,8}$/.test(chosen) ? Number(chosen) : Number.NaN;
    const version = await findVersion(db, document.id, number);
    if (!version) throw new Response("Not found", { status: 404 });
    return {
      label: `version ${version.number}, “${version.name}” (${formatNzDateTime(version.created_at)})`,
      text: version.content_text,
      value: String(version.number),
    };
  };

  const from = await side(url.searchParams.get("from"), latest ? String(latest) : "current");
  const to = await side(url.searchParams.get("to"), "current");
  const parts = diffWords(from.text, to.text);
  return {
    group,
    document: { id: document.id, title: document.title, classification: document.classification },
    from: { label: from.label, value: from.value },
    to: { label: to.label, value: to.value },
    parts,
    summary: diffSummary(parts),
  };
}

export default function CompareVersions() {
  const { group, document, from, to, parts, summary } = useLoaderData<typeof loader>();
  const base = `/groups/${group.id}/documents/${document.id}`;
  const unchanged = parts.every((part) => part.kind === "equal");

  return (
    <article aria-labelledby="compare-title">
      <ClassificationMarking classification={document.classification} position="top" />
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <Link to={`/groups/${group.id}`}>{group.name}</Link>
          </li>
          <li>
            <Link to={`/groups/${group.id}/documents`}>Documents</Link>
          </li>
          <li>
            <Link to={base}>{document.title}</Link>
          </li>
          <li>
            <Link to={`${base}/versions`}>Version history</Link>
          </li>
        </ol>
      </nav>
      <h1 id="compare-title">What changed</h1>
      <p className="lede">
        From {from.label} to {to.label}.
      </p>
      <p role="status">
        {unchanged
          ? "The text is the same."
          : `${summary.inserted} ${summary.inserted === 1 ? "word" : "words"} inserted and ${summary.deleted} ${summary.deleted === 1 ? "word" : "words"} deleted.`}
      </p>
      {unchanged ? null : (
        <>
          <p className="diff-legend">
            <ins>Inserted text is underlined on green</ins> and <del>deleted text is struck through on red</del>. Screen
            readers announce each change as “inserted” or “deleted”.
          </p>
          <section className="diff document-text-frame" aria-label="Comparison">
            {parts.map((part, index) =>
              part.kind === "equal" ? (
                <span key={index}>{part.text}</span>
              ) : part.kind === "insert" ? (
                <ins key={index}>
                  <span className="visually-hidden">[inserted: </span>
                  {part.text}
                  <span className="visually-hidden">] </span>
                </ins>
              ) : (
                <del key={index}>
                  <span className="visually-hidden">[deleted: </span>
                  {part.text}
                  <span className="visually-hidden">] </span>
                </del>
              ),
            )}
          </section>
        </>
      )}
      <p>
        <Link to={`${base}/versions`}>Back to the version history</Link>
      </p>
      <ClassificationMarking classification={document.classification} position="bottom" />
    </article>
  );
}
