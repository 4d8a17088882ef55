/**
 * A form that is one choice and a button (who chairs the meeting, the minute's classification):
 * a Conform form for its schema, the choice as a SelectField, and the reply to this intent only.
 */
import { Form, useActionData } from "@remix-run/react";
import type { z } from "zod";
import { IntentInput, SelectField, formProps, resultFor, useAppForm } from "../forms/fields.js";

export function ChoiceForm({
  schema,
  intent,
  name,
  label,
  options,
  placeholder,
  defaultValue,
  className,
  submitLabel,
}: {
  schema: z.ZodObject<{ intent: z.ZodLiteral<string> } & z.ZodRawShape>;
  intent: string;
  /** The field chosen. */
  name: string;
  label: string;
  options: readonly { value: string; label: string }[];
  placeholder?: string;
  defaultValue: string;
  className: string;
  submitLabel: string;
}) {
  const [form, fields] = useAppForm(schema, { id: intent, lastResult: resultFor(useActionData(), intent), defaultValue: { [name]: defaultValue } });
  return (
    <Form method="post" className={className} {...formProps(form)}>
      <IntentInput value={intent} />
      <SelectField meta={fields[name]!} label={label} placeholder={placeholder} options={options} />
      <button type="submit" className="button button--secondary">
        {submitLabel}
      </button>
    </Form>
  );
}
