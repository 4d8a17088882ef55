/**
 * A reply by email to a proposal's notification (issue 22): "agree", "consent" or
 * "object: <reason>" counts as a stance when it is unambiguous; anything else is left as a
 * comment. The reply's own words arrive with the quoted email already cut (server/email/reply-text.ts).
 */
import type { DecisionProcess, StanceChoice } from "../../db/database.js";
import { isChoiceOf, needsReason } from "./processes.js";

export type ReplyStance = { kind: "stance"; choice: StanceChoice; reason: string | null } | { kind: "comment" };

const synonyms: Record<string, string> = {
  consented: "consent",
  "i consent": "consent",
  objection: "object",
  "i object": "object",
  agreed: "agree",
  "i agree": "agree",
  disagreed: "disagree",
  "i disagree": "disagree",
  blocked: "block",
  "i block": "block",
  abstained: "abstain",
  "i abstain": "abstain",
};

/** The stance a reply gives under `process`, or a comment when it is not one word (and reason) of it. */
export function parseReplyStance(process: DecisionProcess, text: string): ReplyStance {
  const trimmed = text.trim();
  const match = /^([A-Za-z ]{2,20}?)\s*(?:[:\-–—.]\s*([\s\S]*))?$/.exec(trimmed);
  if (!match) return { kind: "comment" };
  const word = match[1]!.trim().toLowerCase();
  const choice = synonyms[word] ?? word;
  if (!isChoiceOf(process, choice)) return { kind: "comment" };
  const reason = match[2]?.trim() || null;
  if (needsReason(choice) && reason === null) return { kind: "comment" };
  if (reason !== null && reason.length > 2000) return { kind: "comment" };
  return { kind: "stance", choice, reason };
}

const replyExamples: Record<DecisionProcess, string> = {
  consent: "“consent”, or “object:” followed by your reason",
  consensus: "“agree”, “abstain”, “disagree”, or “block:” followed by your reason",
  majority: "“yes”, “no” or “abstain”",
};

/** What a proposal email says about answering it by email, for its process. */
export function replyHowTo(process: DecisionProcess): string {
  return `To take part by email, reply with only your stance: ${replyExamples[process]}. Anything else is not counted.`;
}
