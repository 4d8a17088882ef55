/**
 * Holds a wide table so that on a narrow screen the table scrolls sideways inside its own region
 * and the page itself never does. The region is named and can take focus, so a keyboard user can
 * scroll it with the arrow keys (WCAG 2.1.1, axe's scrollable-region-focusable).
 */
import type { ReactNode } from "react";

export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
