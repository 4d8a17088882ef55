/**
 * How the meeting pages answer a refused command (until they move to the shared form replies of
 * responses.server.ts): the message, the field it is about, and the code's status.
 */
import { data } from "@remix-run/node";
import { AppError } from "../errors.js";

/** What a meeting form shows after a refusal: a message, and the field it is about. */
export interface MeetingFormError {
  intent: string;
  formError: string;
  field: string | null;
}

/**
 * Turns a MeetingError from a command into the action's answer (400 with the field, 403, 404 or
 * 409 with a message the page shows); anything else is not ours to explain and is rethrown.
 */
export function meetingErrorResponse(error: unknown, intent: string) {
  if (!(error instanceof AppError)) throw error;
  return data<MeetingFormError>({ intent, formError: error.message, field: error.field ?? null }, { status: error.status });
}
