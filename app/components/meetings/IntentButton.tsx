/**
 * A form that is one button: its `intent`, the ids it acts on, and the button. The meeting pages
 * use it for every action that has nothing to fill in (start, next item, remove, confirm …);
 * the action parses it with the page's one schema like any other form, and answers a refusal above
 * the page's forms (ReplyErrors). Works without JavaScript.
 */
import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { IntentInput } from "../forms/fields.js";

export function IntentButton({
  intent,
  values = {},
  action,
  className = "button button--secondary",
  label,
  disabled,
  formClassName,
  children,
}: {
  intent: string;
  /** Hidden fields: the ids the action acts on. */
  values?: Record<string, string | number>;
  /** Where to post (a page under a layout posts to `?index`); this page by default. */
  action?: string;
  className?: string;
  /** The button's accessible name, when its text alone does not say which thing it acts on. */
  label?: string;
  disabled?: boolean;
  formClassName?: string;
  children: ReactNode;
}) {
  return (
    <Form method="post" action={action} className={formClassName}>
      <IntentInput value={intent} />
      {Object.entries(values).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className={className} aria-label={label} disabled={disabled}>
        {children}
      </button>
    </Form>
  );
}
