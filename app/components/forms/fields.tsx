/**
 * The one set of form components (docs/decisions/014): every form here is a Conform form driven by
 * one Zod schema shared with its action (`useAppForm` below, `parseWithZod` there). Each field is
 * laid out the same way: the label, an optional hint, the control, and its messages, wired with ids
 * so a screen reader announces the hint and the error with the control. Forms work without
 * JavaScript: the server's reply (`lastResult`) fills the same messages in.
 */
import {
  type FieldMetadata,
  type FormMetadata,
  type SubmissionResult,
  getCollectionProps,
  getFormProps,
  getInputProps,
  getSelectProps,
  getTextareaProps,
  useForm,
} from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { Form } from "@remix-run/react";
import type { FormHTMLAttributes, InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";
import type { z } from "zod";

/**
 * A Conform form for `schema`: validated in the browser as the person leaves a field (and again as
 * they correct it), and by the server with the same schema. `lastResult` is the action's reply;
 * on a page with several forms pass `resultFor(actionData, intent)` so each form takes only its own.
 */
export function useAppForm<Schema extends z.ZodType<Record<string, unknown>, Record<string, unknown>>>(
  schema: Schema,
  options: {
    id?: string;
    /** The action's reply (useActionData), or `resultFor(actionData, intent)` on a page of several forms. */
    lastResult?: unknown;
    defaultValue?: Partial<Record<keyof z.input<Schema>, unknown>>;
  } = {},
) {
  return useForm<z.input<Schema>, z.output<Schema>>({
    ...(options.id ? { id: options.id } : {}),
    lastResult: (options.lastResult as SubmissionResult<string[]> | null | undefined) ?? null,
    ...(options.defaultValue ? { defaultValue: options.defaultValue as never } : {}),
    constraint: getZodConstraint(schema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
}

/** The action's reply when it came from the form with this `intent` (pages with several forms). */
export function resultFor(actionData: unknown, intent: string): SubmissionResult<string[]> | null {
  const result = actionData as SubmissionResult<string[]> | null | undefined;
  if (!result || typeof result !== "object" || !("status" in result || "error" in result)) return null;
  return result.initialValue?.intent === intent ? result : null;
}

// Conform's metadata types carry each form's own schema; these components work for any of them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyForm = FormMetadata<any, string[]>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Meta = FieldMetadata<any, any, string[]>;

/** The <form> attributes for a Conform form (id, noValidate once JavaScript runs, onSubmit). */
export function formProps(form: AnyForm): {
  id: string;
  onSubmit: FormHTMLAttributes<HTMLFormElement>["onSubmit"];
  noValidate: boolean;
  "aria-describedby": string | undefined;
} {
  const { id, onSubmit, noValidate } = getFormProps(form);
  // The form-level message (FormErrors) describes the form while it is shown.
  return { id, onSubmit, noValidate, "aria-describedby": form.errors?.length ? form.errorId : undefined };
}

/** Messages for one field or the whole form, announced when they appear. */
export function ErrorList({ id, errors }: { id?: string; errors?: readonly string[] | null }) {
  const shown = (errors ?? []).filter(Boolean);
  if (shown.length === 0) return null;
  return (
    <div id={id} className="field-error">
      {shown.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  );
}

/** The form-level message after a refusal (a conflict, a closed meeting …), announced at once. */
export function FormErrors({ form }: { form: AnyForm }) {
  const errors = (form.errors ?? []).filter(Boolean);
  if (errors.length === 0) return null;
  return (
    <div className="alert alert--error" role="alert" id={form.errorId}>
      {errors.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  );
}

/** The hint under a label, that the control names as its description. */
function FieldHint({ meta, hint }: { meta: Meta; hint?: ReactNode }) {
  if (!hint) return null;
  return (
    <span className="hint" id={meta.descriptionId}>
      {hint}
    </span>
  );
}

/** The label, hint and messages around one control. */
function FieldFrame({
  meta,
  label,
  hint,
  className,
  children,
}: {
  meta: Meta;
  label: ReactNode;
  hint?: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={className ? `field ${className}` : "field"}>
      <label htmlFor={meta.id}>{label}</label>
      <FieldHint meta={meta} hint={hint} />
      {children}
      <ErrorList id={meta.errorId} errors={meta.errors} />
    </div>
  );
}

const hintOf = (meta: Meta, hint: ReactNode) => (hint ? { ariaDescribedBy: meta.descriptionId } : {});

type InputType = "text" | "email" | "password" | "number" | "url" | "search" | "tel" | "time" | "date" | "hidden";

export function TextField({
  meta,
  label,
  hint,
  type = "text",
  className,
  ...input
}: {
  meta: Meta;
  label: ReactNode;
  hint?: ReactNode;
  type?: InputType;
  className?: string;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "type" | "name" | "id" | "form" | "defaultValue">) {
  return (
    <FieldFrame meta={meta} label={label} hint={hint} className={className}>
      <input {...getInputProps(meta, { type, ...hintOf(meta, hint) })} {...input} />
    </FieldFrame>
  );
}

export function TextAreaField({
  meta,
  label,
  hint,
  className,
  ...textarea
}: {
  meta: Meta;
  label: ReactNode;
  hint?: ReactNode;
  className?: string;
} & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "name" | "id" | "form" | "defaultValue">) {
  return (
    <FieldFrame meta={meta} label={label} hint={hint} className={className}>
      <textarea {...getTextareaProps(meta, hintOf(meta, hint))} {...textarea} />
    </FieldFrame>
  );
}

export function SelectField({
  meta,
  label,
  hint,
  options,
  placeholder,
  className,
  ...select
}: {
  meta: Meta;
  label: ReactNode;
  hint?: ReactNode;
  options: readonly { value: string; label: string }[];
  /** A first, empty choice ("Choose …"). */
  placeholder?: string;
  className?: string;
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, "name" | "id" | "form" | "defaultValue">) {
  return (
    <FieldFrame meta={meta} label={label} hint={hint} className={className}>
      <select {...getSelectProps(meta, hintOf(meta, hint))} {...select}>
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** A single checkbox with its label beside it. */
export function CheckboxField({
  meta,
  label,
  hint,
  value,
}: {
  meta: Meta;
  label: ReactNode;
  hint?: ReactNode;
  value?: string;
}) {
  return (
    <div className="field field--check">
      <input {...getInputProps(meta, { type: "checkbox", ...(value ? { value } : {}), ...hintOf(meta, hint) })} />{" "}
      <label htmlFor={meta.id}>{label}</label>
      <FieldHint meta={meta} hint={hint} />
      <ErrorList id={meta.errorId} errors={meta.errors} />
    </div>
  );
}

/**
 * A choice among options under one legend: radio buttons (one of them) or checkboxes (any of
 * them, sent as a list under the field's name). The hint and the messages describe every option.
 */
export function ChoiceField({
  meta,
  legend,
  hint,
  type,
  options,
}: {
  meta: Meta;
  legend: ReactNode;
  hint?: ReactNode;
  type: "radio" | "checkbox";
  options: readonly { value: string; label: ReactNode }[];
}) {
  const inputs = getCollectionProps(meta, { type, options: options.map((option) => option.value), ...hintOf(meta, hint) });
  return (
    <fieldset className="field fieldset">
      <legend>{legend}</legend>
      {hint ? (
        <p className="hint" id={meta.descriptionId}>
          {hint}
        </p>
      ) : null}
      {inputs.map(({ key, ...input }, index) => (
        <div className={type === "radio" ? "radio" : "field field--check"} key={key ?? input.value}>
          <input {...input} /> <label htmlFor={input.id}>{options[index]!.label}</label>
        </div>
      ))}
      <ErrorList id={meta.errorId} errors={meta.errors} />
    </fieldset>
  );
}

/** The hidden `intent` of a form on a page with several (each form's schema names its own). */
export function IntentInput({ value }: { value: string }) {
  return <input type="hidden" name="intent" value={value} />;
}

/**
 * One form of a page with several, under its own level 3 heading that names the form: the form's
 * messages first, then its hidden intent and its fields (`children`, the submit button with them).
 */
export function HeadedIntentForm({
  form,
  intent,
  headingId,
  heading,
  children,
}: {
  form: AnyForm;
  intent: string;
  headingId: string;
  heading: ReactNode;
  children: ReactNode;
}) {
  return (
    <div>
      <h3 id={headingId}>{heading}</h3>
      <FormErrors form={form} />
      <Form method="post" {...formProps(form)} aria-labelledby={headingId}>
        <IntentInput value={intent} />
        {children}
      </Form>
    </div>
  );
}

/**
 * A form with no fields of its own, that the buttons in a table's rows submit (their `form`
 * attribute), each naming its row; its messages show where it stands, above the table.
 */
export function RowButtonsForm({ form, intent }: { form: AnyForm; intent: string }) {
  return (
    <>
      <FormErrors form={form} />
      <Form method="post" {...formProps(form)}>
        <IntentInput value={intent} />
      </Form>
    </>
  );
}
