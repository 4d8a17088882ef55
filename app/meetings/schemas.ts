/**
 * Every meeting form's one schema (docs/decisions/014), shared by the browser (`useAppForm`) and
 * the actions (`parseWithZod`): scheduling and rescheduling, the meeting page's intents (the
 * agenda, live mode, decisions, the acting chair, confirming earlier minutes), attendance,
 * the minute's classification and confirmation, progress on actions, calendar feeds and the
 * register's search. The messages are the ones people see. What needs the database (is this a
 * member on the day, is the meeting still open) stays with the models.
 */
import * as z from "zod";
import { actionStatuses, attendanceStatuses, classifications, decisionVerbs } from "../../db/database.js";
import { isCalendarDate, parseNzDate } from "../utils/dates.js";
import { nzDate } from "../utils/nz-date-schema.js";
import { liveProposalSchemas } from "../proposals/schemas.js";
import { agendaTemplate } from "./agenda-template.js";

export const MEETING_TITLE_MAX = 200;
export const PLACE_MAX = 300;
export const AGENDA_TITLE_MAX = 200;
export const CANCEL_REASON_MAX = 500;
export const DECISION_BODY_MAX = 4000;
export const DECISION_HEADING_MAX = 200;
export const ACTION_DESCRIPTION_MAX = 1000;
export const ACTION_NOTE_MAX = 1000;
export const CONFLICT_TEXT_MAX = 1000;
export const OFFICIAL_TEXT_MAX = 200;

const unrecognised = "That action is not recognised. Reload the page and try again.";

/** Text the person must give: trimmed, with one message for missing and one for too long. */
const requiredText = (missing: string, max: number, tooLong = missing) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, tooLong);
/** Text that may be left out (an empty field arrives as undefined). */
const optionalText = (max: number, tooLong: string) => z.string().trim().max(max, tooLong).optional();
/** A record's id from a hidden field; the model answers NOT_FOUND for one that is not there. */
const recordId = z.string({ error: "Reload the page and try again." }).max(100);
const optionalId = recordId.optional();
/** Set by the page's script on forms that update in place (`afterChange`). */
const js = z.literal("1").optional();

const isWebAddress = (value: string) => {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
};

// ---- a meeting's details ------------------------------------------------------------------------

