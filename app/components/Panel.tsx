/** A section of a page in its panel, named by its own heading (a level 2 heading with this id). */
import type { ReactNode } from "react";

export function Panel({ headingId, heading, children }: { headingId: string; heading: ReactNode; children: ReactNode }) {
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{heading}</h2>
      {children}
    </section>
  );
}
