/**
 * The approval at the end of the print view of a version: who approved it, when, and the content
 * hash that identifies exactly the text they approved (the Word export writes the same words).
 */
import { type ExportApproval, approvalHashLine, approvalSentence } from "../../documents/approval-wording.js";

/** As loader data carries it: dates as strings. */
export type PrintApproval = ExportApproval & { approvedOn: string };

export function ApprovalBlock({ approval }: { approval: PrintApproval }) {
  return (
    <section className="approval-block" aria-label="Approval">
      <p>
        <strong>{approvalSentence(approval)}</strong>
      </p>
      <p className="approval-block__hash">{approvalHashLine(approval)}</p>
    </section>
  );
}
