/**
 * The one schema for a meeting's details as people type them (scheduling and rescheduling): the
 * title, the New Zealand date and start time, the length, the place and the online link. The
 * model checks the rest (a real date, a place or a link, a web address).
 */
import { z } from "zod";

export const MEETING_TITLE_MAX = 200;
export const PLACE_MAX = 300;

export const meetingDetailsSchema = z.object({
  title: z.string().trim().min(1, "Give the meeting a title").max(MEETING_TITLE_MAX, `Keep the title to ${MEETING_TITLE_MAX} characters`),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Enter the date of the meeting"),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Enter the start time, like 10:00"),
  durationMinutes: z.coerce
    .number({ error: "Enter the length in minutes" })
    .int("Enter the length in whole minutes")
    .min(5, "A meeting lasts at least 5 minutes")
    .max(1440, "A meeting lasts at most 24 hours"),
  location: z.string().trim().max(PLACE_MAX, `Keep the place to ${PLACE_MAX} characters`),
  onlineUrl: z.string().trim().max(PLACE_MAX, `Keep the link to ${PLACE_MAX} characters`),
});

export type MeetingDetailsField = keyof z.infer<typeof meetingDetailsSchema>;

/** The first message for each field of a failed parse. */
export function fieldMessages<T extends string>(error: z.ZodError): Partial<Record<T, string>> {
  const messages: Partial<Record<T, string>> = {};
  for (const issue of error.issues) {
    const field = issue.path[0] as T;
    messages[field] ??= issue.message;
  }
  return messages;
}
