/**
 * The meeting forms' rules (app/meetings/schemas.ts), as the browser and the actions both apply
 * them: each refusal names the field it is about with the message people see.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  attendanceEntries,
  attendancePageSchema,
  decisionToRecord,
  editMeetingSchema,
  meetingPageSchema,
  minutesPageSchema,
  registerSearchSchema,
  scheduleMeetingSchema,
} from "../../../app/meetings/schemas.js";

const form = (fields: Record<string, string | string[]>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) data.append(name, one);
  return data;
};
/** The messages a form's reply shows, by field. */
function errorsOf(schema: z.ZodType, fields: Record<string, string | string[]>) {
  const submission = parseWithZod(form(fields), { schema });
  return submission.status === "success" ? {} : (submission.error ?? {});
}
const details = { title: "Hui", date: "2027-03-02", time: "10:00", durationMinutes: "60", location: "Wellington" };

describe("the meeting forms' schemas", () => {
  it("needs a place or an online link, and a link that is a web address", () => {
    expect(errorsOf(scheduleMeetingSchema, { ...details, location: "" }).location).toEqual(["Say where the meeting is: a place, an online link, or both"]);
    expect(errorsOf(scheduleMeetingSchema, { ...details, onlineUrl: "javascript:alert(1)" }).onlineUrl).toEqual([
      "Enter the online meeting link as a full web address starting https://",
    ]);
    expect(errorsOf(scheduleMeetingSchema, { ...details, location: "", onlineUrl: "https://meet.example.org/hui" })).toEqual({});
  });

  it("answers a missing title, a time that is not one and a date that does not exist beside each field", () => {
    const errors = errorsOf(scheduleMeetingSchema, { ...details, title: " ", time: "25:00", date: "2027-02-30" });
    expect(errors.title).toEqual(["Give the meeting a title"]);
    expect(errors.time).toEqual(["Enter the start time, like 10:00"]);
    expect(errors.date).toEqual(["Enter the date of the meeting, like 8 December 2026"]);
  });

  it("takes the meeting's date as people write it, and keeps it as YYYY-MM-DD", () => {
    for (const typed of ["15 December 2026", "15 Dec 2026", "15/12/2026", "2026-12-15"]) {
      const submission = parseWithZod(form({ ...details, date: typed }), { schema: scheduleMeetingSchema });
      expect(submission.status === "success" && submission.value.date).toBe("2026-12-15");
    }
  });

  it("needs a reason to cancel a meeting", () => {
    expect(errorsOf(editMeetingSchema, { intent: "cancel", reason: " " }).reason).toEqual(["Give a reason of 1 to 500 characters"]);
  });

  it("tells the meeting page's intents apart, and refuses one it does not know", () => {
    expect(errorsOf(meetingPageSchema, { intent: "live.start" })).toEqual({});
    expect(errorsOf(meetingPageSchema, { intent: "live.restart" }).intent).toEqual(["That action is not recognised. Reload the page and try again."]);
    expect(errorsOf(meetingPageSchema, { intent: "decision.record", verb: "noted", body: "  " }).body).toEqual(["Write the decision"]);
    expect(errorsOf(meetingPageSchema, { intent: "decision.record", verb: "decreed", body: "x" }).verb).toEqual(["Choose a verb from the list"]);
  });

  it("turns a decision's action rows into actions, and refuses a due date that does not exist", () => {
    const row = { intent: "decision.record", verb: "requested", body: "a report", actionDescription: ["Bad date", ""], actionOwner: ["user:x", ""], actionDue: ["2029-02-30", ""] };
    expect(errorsOf(meetingPageSchema, row).actions).toEqual(["Give action 1 a due date, like 26 February 2027"]);
    expect(errorsOf(meetingPageSchema, { ...row, actionDue: ["1 March 2029", ""] })).toEqual({});
    const submission = parseWithZod(form({ ...row, actionDue: ["2029-03-01", ""] }), { schema: meetingPageSchema });
    expect(submission.status === "success" && submission.value.intent === "decision.record" && decisionToRecord(submission.value).actions).toEqual([
      { description: "Bad date", ownerUserId: "x", ownerOrganisationId: null, dueOn: "2029-03-01" },
    ]);
  });

  it("reads attendance from one choice per member, and refuses any other choice", () => {
    const submission = parseWithZod(form({ intent: "attendance.record", "status-a": "present", "status-b": "apologies" }), { schema: attendancePageSchema });
    expect(submission.status === "success" && submission.value.intent === "attendance.record" && attendanceEntries(submission.value)).toEqual([
      { membershipId: "a", status: "present" },
      { membershipId: "b", status: "apologies" },
    ]);
    expect(errorsOf(attendancePageSchema, { intent: "attendance.record", "status-a": "asleep" }).attendance).toEqual([
      "Choose present, apologies or absent for each member",
    ]);
  });

  it("holds nothing above SENSITIVE", () => {
    expect(errorsOf(minutesPageSchema, { intent: "classify", classification: "SECRET" }).classification).toEqual([
      "Choose UNCLASSIFIED, IN-CONFIDENCE or SENSITIVE: this platform holds nothing higher",
    ]);
  });

  it("leaves out what the register's search does not understand rather than failing", () => {
    expect(registerSearchSchema.parse({ verb: "decreed", from: "2031-02-30", page: "x", words: " whanau " })).toMatchObject({
      verb: null,
      from: null,
      page: 1,
      words: "whanau",
    });
  });

  it("takes the register's dates as people write them", () => {
    expect(registerSearchSchema.parse({ from: "1 December 2026", to: "8/12/2026" })).toMatchObject({ from: "2026-12-01", to: "2026-12-08" });
  });
});
