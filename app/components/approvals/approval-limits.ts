/** Limits shared by the approval forms (browser) and app/models/approvals.server.ts. */

/** Longest cover note or statement of reasons, in characters. */
export const APPROVAL_TEXT_MAX = 2000;
