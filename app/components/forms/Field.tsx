/**
 * One form field as every form here lays it out: the label, an optional hint, the control, and
 * the server's message for it, wired together with ids so screen readers announce the hint and
 * the error with the control. The control comes from `children`, given the props to spread on it.
 */
import type { ReactNode } from "react";

export interface ControlProps {
  id: string;
  name: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
}

export function Field({
  name,
  id = name,
  label,
  hint,
  error,
  children,
}: {
  name: string;
  id?: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  children: (control: ControlProps) => ReactNode;
}) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {children({ id, name, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy })}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The form-level message after a refusal, announced at once. */
export function FormError({ message, id = "form-error" }: { message: string | null | undefined; id?: string }) {
  if (!message) return null;
  return (
    <div className="alert alert--error" role="alert" id={id}>
      <p>{message}</p>
    </div>
  );
}