const meetingDetailsFields = {
  title: requiredText("Give the meeting a title", MEETING_TITLE_MAX, `Keep the title to ${MEETING_TITLE_MAX} characters`),
  date: nzDate("Enter the date of the meeting, like 8 December 2026"),
  time: z.string({ error: "Enter the start time, like 10:00" }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Enter the start time, like 10:00"),
  durationMinutes: z
    .number({ error: "Enter the length in minutes" })
    .int("Enter the length in whole minutes")
    .min(5, "A meeting lasts at least 5 minutes")
    .max(1440, "A meeting lasts at most 24 hours"),
  location: optionalText(PLACE_MAX, `Keep the place to ${PLACE_MAX} characters`),
  onlineUrl: z
    .string()
    .trim()
    .max(PLACE_MAX, `Keep the link to ${PLACE_MAX} characters`)
    .refine(isWebAddress, "Enter the online meeting link as a full web address starting https://")
    .optional(),
};

/** A meeting happens somewhere: a place, an online link, or both. */
const somewhere = (details: { location?: string; onlineUrl?: string }, context: z.RefinementCtx) => {
  if (!details.location && !details.onlineUrl) {
    context.addIssue({ code: "custom", path: ["location"], message: "Say where the meeting is: a place, an online link, or both" });
  }
};

const optionalOpeners = agendaTemplate.filter((item) => item.optional).map((item) => item.kind) as [string, ...string[]];

/** Scheduling a meeting: its details, the template's openers chosen, and the group's own items, one a line. */
export const scheduleMeetingSchema = z
  .object({
    ...meetingDetailsFields,
    opener: z.array(z.enum(optionalOpeners)).optional(),
    items: z
      .string()
      .max(4000, "Keep the list of items shorter")
      .transform((text) =>
        text
          .split("\n")
          .map((line) => line.trim())
          .filter((line) => line.length > 0),
      )
      .refine((lines) => lines.every((line) => line.length <= AGENDA_TITLE_MAX), `Agenda items need a title of 1 to ${AGENDA_TITLE_MAX} characters`)
      .optional(),
  })
  .superRefine(somewhere);

export const rescheduleMeetingSchema = z.object({ intent: z.literal("reschedule"), ...meetingDetailsFields }).superRefine(somewhere);

export const cancelMeetingSchema = z.object({
  intent: z.literal("cancel"),
  reason: requiredText(`Give a reason of 1 to ${CANCEL_REASON_MAX} characters`, CANCEL_REASON_MAX),
});

/** Rescheduling and cancelling, on the meeting's edit page. */
export const editMeetingSchema = z.discriminatedUnion("intent", [rescheduleMeetingSchema, cancelMeetingSchema], { error: unrecognised });

// ---- the meeting page ---------------------------------------------------------------------------

const agendaItemFields = {
  title: requiredText(`Give the item a title of 1 to ${AGENDA_TITLE_MAX} characters`, AGENDA_TITLE_MAX),
  presenter: optionalText(200, "Keep the presenter's name to 200 characters"),
  minutesAllotted: z
    .number({ error: "Time allotted is a whole number of minutes from 1 to 600" })
    .int("Time allotted is a whole number of minutes from 1 to 600")
    .min(1, "Time allotted is a whole number of minutes from 1 to 600")
    .max(600, "Time allotted is a whole number of minutes from 1 to 600")
    .optional(),
  paperId: z.array(recordId).max(50).optional(),
};

export const addAgendaItemSchema = z.object({ intent: z.literal("agenda.add"), ...agendaItemFields });
export const updateAgendaItemSchema = z.object({ intent: z.literal("agenda.update"), itemId: recordId, ...agendaItemFields });

const decisionText = {
  verb: z.enum(decisionVerbs, { error: "Choose a verb from the list" }).optional(),
  body: requiredText("Write the decision", DECISION_BODY_MAX, `Keep the decision to ${DECISION_BODY_MAX} characters`),
  heading: optionalText(DECISION_HEADING_MAX, `Keep the heading to ${DECISION_HEADING_MAX} characters`),
};

/** A decision's action rows as they were filled in: rows left empty are dropped. */
function actionRows(input: { actionDescription?: (string | undefined)[]; actionOwner?: (string | undefined)[]; actionDue?: (string | undefined)[] }) {
  const owners = input.actionOwner ?? [];
  const dues = input.actionDue ?? [];
  return (input.actionDescription ?? [])
    // A due date typed as people write dates ("26 February 2027"), kept as "YYYY-MM-DD"; one that does not read as a date stays as typed, and is refused.
    .map((description, index) => ({ description: (description ?? "").trim(), owner: owners[index] ?? "", dueOn: parseNzDate(dues[index] ?? "") ?? (dues[index] ?? "").trim() }))
    .filter((row) => row.description !== "" || row.owner !== "" || row.dueOn !== "");
}

/**
 * Recording a decision: the paragraph, and (for a verb that sends someone off) its actions, one
 * row each of "what", "owner" (`user:<id>` or `org:<id>`) and "due" (`decisionActions` reads them).
 */
export const recordDecisionSchema = z
  .object({
    intent: z.literal("decision.record"),
    js,
    parentId: optionalId,
    agendaItemId: optionalId,
    correctsDecisionId: optionalId,
    ...decisionText,
    // A row's empty fields arrive as undefined (Conform strips empty text).
    actionDescription: z.array(z.string().max(ACTION_DESCRIPTION_MAX + 100).optional()).max(10).optional(),
    actionOwner: z.array(z.string().max(100).optional()).max(10).optional(),
    actionDue: z.array(z.string().max(20).optional()).max(10).optional(),
  })
  .superRefine((input, context) => {
    actionRows(input).forEach((row, index) => {
      const problem =
        row.description.length === 0 || row.description.length > ACTION_DESCRIPTION_MAX
          ? `Describe action ${index + 1} (up to ${ACTION_DESCRIPTION_MAX} characters)`
          : !/^(user|org):/.test(row.owner)
            ? `Choose who owns action ${index + 1}: a member or an organisation`
            : !isCalendarDate(row.dueOn)
              ? `Give action ${index + 1} a due date, like 26 February 2027`
              : null;
      if (problem) context.addIssue({ code: "custom", path: ["actions"], message: problem });
    });
  });

/** The decision a valid `recordDecisionSchema` form records, with its actions. */
export function decisionToRecord(input: z.output<typeof recordDecisionSchema>) {
  return {
    parentId: input.parentId ?? null,
    agendaItemId: input.agendaItemId ?? null,
    correctsDecisionId: input.correctsDecisionId ?? null,
    verb: input.verb ?? null,
    body: input.body,
    heading: input.parentId ? null : (input.heading ?? null),
    actions: actionRows(input).map((row) => ({
      description: row.description,
      ownerUserId: row.owner.startsWith("user:") ? row.owner.slice(5) : null,
      ownerOrganisationId: row.owner.startsWith("org:") ? row.owner.slice(4) : null,
      dueOn: row.dueOn,
    })),
  };
}

export const updateDecisionSchema = z.object({ intent: z.literal("decision.update"), decisionId: recordId, ...decisionText });

export const setActingChairSchema = z.object({ intent: z.literal("chair.set"), actingChairUserId: optionalId });

/** The buttons of the page: live mode, the agenda's order, removing things, confirming earlier minutes. */
/** `offSchedule=confirmed`: the chair has seen that it is far from the scheduled time and starts it anyway. */
export const startMeetingSchema = z.object({ intent: z.literal("live.start"), offSchedule: z.literal("confirmed").optional() });
export const moveToItemSchema = z.object({ intent: z.literal("live.move"), itemId: recordId });
export const endMeetingSchema = z.object({ intent: z.literal("live.end") });
export const removeAgendaItemSchema = z.object({ intent: z.literal("agenda.remove"), itemId: recordId });
export const moveAgendaItemSchema = z.object({
  intent: z.literal("agenda.move"),
  js,
  itemId: recordId,
  toPosition: z.number({ error: "Choose a position on the agenda" }).int("Choose a position on the agenda"),
});
export const deleteDecisionSchema = z.object({ intent: z.literal("decision.delete"), decisionId: recordId });
export const confirmPreviousMinutesSchema = z.object({ intent: z.literal("minutes.confirmPrevious"), previousMeetingId: recordId });

/** Everything the meeting page's forms send, told apart by their `intent`. */
export const meetingPageSchema = z.discriminatedUnion(
  "intent",
  [
    startMeetingSchema,
    moveToItemSchema,
    endMeetingSchema,
    addAgendaItemSchema,
    updateAgendaItemSchema,
    removeAgendaItemSchema,
    moveAgendaItemSchema,
    recordDecisionSchema,
    updateDecisionSchema,
    deleteDecisionSchema,
    setActingChairSchema,
    confirmPreviousMinutesSchema,
    // Proposals at the meeting, from its Now panel (app/proposals/schemas.ts).
    ...liveProposalSchemas,
  ],
  { error: unrecognised },
);

export type MeetingPageIntent = z.output<typeof meetingPageSchema>["intent"];

// ---- attendance ---------------------------------------------------------------------------------

type AttendanceStatus = (typeof attendanceStatuses)[number];
const isAttendanceStatus = (value: unknown): value is AttendanceStatus => (attendanceStatuses as readonly unknown[]).includes(value);
const statusFields = (input: Record<string, unknown>) => Object.entries(input).filter(([name]) => name.startsWith("status-"));

/** One radio group per member, named `status-<membershipId>` (`attendanceEntries` reads them). */
export const recordAttendanceSchema = z
  .object({ intent: z.literal("attendance.record") })
  .catchall(z.unknown())
  .superRefine((input, context) => {
    if (statusFields(input).some(([, value]) => !isAttendanceStatus(value))) {
      context.addIssue({ code: "custom", path: ["attendance"], message: "Choose present, apologies or absent for each member" });
    }
  });

/** Each member's attendance as a valid `recordAttendanceSchema` form gives it. */
export function attendanceEntries(input: z.output<typeof recordAttendanceSchema>) {
  return statusFields(input).map(([name, value]) => ({ membershipId: name.slice("status-".length), status: value as AttendanceStatus }));
}

export const addOfficialSchema = z.object({
  intent: z.literal("official.add"),
  name: requiredText(`Enter the official's name (up to ${OFFICIAL_TEXT_MAX} characters)`, OFFICIAL_TEXT_MAX),
  agency: requiredText(`Enter the official's agency (up to ${OFFICIAL_TEXT_MAX} characters)`, OFFICIAL_TEXT_MAX),
});

export const declareConflictSchema = z.object({
  intent: z.literal("conflict.declare"),
  membershipId: z.string({ error: "Choose who declared the interest from the meeting's members" }).max(100),
  agendaItemId: optionalId,
  interest: requiredText(`Describe the interest (up to ${CONFLICT_TEXT_MAX} characters)`, CONFLICT_TEXT_MAX),
  management: requiredText(`Say how the conflict was managed (up to ${CONFLICT_TEXT_MAX} characters)`, CONFLICT_TEXT_MAX),
});

export const attendancePageSchema = z.discriminatedUnion(
  "intent",
  [
    recordAttendanceSchema,
    addOfficialSchema,
    z.object({ intent: z.literal("official.remove"), officialId: recordId }),
    declareConflictSchema,
    z.object({ intent: z.literal("conflict.remove"), conflictId: recordId }),
  ],
  { error: unrecognised },
);

// ---- the minute ---------------------------------------------------------------------------------

export const classifyMinutesSchema = z.object({
  intent: z.literal("classify"),
  classification: z.enum(classifications, { error: "Choose UNCLASSIFIED, IN-CONFIDENCE or SENSITIVE: this platform holds nothing higher" }),
});

export const minutesPageSchema = z.discriminatedUnion("intent", [z.object({ intent: z.literal("confirm") }), classifyMinutesSchema], { error: unrecognised });

// ---- actions, calendar feeds, the register -------------------------------------------------------

export const actionProgressSchema = z.object({
  actionId: recordId,
  status: z.enum(actionStatuses, { error: "Choose the action's status" }),
  note: optionalText(ACTION_NOTE_MAX, `Keep the note to ${ACTION_NOTE_MAX} characters`),
});

export const calendarFeedSchema = z.discriminatedUnion("intent", [z.object({ intent: z.literal("feed.create") }), z.object({ intent: z.literal("feed.revoke") })], {
  error: unrecognised,
});

/** The register's search (a GET form): anything it does not understand is left out, never refused. */
export const registerSearchSchema = z.object({
  words: z.string().trim().max(200).catch("").default(""),
  verb: z.enum(decisionVerbs).nullable().catch(null).default(null),
  from: z.string().transform((text) => parseNzDate(text)).nullable().catch(null).default(null),
  to: z.string().transform((text) => parseNzDate(text)).nullable().catch(null).default(null),
  reference: z.string().trim().max(40).catch("").default(""),
  confirmed: z.literal("1").optional().catch(undefined),
  picker: z.literal("1").optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1000).catch(1).default(1),
});
