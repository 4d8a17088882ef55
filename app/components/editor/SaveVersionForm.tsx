/**
 * Saving the document's current text as a named version, on the version history and on the
 * document page. It posts to the versions route; on the document page it stays in place (a
 * fetcher) so the editor is not reloaded. The versions route answers with the form's reply and,
 * once saved, the version's number and name.
 */
import { Form, useFetcher, useNavigation } from "@remix-run/react";
import { VERSION_NAME_MAX } from "../../documents/limits.js";
import { saveVersionSchema } from "../../documents/schemas.js";
import { FormErrors, IntentInput, TextField, formProps, useAppForm } from "../forms/fields.js";

/** The version the versions route's reply says it saved, if it saved one. */
function savedVersion(reply: unknown): { number: number; name: string } | null {
  return (reply as { saved?: { number: number; name: string } } | null | undefined)?.saved ?? null;
}

export function SaveVersionForm({
  versionsPath,
  inPlace = false,
  lastResult,
  className = "button",
}: {
  versionsPath: string;
  /** Stay on this page (a fetcher) rather than go to the version history. */
  inPlace?: boolean;
  /** The versions route's reply, when this page is that route. */
  lastResult?: unknown;
  className?: string;
}) {
  const fetcher = useFetcher();
  const navigation = useNavigation();
  const reply: unknown = inPlace ? fetcher.data : lastResult;
  const saved = savedVersion(reply);
  const [form, fields] = useAppForm(saveVersionSchema, { id: "save-version", lastResult: reply });
  const FormElement = inPlace ? fetcher.Form : Form;
  const saving = inPlace ? fetcher.state !== "idle" : navigation.state === "submitting";
  return (
    <FormElement method="post" action={`${versionsPath}?index`} className="save-version" {...formProps(form)}>
      <FormErrors form={form} />
      <IntentInput value="save" />
      <TextField meta={fields.name} label="Version name" hint={`For example “Draft for the December hui”. Up to ${VERSION_NAME_MAX} characters.`} />
      <button type="submit" className={className} disabled={saving}>
        {saving ? "Saving version…" : "Save version"}
      </button>
      <div role="status" className="save-version__result">
        {saved ? <p>{`Saved as version ${saved.number}, “${saved.name}”.`}</p> : null}
      </div>
    </FormElement>
  );
}
