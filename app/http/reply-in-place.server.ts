/**
 * The answer to a refused command from a form that updates in place (its script sent `js=1`
 * through a fetcher, like the agenda's reorder and the decision form): whatever the code, the
 * refusal comes back to the component as the form's reply, with the code's status, so the person
 * sees why beside the form instead of losing the page. Without JavaScript it is the usual answer
 * (`replyWithError`: the error page for FORBIDDEN and NOT_FOUND, the form's reply otherwise).
 */
import type { Submission } from "@conform-to/react";
import { data } from "@remix-run/node";
import { isAppError } from "../errors.js";
import { replyWithError } from "./responses.server.js";

export function replyInPlace<Schema>(formData: FormData, submission: Submission<Schema>, error: unknown) {
  if (formData.get("js") !== "1") return replyWithError(submission, error);
  if (!isAppError(error)) throw error;
  const onField = error.field !== undefined && Object.hasOwn(submission.payload, error.field);
  return data(
    submission.reply(onField ? { fieldErrors: { [error.field!]: [error.message] } } : { formErrors: [error.message] }),
    { status: error.status },
  );
}
