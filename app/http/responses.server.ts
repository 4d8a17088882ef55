/**
 * How loaders and actions answer with the one error model (app/errors.ts): a loader refuses with
 * `refuse` or `invariantResponse` (the nearest error boundary shows the code's page); an action
 * parses its form with the form's one schema (`parseWithZod`) and answers a command's refusal with
 * `replyWithError`, so the message appears beside its field or above the form with the code's
 * status. Nothing else in the app throws a Response.
 */
import type { Submission, SubmissionResult } from "@conform-to/react";
import { data, redirect } from "@remix-run/node";
import { type AppError, type ErrorBody, isAppError, notFound } from "../errors.js";

/** Stops a loader or action with the error's status; the nearest error boundary shows it. */
export function refuse(error: AppError): never {
  throw data<ErrorBody>({ error: { code: error.code, message: error.message } }, { status: error.status });
}

/** Refuses (404 unless told otherwise) unless `condition` holds; the Epic Stack's `invariantResponse`. */
export function invariantResponse(condition: unknown, error: AppError | (() => AppError) = notFound): asserts condition {
  if (!condition) refuse(typeof error === "function" ? error() : error);
}

/**
 * A form that did not pass its schema: 400, with each message beside its field. `hideFields`
 * (passwords) are not sent back to be filled in again.
 */
export function invalidForm<Schema>(submission: Submission<Schema>, options: { hideFields?: string[] } = {}) {
  return data(submission.reply(options.hideFields ? { hideFields: options.hideFields } : {}), { status: 400 });
}

/**
 * An action's answer to a command that refused. UNAUTHENTICATED, FORBIDDEN and NOT_FOUND are not
 * something the form can fix: they go to the error boundary. Any other refusal comes back to the
 * form with its status: beside the field it names, when the form has that field, or above it.
 * Anything that is not an AppError is a bug, and is rethrown.
 */
export function replyWithError<Schema>(submission: Submission<Schema>, error: unknown, options: { hideFields?: string[] } = {}) {
  if (!isAppError(error)) throw error;
  if (error.code === "UNAUTHENTICATED" || error.code === "FORBIDDEN" || error.code === "NOT_FOUND") refuse(error);
  const onField = error.field !== undefined && Object.hasOwn(submission.payload, error.field);
  const reply: SubmissionResult = submission.reply({
    formErrors: onField ? [] : [error.message],
    fieldErrors: onField ? { [error.field!]: [error.message] } : {},
    ...(options.hideFields ? { hideFields: options.hideFields } : {}),
  });
  return data(reply, { status: error.status });
}

/**
 * After a form that changed something: back to `to` (the same page, by default), so a reload never
 * sends it twice. A page whose script asked to stay (`js=1`, for forms that update in place) gets
 * the successful reply as data instead.
 */
export function afterChange(request: Request, formData: FormData, to: string) {
  if (formData.get("js") === "1") return data({ status: "success" as const, intent: formData.get("intent") });
  return redirect(to);
}
