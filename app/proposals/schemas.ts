/**
 * Every proposal form's one schema (docs/decisions/014), shared by the browser and the actions:
 * opening a proposal, and the proposal page's intents (taking part, changing its settings,
 * closing it early). The messages are the ones people see; what needs the database (who holds a
 * seat, whether it is still open) stays with the models.
 */
import * as z from "zod";
import { decisionProcesses, majorityBases, majorityThresholds } from "../../db/database.js";
import { nzDate } from "../utils/nz-date-schema.js";
import { choicesNeedingReason } from "./processes.js";

export const PROPOSAL_TITLE_MAX = 200;
/** The decision paragraph adds the line saying how it was decided; the paragraph holds 4000. */
export const RESOLUTION_MAX = 3800;
export const BACKGROUND_MAX = 10_000;
export const REASON_MAX = 2000;
export const INTEREST_MAX = 1000;

/** The verbs a proposal's resolution may open with ("confirmed" is kept for confirming minutes). */
export const proposalVerbs = ["agreed", "noted", "directed", "invited", "authorised", "approved", "declined", "endorsed", "requested", "recommended"] as const;

const unrecognised = "That action is not recognised. Reload the page and try again.";
const requiredText = (missing: string, max: number, tooLong = missing) => z.string({ error: missing }).trim().min(1, missing).max(max, tooLong);
const recordId = z.string({ error: "Reload the page and try again." }).max(100);
const clockTime = z.string({ error: "Enter the closing time, like 17:00" }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Enter the closing time, like 17:00");

const closingFields = {
  closesOn: nzDate("Enter the closing date, like 14 December 2026"),
  closesTime: clockTime,
  results: z.enum(["visible", "hidden_until_closed"], { error: "Choose when results are shown" }),
  ballot: z.enum(["named", "secret"], { error: "Choose a named or a secret ballot" }),
};

/** Opening a proposal: what is put, how it is decided, and until when. */
export const openProposalSchema = z
  .object({
    title: requiredText(`Give the proposal a title of 1 to ${PROPOSAL_TITLE_MAX} characters`, PROPOSAL_TITLE_MAX),
    verb: z.enum(proposalVerbs, { error: "Choose the verb the decision opens with" }),
    resolution: requiredText("Write the resolution, as the minute will record it", RESOLUTION_MAX, `Keep the resolution to ${RESOLUTION_MAX} characters`),
    background: z.string().trim().max(BACKGROUND_MAX, `Keep the background to ${BACKGROUND_MAX} characters`).optional(),
    process: z.enum(decisionProcesses, { error: "Choose how it is decided" }),
    majorityThreshold: z.enum(majorityThresholds, { error: "Choose the threshold" }).optional(),
    majorityBase: z.enum(majorityBases, { error: "Choose what the threshold counts" }).optional(),
    documentVersionId: recordId.optional(),
    conflictMembershipId: recordId.optional(),
    conflictInterest: z.string().trim().max(INTEREST_MAX, `Keep the interest to ${INTEREST_MAX} characters`).optional(),
    ...closingFields,
  })
  .superRefine((value, context) => {
    if (value.conflictMembershipId && !value.conflictInterest) {
      context.addIssue({ code: "custom", path: ["conflictInterest"], message: "Say what the member's interest is" });
    }
  });

/** Taking part, or changing one's stance. */
export const stanceSchema = z
  .object({
    intent: z.literal("stance"),
    choice: z.enum(["consent", "object", "agree", "abstain", "disagree", "block", "yes", "no"], { error: "Choose your stance" }),
    reason: z.string().trim().max(REASON_MAX, `Keep your reason to ${REASON_MAX} characters`).optional(),
  })
  .superRefine((value, context) => {
    if ((choicesNeedingReason as readonly string[]).includes(value.choice) && !value.reason) {
      context.addIssue({ code: "custom", path: ["reason"], message: value.choice === "block" ? "Give your reason for blocking" : "Give your reason for objecting" });
    }
  });

export const proposalSettingsSchema = z.object({ intent: z.literal("settings"), ...closingFields });
export const closeProposalSchema = z.object({ intent: z.literal("close") });

// ---- at a meeting (the live meeting page's Now panel; docs/decisions/021) ---------------------

/** A proposal opened live has no actions to fill in, so its verb is not one that sends someone off. */
export const liveProposalVerbs = ["agreed", "noted", "authorised", "approved", "declined", "endorsed", "recommended"] as const;

const handCount = z
  .number({ error: "Each count is a whole number, 0 or more" })
  .int("Each count is a whole number, 0 or more")
  .min(0, "Each count is a whole number, 0 or more")
  .max(1000, "Each count is a whole number, 0 or more")
  .optional();

/** The chair opens a proposal under the item the meeting is on, and puts it live. */
export const openLiveProposalSchema = z.object({
  intent: z.literal("proposal.openLive"),
  title: requiredText(`Give the proposal a title of 1 to ${PROPOSAL_TITLE_MAX} characters`, PROPOSAL_TITLE_MAX),
  verb: z.enum(liveProposalVerbs, { error: "Choose the verb the decision opens with" }),
  resolution: requiredText("Write the resolution, as the minute will record it", RESOLUTION_MAX, `Keep the resolution to ${RESOLUTION_MAX} characters`),
  process: z.enum(decisionProcesses, { error: "Choose how it is decided" }),
  majorityThreshold: z.enum(majorityThresholds, { error: "Choose the threshold" }).optional(),
  majorityBase: z.enum(majorityBases, { error: "Choose what the threshold counts" }).optional(),
});
export const putProposalLiveSchema = z.object({ intent: z.literal("proposal.putLive"), proposalId: recordId });
/** A member present takes part from the Now panel. */
export const liveStanceSchema = z
  .object({
    intent: z.literal("proposal.stance"),
    proposalId: recordId,
    choice: z.enum(["consent", "object", "agree", "abstain", "disagree", "block", "yes", "no"], { error: "Choose your stance" }),
    reason: z.string().trim().max(REASON_MAX, `Keep your reason to ${REASON_MAX} characters`).optional(),
  })
  .superRefine((value, context) => {
    if ((choicesNeedingReason as readonly string[]).includes(value.choice) && !value.reason) {
      context.addIssue({ code: "custom", path: ["reason"], message: value.choice === "block" ? "Give your reason for blocking" : "Give your reason for objecting" });
    }
  });
/** The show of hands: a number for each choice (`hands.consent`, `hands.object`, …), no names. */
export const showOfHandsSchema = z.object({
  intent: z.literal("proposal.hands"),
  proposalId: recordId,
  hands: z
    .object({ consent: handCount, object: handCount, agree: handCount, abstain: handCount, disagree: handCount, block: handCount, yes: handCount, no: handCount }, { error: "Give a count for each choice" })
    .strict(),
});
export const closeLiveVoteSchema = z.object({ intent: z.literal("proposal.closeLive"), proposalId: recordId });

/** The meeting page's proposal intents (app/meetings/schemas.ts lists them in its union). */
export const liveProposalSchemas = [openLiveProposalSchema, putProposalLiveSchema, liveStanceSchema, showOfHandsSchema, closeLiveVoteSchema] as const;

export const proposalPageSchema = z.discriminatedUnion("intent", [stanceSchema, proposalSettingsSchema, closeProposalSchema], { error: unrecognised });
