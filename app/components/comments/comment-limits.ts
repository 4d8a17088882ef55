/**
 * What a comment may hold, shared by the form (maxLength, hints) and the server's checks.
 */
export const COMMENT_BODY_MAX = 4000;
export const COMMENT_QUOTE_MAX = 1000;

/** The message for a comment body that is empty or too long, or null when it is fine. */
export function commentBodyProblem(body: string): string | null {
  if (body.trim().length === 0) return "Enter a comment";
  if (body.length > COMMENT_BODY_MAX) return `Keep the comment to ${COMMENT_BODY_MAX} characters or fewer`;
  return null;
}
