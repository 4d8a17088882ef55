/**
 * The refusal of the meeting page's last form, above the page's forms: a meeting that ended
 * meanwhile, minutes already confirmed, an action the page no longer recognises. Messages about
 * one field are shown beside that field by the form itself; this shows the rest, so a refusal is
 * seen even when the form that sent it is no longer on the page.
 */
import type { SubmissionResult } from "@conform-to/react";
import { resultFor } from "../forms/fields.js";

export function ReplyErrors({ reply }: { reply: unknown }) {
  const result = reply as SubmissionResult<string[]> | null | undefined;
  const messages = [...(result?.error?.[""] ?? []), ...(result?.error?.intent ?? [])].filter(Boolean);
  if (messages.length === 0) return null;
  return (
    <div className="alert alert--error" role="alert">
      {messages.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  );
}

/** The reply for the form of one thing among several with the same intent (this agenda item, this paragraph). */
export function resultForOne(actionData: unknown, intent: string, field: string, value: string): SubmissionResult<string[]> | null {
  const result = resultFor(actionData, intent);
  return result?.initialValue?.[field] === value ? result : null;
}

/** The first message of a reply to a form that updates in place (a fetcher's answer), if it was refused. */
export function refusalOf(reply: unknown): string | null {
  const result = reply as SubmissionResult<string[]> | null | undefined;
  if (!result || result.status === "success") return null;
  return Object.values(result.error ?? {}).flatMap((messages) => messages ?? [])[0] ?? null;
}
