/**
 * The approval printed at the end of an exported version, in the words both the Word and the
 * print exports use. Pure: shared by the server and the browser bundle.
 */
import { formatNzShortDate } from "../utils/dates.js";

export interface ExportApproval {
  /** When it was approved: an instant (Date or ISO string) or a calendar date "YYYY-MM-DD". */
  approvedOn: Date | string;
  /** Who approved it, as it reads after "Approved by": e.g. "the Lead Minister's office". */
  approvedBy: string;
  /** The approved version's content hash (SHA-256 of its text). */
  hash: string;
}

/** "Approved by the Lead Minister's office on 14 March 2027" */
export function approvalSentence(approval: ExportApproval): string {
  return `Approved by ${approval.approvedBy} on ${formatNzShortDate(approval.approvedOn)}`;
}

/** "Content hash (SHA-256): 3f2a…" */
export function approvalHashLine(approval: ExportApproval): string {
  return `Content hash (SHA-256): ${approval.hash}`;
}
