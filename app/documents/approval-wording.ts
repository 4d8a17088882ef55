/**
 * The approval printed at the end of an exported version, and the line under its title saying
 * what the version is now, in the words both the Word and the print exports use. Pure: shared by
 * the server and the browser bundle.
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

/** Where one version stands with the Lead Minister's office now (a version is submitted at most once). */
export type VersionStanding =
  | { state: "approved"; approval: ExportApproval }
  | { state: "returned"; decidedOn: Date | string; decidedBy: string }
  | { state: "pending"; submittedOn: Date | string }
  | { state: "withdrawn"; withdrawnOn: Date | string }
  | { state: "none" };

/**
 * The line under an exported version's title: what the version is now, then when it was saved.
 * "Version 3: approved on 14 March 2027 by the Lead Minister's office (Alex Morgan). Saved
 * Tuesday 8 December 2026, 10:02 am." A version never submitted keeps its name ("Version 2:
 * Before the hui. Saved …").
 */
export function versionExportLine(version: { number: number; name: string; savedAt: string }, standing: VersionStanding): string {
  const now =
    standing.state === "approved"
      ? `approved on ${formatNzShortDate(standing.approval.approvedOn)} by ${standing.approval.approvedBy}`
      : standing.state === "returned"
        ? `returned on ${formatNzShortDate(standing.decidedOn)} by ${standing.decidedBy}`
        : standing.state === "pending"
          ? `submitted for approval on ${formatNzShortDate(standing.submittedOn)}, waiting for the Lead Minister's office`
          : standing.state === "withdrawn"
            ? `submitted for approval, withdrawn on ${formatNzShortDate(standing.withdrawnOn)}`
            : version.name;
  return `Version ${version.number}: ${now}. Saved ${version.savedAt}.`;
}
