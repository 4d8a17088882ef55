/** The message that something the person asked for has been done, announced politely (a status). */
import type { ReactNode } from "react";

export function SuccessNotice({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert--success" role="status">
      <p>{children}</p>
    </div>
  );
}
