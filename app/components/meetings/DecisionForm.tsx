/**
 * Recording a decision live: the agenda item it comes under, an optional heading, the verb it
 * opens with, its words, and (for a decision that directs, invites or requests) the actions with
 * their owner and due date. A search of the register inserts a reference to an earlier minute
 * ("[SSCSG-26-MIN-0003]") where the cursor is, or marks the new decision as correcting an earlier
 * one. Works without JavaScript as a plain form (one action row, no search).
 */
import type { SubmissionResult } from "@conform-to/react";
import { useActionData, useFetcher } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { referencePattern } from "../../meetings/decision-reference.js";
import { decisionVerbOptions, isActionVerb } from "../../meetings/decision-verbs.js";
import { recordDecisionSchema } from "../../meetings/schemas.js";
import { ErrorList, FormErrors, IntentInput, SelectField, TextAreaField, TextField, formProps, resultFor, useAppForm } from "../forms/fields.js";
import { TeReo } from "../TeReo.js";
import { resultForOne } from "./ReplyErrors.js";
import { NZ_DATE_HINT } from "../../utils/nz-date-schema.js";

export interface DecisionFormProps {
  actionPath: string;
  groupId: string;
  agenda: { id: string; position: number; title: string }[];
  defaultItemId: string | null;
  /** Suggested heading: the current item's title when nothing is recorded under it yet. */
  defaultHeading: string;
  /** A sub-paragraph of this numbered paragraph. */
  parent?: { id: string; number: string } | null;
  owners: { value: string; label: string }[];
  onDone?: () => void;
}

interface PickerEntry {
  id: string;
  number: string;
  reference: string | null;
  verb: string | null;
  body: string;
  meetingTitle: string;
}

