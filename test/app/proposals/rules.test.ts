/**
 * The pure rules of proposals (app/proposals/): each process's pass and fail, quorum between
 * meetings, the one-way settings, the line the minute prints, reply-by-email stances and the forms.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import { describe, expect, it } from "vitest";
import { decidedByLine, meetsThreshold, proposalOutcome, quorumMet, seatsNeeded, tallyPasses } from "../../../app/proposals/processes.js";
import { parseReplyStance } from "../../../app/proposals/reply-stance.js";
import { openProposalSchema, proposalPageSchema } from "../../../app/proposals/schemas.js";
import { settingsChangeProblems } from "../../../app/proposals/settings.js";

const base = { eligibleSeats: 6, seatsTakingPart: 6, quorumPercent: 50 };

describe("consent", () => {
  it("passes with consents and no standing objection, and fails on one objection", () => {
    expect(tallyPasses({ ...base, process: "consent", tally: { consent: 5 } })).toBe(true);
    expect(tallyPasses({ ...base, process: "consent", tally: { consent: 5, object: 1 } })).toBe(false);
    expect(tallyPasses({ ...base, process: "consent", tally: {} })).toBe(false);
  });
});

describe("consensus", () => {
  it("passes with no block and more agree than disagree", () => {
    expect(tallyPasses({ ...base, process: "consensus", tally: { agree: 3, abstain: 2, disagree: 1 } })).toBe(true);
    expect(tallyPasses({ ...base, process: "consensus", tally: { agree: 4, block: 1 } })).toBe(false);
    expect(tallyPasses({ ...base, process: "consensus", tally: { agree: 2, disagree: 2 } })).toBe(false);
  });
});

describe("majority vote", () => {
  it("counts the threshold of the votes cast (abstentions are not votes) or of the eligible seats", () => {
    expect(tallyPasses({ ...base, process: "majority", tally: { yes: 3, no: 2, abstain: 1 }, majorityThreshold: "more_than_half", majorityBase: "votes_cast" })).toBe(true);
    expect(tallyPasses({ ...base, process: "majority", tally: { yes: 3, no: 2, abstain: 1 }, majorityThreshold: "more_than_half", majorityBase: "eligible" })).toBe(false);
    expect(tallyPasses({ ...base, process: "majority", tally: { yes: 3, no: 3 }, majorityThreshold: "more_than_half", majorityBase: "votes_cast" })).toBe(false);
  });
  it("reads two thirds and three quarters exactly", () => {
    expect(meetsThreshold(2, 3, "two_thirds")).toBe(true);
    expect(meetsThreshold(3, 5, "two_thirds")).toBe(false);
    expect(meetsThreshold(3, 4, "three_quarters")).toBe(true);
    expect(meetsThreshold(5, 7, "three_quarters")).toBe(false);
    expect(meetsThreshold(0, 0, "more_than_half")).toBe(false);
  });
});

describe("quorum between meetings", () => {
  it("needs the group's share of eligible seats to take part, rounded up", () => {
    expect(seatsNeeded(7, 50)).toBe(4);
    expect(quorumMet({ eligibleSeats: 7, seatsTakingPart: 3, quorumPercent: 50 })).toBe(false);
    expect(quorumMet({ eligibleSeats: 7, seatsTakingPart: 4, quorumPercent: 50 })).toBe(true);
    expect(proposalOutcome({ process: "consent", tally: { consent: 3 }, eligibleSeats: 7, seatsTakingPart: 3, quorumPercent: 50 })).toBe("no_quorum");
    expect(proposalOutcome({ process: "consent", tally: { consent: 4 }, eligibleSeats: 7, seatsTakingPart: 4, quorumPercent: 50 })).toBe("passed");
    expect(proposalOutcome({ process: "consent", tally: { consent: 3, object: 1 }, eligibleSeats: 7, seatsTakingPart: 4, quorumPercent: 50 })).toBe("not_passed");
  });
  it("takes the meeting's quorum at a meeting", () => {
    expect(quorumMet({ eligibleSeats: 7, seatsTakingPart: 2, quorumPercent: null, meetingQuorumMet: true })).toBe(true);
    expect(quorumMet({ eligibleSeats: 7, seatsTakingPart: 7, quorumPercent: null, meetingQuorumMet: false })).toBe(false);
  });
});

describe("the minute's line", () => {
  it("says how, when and how many took part", () => {
    expect(decidedByLine({ process: "consent", closedOn: "14 December 2026", seatsTakingPart: 12, eligibleSeats: 14, tally: { consent: 12 } })).toBe(
      "decided by consent on 14 December 2026 (12 of 14 seats took part; no objection)",
    );
    expect(decidedByLine({ process: "majority", closedOn: "14 December 2026", seatsTakingPart: 5, eligibleSeats: 6, tally: { yes: 4, no: 1 } })).toBe(
      "decided by majority vote on 14 December 2026 (5 of 6 seats took part; 4 yes, 1 no, 0 abstain)",
    );
  });
});

describe("settings change only in the safe direction", () => {
  const now = new Date("2026-12-08T00:00:00Z");
  const current = { closesAt: new Date("2026-12-10T04:00:00Z"), results: "hidden_until_closed" as const, ballot: "named" as const };
  it("moves the closing time later, never earlier", () => {
    expect(settingsChangeProblems(current, { ...current, closesAt: new Date("2026-12-12T04:00:00Z") }, { anyoneTookPart: true, now })).toEqual({});
    expect(settingsChangeProblems(current, { ...current, closesAt: new Date("2026-12-09T04:00:00Z") }, { anyoneTookPart: true, now })).toHaveProperty("closesAt");
  });
  it("never shows hidden results early, and hides visible ones", () => {
    expect(settingsChangeProblems(current, { ...current, results: "visible" }, { anyoneTookPart: false, now })).toHaveProperty("results");
    expect(settingsChangeProblems({ ...current, results: "visible" }, current, { anyoneTookPart: true, now })).toEqual({});
  });
  it("makes a named ballot secret only before anyone took part, and a secret one never named", () => {
    expect(settingsChangeProblems(current, { ...current, ballot: "secret" }, { anyoneTookPart: false, now })).toEqual({});
    expect(settingsChangeProblems(current, { ...current, ballot: "secret" }, { anyoneTookPart: true, now })).toHaveProperty("ballot");
    expect(settingsChangeProblems({ ...current, ballot: "secret" }, current, { anyoneTookPart: false, now })).toHaveProperty("ballot");
  });
});

describe("a reply by email", () => {
  it("counts an unambiguous stance of the proposal's process", () => {
    expect(parseReplyStance("consent", "Consent")).toEqual({ kind: "stance", choice: "consent", reason: null });
    expect(parseReplyStance("consent", "object: the dates are too tight")).toEqual({ kind: "stance", choice: "object", reason: "the dates are too tight" });
    expect(parseReplyStance("consensus", "agree")).toEqual({ kind: "stance", choice: "agree", reason: null });
  });
  it("leaves anything else as a comment", () => {
    expect(parseReplyStance("consent", "object")).toEqual({ kind: "comment" });
    expect(parseReplyStance("consent", "agree")).toEqual({ kind: "comment" });
    expect(parseReplyStance("consent", "I think we should talk about this at the hui")).toEqual({ kind: "comment" });
    expect(parseReplyStance("majority", "")).toEqual({ kind: "comment" });
  });
});

describe("the forms", () => {
  const form = (entries: Record<string, string>) => {
    const data = new FormData();
    for (const [key, value] of Object.entries(entries)) data.set(key, value);
    return data;
  };
  it("asks for a reason with an objection or a block", () => {
    const reply = parseWithZod(form({ intent: "stance", choice: "object" }), { schema: proposalPageSchema });
    expect(reply.status).toBe("error");
    expect(reply.status === "error" && reply.error?.reason).toEqual(["Give your reason for objecting"]);
    expect(parseWithZod(form({ intent: "stance", choice: "object", reason: "Too soon" }), { schema: proposalPageSchema }).status).toBe("success");
  });
  it("opens a proposal with a NZ date and time", () => {
    const reply = parseWithZod(
      form({ title: "Letter to the Minister", verb: "agreed", resolution: "that the chair write to the Minister", process: "consent", closesOn: "14 December 2026", closesTime: "17:00", results: "visible", ballot: "named" }),
      { schema: openProposalSchema },
    );
    expect(reply.status).toBe("success");
    expect(reply.status === "success" && reply.value.closesOn).toBe("2026-12-14");
  });
});
