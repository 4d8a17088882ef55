/**
 * The frame every page of a group shares, drawn once by the group layout (routes/groups.$groupId.tsx):
 * the classification marking at the top and bottom (NZ Protective Security Requirements) when a
 * page shows classified content, and the breadcrumb of the pages above this one. Routes describe
 * themselves in their `handle` (Remix's `handle` + `useMatches()`), so a sub-route holds only its
 * own page:
 *
 *   export const handle: RouteHandle<typeof loader> = {
 *     breadcrumb: (data) => [{ to: `/groups/${data.group.id}`, label: data.group.name }],
 *     classification: (data) => ({ classification: data.document.classification }),
 *   };
 */
import { useLocation, useMatches } from "@remix-run/react";
import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { ClassificationMarking } from "./editor/ClassificationMarking.js";

export interface Crumb {
  to: string;
  label: string;
}

export interface Marking {
  classification: string;
  /** Printed in the same band, like "DRAFT". */
  note?: string;
}

/** What a route tells the frame about itself; `data` is its own loader's data. */
export interface RouteHandle<Loader = unknown> {
  breadcrumb?: (data: LoaderData<Loader>) => Crumb[];
  classification?: (data: LoaderData<Loader>) => Marking | null;
  /** The page draws its own frame (the print view, laid out for paper). */
  ownFrame?: true;
}

// The loader's data as the page receives it (serialised); loose enough for any loader.
type LoaderData<Loader> = Loader extends (...args: never[]) => Promise<infer D> ? D : never;

type FramedMatch = { data: unknown; handle?: RouteHandle<never> };

export function PageFrame({ children }: { children: ReactNode }) {
  const matches = useMatches() as unknown as FramedMatch[];
  const { pathname } = useLocation();
  if (matches.some((match) => match.handle?.ownFrame)) return <>{children}</>;
  const crumbs = matches
    .flatMap((match) => (match.data != null && match.handle?.breadcrumb ? match.handle.breadcrumb(match.data as never) : []))
    // The page itself is named by its heading, not linked above it.
    .filter((crumb) => crumb.to !== pathname);
  let marking: Marking | null = null;
  for (const match of matches) {
    if (match.data != null && match.handle?.classification) marking = match.handle.classification(match.data as never) ?? marking;
  }
  return (
    <>
      {marking ? <ClassificationMarking classification={marking.classification} position="top" note={marking.note} /> : null}
      {crumbs.length > 0 ? (
        <nav aria-label="Breadcrumb" className="breadcrumb">
          <ol>
            {crumbs.map((crumb) => (
              <li key={crumb.to}>
                <Link to={crumb.to}>{crumb.label}</Link>
              </li>
            ))}
          </ol>
        </nav>
      ) : null}
      {children}
      {marking ? <ClassificationMarking classification={marking.classification} position="bottom" note={marking.note} /> : null}
    </>
  );
}