export function DecisionForm({ actionPath, groupId, agenda, defaultItemId, defaultHeading, parent = null, owners, onDone }: DecisionFormProps) {
  // With JavaScript the form is sent in place (the page stays and the form clears); without it,
  // the page's own reply fills the same messages in.
  const fetcher = useFetcher<unknown>();
  const actionData = useActionData();
  const answer = fetcher.data as { status?: string } | undefined;
  const reply = (answer ?? (parent ? resultForOne(actionData, "decision.record", "parentId", parent.id) : mainFormResult(actionData))) as SubmissionResult<
    string[]
  > | null;
  const [form, fields] = useAppForm(recordDecisionSchema, {
    // Not `decision-<id>`: that is the paragraph itself (MinuteParagraphs), which the register links to.
    id: parent ? `sub-paragraph-${parent.id}` : "decision-form",
    // The verb, item and heading are this component's state (they follow the meeting), not Conform's.
    lastResult: reply?.initialValue ? { ...reply, initialValue: { ...reply.initialValue, verb: undefined, agendaItemId: undefined, heading: undefined } } : reply,
  });
  const picker = useFetcher<{ picker?: PickerEntry[] }>();
  const formRef = useRef<HTMLFormElement>(null);
  // After a refused post without JavaScript, the choices as they were sent.
  const sent = (name: "verb" | "agendaItemId" | "heading", otherwise: string) => {
    const value = reply?.initialValue?.[name];
    return typeof value === "string" ? value : otherwise;
  };
  const [verb, setVerb] = useState<string>(sent("verb", parent ? "" : "noted"));
  const [actionRows, setActionRows] = useState(1);
  const [corrects, setCorrects] = useState<PickerEntry | null>(null);
  const [search, setSearch] = useState("");
  // The agenda item and heading follow the item the meeting is on, until the person changes them.
  const [itemId, setItemId] = useState(sent("agendaItemId", defaultItemId ?? ""));
  const [itemChosen, setItemChosen] = useState(false);
  const [heading, setHeading] = useState(sent("heading", defaultHeading));
  const [headingTyped, setHeadingTyped] = useState(false);
  useEffect(() => {
    if (!itemChosen) setItemId(defaultItemId ?? "");
  }, [defaultItemId, itemChosen]);
  useEffect(() => {
    if (!headingTyped) setHeading(defaultHeading);
  }, [defaultHeading, headingTyped]);

  // Without JavaScript every field shows and the server ignores actions for other verbs.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  // Each successful answer clears the form once.
  const handled = useRef<unknown>(undefined);
  useEffect(() => {
    if (fetcher.state !== "idle" || answer?.status !== "success" || handled.current === answer) return;
    handled.current = answer;
    formRef.current?.reset();
    setCorrects(null);
    setActionRows(1);
    setVerb(parent ? "" : "noted");
    setItemChosen(false);
    setHeadingTyped(false);
    setHeading("");
    onDone?.();
  }, [fetcher.state, answer, parent, onDone]);

  const insertReference = (reference: string) => {
    const box = document.getElementById(fields.body.id);
    if (!(box instanceof HTMLTextAreaElement)) return;
    const text = `[${reference}]`;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? start;
    box.value = `${box.value.slice(0, start)}${text}${box.value.slice(end)}`;
    box.focus();
    box.setSelectionRange(start + text.length, start + text.length);
  };
  const findDecisions = () => {
    const wanted = search.trim().replace(/^\[|\]$/g, "");
    if (wanted.length === 0) return;
    // A whole reference ("SSCSG-26-MIN-0003", with or without brackets) finds that minute's decisions.
    const query = referencePattern.test(wanted.toUpperCase()) ? `reference=${encodeURIComponent(wanted.toUpperCase())}` : `words=${encodeURIComponent(wanted)}`;
    picker.load(`/groups/${groupId}/decisions?picker=1&${query}`);
  };

  const wantsActions = !parent && (!hydrated || isActionVerb(verb));
  const rowId = (row: number, part: string) => `${form.id}-action-${row}-${part}`;
  return (
    <fetcher.Form
      method="post"
      action={actionPath}
      ref={formRef}
      className="decision-form"
      {...formProps(form)}
      aria-label={parent ? `Sub-paragraph of paragraph ${parent.number}` : "Record a decision"}
    >
      <IntentInput value="decision.record" />
      {hydrated ? <input type="hidden" name="js" value="1" /> : null}
      {parent ? <input type="hidden" name="parentId" value={parent.id} /> : null}
      {corrects ? <input type="hidden" name="correctsDecisionId" value={corrects.id} /> : null}
      {/* A refusal sent in place is shown here; without JavaScript the page shows it above its forms. */}
      {answer ? <FormErrors form={form} /> : null}
      {parent ? (
        <input type="hidden" name="agendaItemId" value={defaultItemId ?? ""} />
      ) : (
        <div className="field-row">
          <SelectField
            meta={fields.agendaItemId}
            label="Agenda item"
            placeholder="Not under an agenda item"
            options={agenda.map((item) => ({ value: item.id, label: `${item.position}. ${item.title}` }))}
            value={itemId}
            onChange={(event) => {
              setItemId(event.target.value);
              setItemChosen(true);
            }}
          />
          <TextField
            meta={fields.heading}
            label="Heading (optional)"
            hint="Starts a new heading above this paragraph."
            value={heading}
            onChange={(event) => {
              setHeading(event.target.value);
              setHeadingTyped(true);
            }}
          />
        </div>
      )}
      <div className="field-row">
        <SelectField
          meta={fields.verb}
          label={parent ? "Verb (optional)" : "Verb"}
          placeholder={parent ? "No verb" : undefined}
          options={decisionVerbOptions}
          value={verb}
          onChange={(event) => setVerb(event.target.value)}
          className="decision-form__verb"
        />
      </div>
      <TextAreaField
        meta={fields.body}
        label={parent ? `Paragraph ${parent.number}.x` : "Decision"}
        hint={`Follows the verb, as in “${verb || "agreed"} that the group …”. Cite an earlier minute in square brackets, like [SSCSG-26-MIN-0001].`}
        rows={3}
      />

      {!parent ? (
        <details className="reference-picker">
          <summary>Find an earlier decision to cite or correct</summary>
          <div className="reference-picker__search">
            <label htmlFor={`${form.id}-find`}>Words or reference</label>
            <input
              id={`${form.id}-find`}
              type="search"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === "Enter") {
                  event.preventDefault();
                  findDecisions();
                }
              }}
            />
            <button type="button" className="button button--secondary" onClick={findDecisions}>
              Search the register
            </button>
          </div>
          <div aria-live="polite">
            {picker.data?.picker ? (
              picker.data.picker.length === 0 ? (
                <p>No confirmed decisions match.</p>
              ) : (
                <ul className="list-plain">
                  {picker.data.picker.map((entry) => (
                    <li key={entry.id}>
                      <strong>
                        [{entry.reference}] paragraph {entry.number}
                      </strong>{" "}
                      <span className="muted">{entry.meetingTitle}</span>
                      <br />
                      {entry.verb ? <strong>{entry.verb} </strong> : null}
                      <TeReo text={entry.body.length > 160 ? `${entry.body.slice(0, 159)}…` : entry.body} />
                      <br />
                      <span className="inline-forms">
                        <button type="button" className="button button--link" onClick={() => entry.reference && insertReference(entry.reference)}>
                          Cite [{entry.reference}]
                        </button>
                        <button type="button" className="button button--link" onClick={() => setCorrects(entry)}>
                          This decision corrects it
                        </button>
                      </span>
                    </li>
                  ))}
                </ul>
              )
            ) : null}
          </div>
        </details>
      ) : null}
      {corrects ? (
        <p className="alert">
          Corrects paragraph {corrects.number} of [{corrects.reference}].{" "}
          <button type="button" className="button button--link" onClick={() => setCorrects(null)}>
            Not a correction
          </button>
        </p>
      ) : null}
      <ErrorList id={fields.correctsDecisionId.errorId} errors={fields.correctsDecisionId.errors} />

      {!parent ? (
        <fieldset className="fieldset decision-form__actions" hidden={!wantsActions} aria-describedby={`${form.id}-actions-hint`}>
          <legend>Actions</legend>
          <p className="hint" id={`${form.id}-actions-hint`}>
            A decision that directs, invites or requests someone creates actions: who owns each one and when it is due.
          </p>
          <ErrorList errors={form.allErrors.actions} />
          {Array.from({ length: actionRows }, (_, row) => (
            <div className="field-row action-row" key={row} role="group" aria-label={`Action ${row + 1}`}>
              <div className="field">
                <label htmlFor={rowId(row, "description")}>What is to be done</label>
                <input id={rowId(row, "description")} name="actionDescription" type="text" maxLength={1000} disabled={!wantsActions} />
              </div>
              <div className="field">
                <label htmlFor={rowId(row, "owner")}>Owner</label>
                <select id={rowId(row, "owner")} name="actionOwner" defaultValue="" disabled={!wantsActions}>
                  <option value="">Choose a member or an organisation</option>
                  {owners.map((owner) => (
                    <option key={owner.value} value={owner.value}>
                      {owner.label}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor={rowId(row, "due")}>Due</label>
                <p className="hint" id={rowId(row, "due-hint")}>
                  {NZ_DATE_HINT}
                </p>
                <input id={rowId(row, "due")} name="actionDue" type="text" aria-describedby={rowId(row, "due-hint")} disabled={!wantsActions} />
              </div>
            </div>
          ))}
          <button type="button" className="button button--secondary" onClick={() => setActionRows((rows) => Math.min(rows + 1, 10))}>
            Add another action
          </button>
        </fieldset>
      ) : null}
      <div className="inline-forms">
        <button type="submit" className="button" disabled={fetcher.state !== "idle"}>
          {fetcher.state !== "idle" ? "Recording…" : parent ? "Add the sub-paragraph" : "Record the decision"}
        </button>
        {onDone && parent ? (
          <button type="button" className="button button--secondary" onClick={onDone}>
            Cancel
          </button>
        ) : null}
      </div>
    </fetcher.Form>
  );
}

/** The page's reply to the main decision form (not to a sub-paragraph's). */
function mainFormResult(actionData: unknown) {
  const result = resultFor(actionData, "decision.record");
  return result && !result.initialValue?.parentId ? result : null;
}
