/**
 * What changed between two versions of a document, or between a version and the current text:
 * a word-level comparison (app/components/diff/WordDiff.tsx).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { WordDiff } from "../components/diff/WordDiff.js";
import { diffSummary, diffWords } from "../documents/word-diff.js";
import { notFound } from "../errors.js";
import { parseVersionNumber, requireDocumentHistory } from "../http/require-document.server.js";
import { invariantResponse } from "../http/responses.server.js";
import { captureCurrentContent, findVersion, listVersions } from "../models/document-versions.server.js";
import { formatNzDateTime } from "../utils/dates.js";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Compare versions · ${loaderData?.document.title ?? "Document"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { document, group } = await requireDocumentHistory(request, context, params);
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
    const version = await findVersion(db, document.id, parseVersionNumber(chosen));
    invariantResponse(version, notFound);
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
    document: { id: document.id, title: document.title },
    from: { label: from.label, value: from.value },
    to: { label: to.label, value: to.value },
    parts,
    summary: diffSummary(parts),
  };
}

export default function CompareVersions() {
  const { group, document, from, to, parts, summary } = useLoaderData<typeof loader>();
  const base = `/groups/${group.id}/documents/${document.id}`;

  return (
    <article aria-labelledby="compare-title">
      <h1 id="compare-title">What changed</h1>
      <p className="lede">
        From {from.label} to {to.label}.
      </p>
      <WordDiff parts={parts} summary={summary} />
      <p>
        <Link to={`${base}/versions`}>Back to the version history</Link>
      </p>
    </article>
  );
}
