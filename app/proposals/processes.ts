/**
 * The three ways a group decides a proposal (issue 22; docs/decisions/020): consent (no standing
 * objection), consensus (no block, and more agree than disagree) and a majority vote (yes against a
 * threshold of the votes cast or of the eligible seats). What each choice is called, which need a
 * reason, and whether a tally passes. Pure: shared by the models, the pages and the tests.
 */
import type { DecisionProcess, MajorityBase, MajorityThreshold, ProposalOutcome, StanceChoice } from "../../db/database.js";

export type { DecisionProcess, MajorityBase, MajorityThreshold, ProposalOutcome, StanceChoice };

/** Each process's choices, in the order the form lists them. */
export const processChoices: Record<DecisionProcess, readonly StanceChoice[]> = {
  consent: ["consent", "object"],
  consensus: ["agree", "abstain", "disagree", "block"],
  majority: ["yes", "no", "abstain"],
};

/** The choices that stop a proposal on their own, and so need a reason. */
export const choicesNeedingReason: readonly StanceChoice[] = ["object", "block"];

export const choiceLabels: Record<StanceChoice, string> = {
  consent: "Consent",
  object: "Object",
  agree: "Agree",
  abstain: "Abstain",
  disagree: "Disagree",
  block: "Block",
  yes: "Yes",
  no: "No",
};

export const processLabels: Record<DecisionProcess, string> = {
  consent: "Consent (passes with no standing objection)",
  consensus: "Consensus (passes with no block and more agree than disagree)",
  majority: "Majority vote",
};

/** How the minute names the process: "decided by consent". */
export const processNouns: Record<DecisionProcess, string> = { consent: "consent", consensus: "consensus", majority: "majority vote" };

export const thresholdLabels: Record<MajorityThreshold, string> = {
  more_than_half: "more than half",
  two_thirds: "at least two thirds",
  three_quarters: "at least three quarters",
};

export const baseLabels: Record<MajorityBase, string> = {
  votes_cast: "of the votes cast",
  eligible: "of the eligible seats",
};

export function isChoiceOf(process: DecisionProcess, choice: string): choice is StanceChoice {
  return (processChoices[process] as readonly string[]).includes(choice);
}

export function needsReason(choice: StanceChoice): boolean {
  return choicesNeedingReason.includes(choice);
}

/** Counts by choice; a missing choice counts 0. */
export type Tally = Partial<Record<StanceChoice, number>>;

export interface OutcomeInput {
  process: DecisionProcess;
  tally: Tally;
  /** Seats that could take part (conflicted seats excluded). */
  eligibleSeats: number;
  /** Seats that took part. */
  seatsTakingPart: number;
  /** The share (per cent) of eligible seats that must take part; null when the meeting's quorum decides. */
  quorumPercent: number | null;
  /** At a meeting: whether the meeting has its quorum. */
  meetingQuorumMet?: boolean;
  majorityThreshold?: MajorityThreshold | null;
  majorityBase?: MajorityBase | null;
}

const count = (tally: Tally, choice: StanceChoice) => tally[choice] ?? 0;

/** Whether enough seats took part: a share of the eligible seats, rounded up (50% of 7 is 4). */
export function quorumMet(input: Pick<OutcomeInput, "eligibleSeats" | "seatsTakingPart" | "quorumPercent" | "meetingQuorumMet">): boolean {
  if (input.quorumPercent === null) return input.meetingQuorumMet ?? false;
  if (input.seatsTakingPart === 0) return false;
  return input.seatsTakingPart * 100 >= input.quorumPercent * input.eligibleSeats;
}

/** The seats needed for a quorum between meetings. */
export function seatsNeeded(eligibleSeats: number, quorumPercent: number): number {
  return Math.max(1, Math.ceil((eligibleSeats * quorumPercent) / 100));
}

/** Whether `yes` meets the threshold of `base`. */
export function meetsThreshold(yes: number, base: number, threshold: MajorityThreshold): boolean {
  if (base <= 0) return false;
  switch (threshold) {
    case "more_than_half":
      return yes * 2 > base;
    case "two_thirds":
      return yes * 3 >= base * 2;
    case "three_quarters":
      return yes * 4 >= base * 3;
  }
}

/** Whether the tally passes under its process, before the quorum is considered. */
export function tallyPasses(input: OutcomeInput): boolean {
  const { tally } = input;
  switch (input.process) {
    case "consent":
      return count(tally, "object") === 0 && count(tally, "consent") > 0;
    case "consensus":
      return count(tally, "block") === 0 && count(tally, "agree") > count(tally, "disagree");
    case "majority": {
      const threshold = input.majorityThreshold ?? "more_than_half";
      // Abstentions are not votes cast.
      const base = (input.majorityBase ?? "votes_cast") === "eligible" ? input.eligibleSeats : count(tally, "yes") + count(tally, "no");
      return meetsThreshold(count(tally, "yes"), base, threshold);
    }
  }
}

/** Passed, not passed, or no quorum (which is decided first). */
export function proposalOutcome(input: OutcomeInput): ProposalOutcome {
  if (!quorumMet(input)) return "no_quorum";
  return tallyPasses(input) ? "passed" : "not_passed";
}

export const outcomeLabels: Record<ProposalOutcome, string> = { passed: "Passed", not_passed: "Not passed", no_quorum: "No quorum" };

/**
 * What the decision paragraph adds after the resolution: "decided by consent on 8 December 2026
 * (12 of 14 seats took part; no objection)".
 */
export function decidedByLine(input: { process: DecisionProcess; closedOn: string; seatsTakingPart: number; eligibleSeats: number; tally: Tally; showOfHands?: boolean }): string {
  const seats = `${input.seatsTakingPart} of ${input.eligibleSeats} seat${input.eligibleSeats === 1 ? "" : "s"} took part`;
  const how = input.showOfHands ? " by a show of hands" : "";
  return `decided by ${processNouns[input.process]}${how} on ${input.closedOn} (${seats}; ${tallySummary(input.process, input.tally)})`;
}

/** How many hands a show of hands counted, all choices together. */
export function handsTotal(hands: Tally): number {
  return Object.values(hands).reduce((sum, count) => sum + (count ?? 0), 0);
}

/** "no objection", "no block; 5 agree, 1 abstain, 0 disagree", "7 yes, 2 no, 1 abstain". */
export function tallySummary(process: DecisionProcess, tally: Tally): string {
  const listed = (choices: StanceChoice[]) => choices.map((choice) => `${count(tally, choice)} ${choiceLabels[choice].toLowerCase()}`).join(", ");
  switch (process) {
    case "consent": {
      const objections = count(tally, "object");
      return objections === 0 ? "no objection" : `${objections} objection${objections === 1 ? "" : "s"}`;
    }
    case "consensus": {
      const blocks = count(tally, "block");
      return `${blocks === 0 ? "no block" : `${blocks} block${blocks === 1 ? "" : "s"}`}; ${listed(["agree", "abstain", "disagree"])}`;
    }
    case "majority":
      return listed(["yes", "no", "abstain"]);
  }
}
