/**
 * The layout of a document's pages (its editor, versions, comparisons, approvals, consultation):
 * it lets through only someone who may read the document (404 otherwise, as if it did not exist),
 * names it in the breadcrumb, marks every page with the document's classification and brings the
 * editor's styles.
 * The page a consultee sees after their consultation closed is outside it
 * (groups.$groupId.documents.$documentId_.consultation.closed.tsx).
 */
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useParams } from "@remix-run/react";
import { ErrorPage } from "../components/ErrorPage.js";
import type { RouteHandle } from "../components/PageFrame.js";
import { requireReadableDocument } from "../http/require-document.server.js";
import editorStyles from "../styles/editor.css";

/** Every page of a document shows document text or its forms: the editor's styles are theirs. */
export const links: LinksFunction = () => [{ rel: "stylesheet", href: editorStyles }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { document, group } = await requireReadableDocument(request, context, params);
  return { group: { id: group.id }, document: { id: document.id, title: document.title, classification: document.classification } };
}

export const handle: RouteHandle<typeof loader> = {
  breadcrumb: (data) => [
    { to: `/groups/${data.group.id}/documents`, label: "Documents" },
    { to: `/groups/${data.group.id}/documents/${data.document.id}`, label: data.document.title },
  ],
  classification: (data) => ({ classification: data.document.classification }),
};

export default function DocumentLayout() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const { groupId } = useParams();
  return <ErrorPage back={groupId ? { to: `/groups/${groupId}/documents`, label: "Back to the group's documents" } : undefined} />;
}
