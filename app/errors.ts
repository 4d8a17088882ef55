/**
 * The one error model (docs/decisions/014-one-error-model-and-one-form-pattern.md): every refusal
 * the product gives has a stable code, and each code one HTTP status. Models throw `AppError`s made
 * by the factories below; loaders refuse with `refuse`/`invariantResponse`, actions turn an
 * `AppError` into a form reply (app/http/responses.server.ts); Socket.io acknowledgements and
 * websocket close reasons carry the same codes; error boundaries read them to say something
 * helpful (app/components/ErrorPage.tsx).
 *
 * Shared with the browser: no server imports here.
 */

/** Every code, with its HTTP status. A code names what happened, never how to show it. */
export const errorStatuses = {
  // Who is asking, and may they.
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  FORBIDDEN_ORIGIN: 403,
  /** Signed in as someone other than the person an invitation is for. */
  WRONG_ACCOUNT: 403,
  NOT_FOUND: 404,
  // What was sent.
  BAD_REQUEST: 400,
  INVALID_INPUT: 400,
  END_BEFORE_START: 400,
  SAME_ROLE: 400,
  // A name or code another record already has: the field must change.
  DUPLICATE_NAME: 400,
  DUPLICATE_CODE: 400,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  // The state of the thing does not allow it (409): the same request may work later, or never.
  DOCUMENT_LOCKED: 409,
  ALREADY_ARCHIVED: 409,
  DOCUMENT_TOO_LARGE: 409,
  SUBMISSION_PENDING: 409,
  SUBMISSION_NOT_PENDING: 409,
  SUBMISSION_CHANGED: 409,
  CONSULTATION_ALREADY_OPEN: 409,
  CONSULTATION_CLOSED: 409,
  MEETING_CANCELLED: 409,
  MEETING_NOT_SCHEDULED: 409,
  MEETING_NOT_IN_PROGRESS: 409,
  MEETING_NOT_STARTED: 409,
  // Starting far from the scheduled time: the chair confirms, having seen both times.
  MEETING_OFF_SCHEDULE: 409,
  MINUTES_CONFIRMED: 409,
  PROPOSAL_CLOSED: 409,
  /** The seat's member or their alternate already took part for it. */
  SEAT_TAKEN_PART: 409,
  /** A secret ballot is cast once. */
  BALLOT_CAST: 409,
  /** Closing early waits until every eligible seat has taken part. */
  NOT_EVERYONE_TOOK_PART: 409,
  /** At a meeting, one proposal is live at a time. */
  PROPOSAL_LIVE: 409,
  /** The vote of a live proposal was taken by a show of hands: no more stances from devices. */
  SHOW_OF_HANDS_RECORDED: 409,
  AGENDA_ITEM_IN_USE: 409,
  ALREADY_ENDED: 409,
  CHANGE_ON_START_DAY: 409,
  NOT_CURRENT: 409,
  ALREADY_MEMBER: 409,
  CANNOT_DISABLE_SELF: 409,
  INVITATION_EXPIRED: 409,
  INVITATION_USED: 409,
  INVITATION_REVOKED: 409,
  /** The invited email already has an account with a password: sign in and join instead. */
  ACCOUNT_EXISTS: 409,
  CONFLICT: 409,
  // Ours.
  UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof errorStatuses;
export type ErrorStatus = (typeof errorStatuses)[ErrorCode];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(errorStatuses, value);
}

/** A refusal: its code, a sentence for the person, and (for input errors) the form field it is about. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The form field the message belongs to, when it is about one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): ErrorStatus {
    return errorStatuses[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

// ---- factories ----------------------------------------------------------------------------------

export const notFound = (message = "There is nothing here, or you may not see it.") => new AppError("NOT_FOUND", message);

export const forbidden = (message = "Your role does not allow this.") => new AppError("FORBIDDEN", message);

export const unauthenticated = (message = "Please sign in.") => new AppError("UNAUTHENTICATED", message);

/** Input the rules refuse; `field` names the form field the message is shown beside. */
export const invalidInput = (message: string, field?: string) => new AppError("INVALID_INPUT", message, field);

/** The thing's state does not allow it (409), with the code that says which state. */
export const conflict = (code: Extract<ErrorCode, keyof ConflictCodes>, message: string, field?: string) =>
  new AppError(code, message, field);

type ConflictCodes = { [C in ErrorCode as (typeof errorStatuses)[C] extends 409 ? C : never]: true };

/** The error data a refused loader or action sends (`refuse`), as error boundaries read it. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function isErrorBody(value: unknown): value is ErrorBody {
  const error = (value as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return isErrorCode(error?.code) && typeof error?.message === "string";
}
