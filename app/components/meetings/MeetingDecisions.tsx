/**
 * The meeting page's decisions: the minute's numbered paragraphs and, while the draft is open to
 * the chair or secretary, recording a decision, adding a sub-paragraph, changing a paragraph and
 * removing it.
 */
import { Form, useActionData } from "@remix-run/react";
import { useState } from "react";
import { decisionVerbOptions } from "../../meetings/decision-verbs.js";
import { DECIDED_WITHOUT_QUORUM } from "../../meetings/quorum.js";
import { updateDecisionSchema } from "../../meetings/schemas.js";
import type { MeetingPageData } from "../../models/meeting-page.server.js";
import { IntentInput, SelectField, TextAreaField, TextField, formProps, useAppForm } from "../forms/fields.js";
import { DecisionForm } from "./DecisionForm.js";
import { IntentButton } from "./IntentButton.js";
import { MinuteParagraphs, type ParagraphView } from "./MinuteParagraphs.js";
import { resultForOne } from "./ReplyErrors.js";

export function MeetingDecisions({ page, actionPath }: { page: MeetingPageData; actionPath: string }) {
  const { group, minute, paragraphs, recording } = page;
  if (!minute) return null;
  return (
    <section className="panel" aria-labelledby="decisions-heading">
      <h2 id="decisions-heading">{minute.status === "confirmed" ? `Decisions [${minute.reference}]` : "Decisions (draft minute)"}</h2>
      <MinuteParagraphs
        paragraphs={paragraphs}
        groupId={group.id}
        groupCode={group.code}
        renderTools={recording ? (paragraph) => <ParagraphTools paragraph={paragraph} page={page} actionPath={actionPath} /> : undefined}
      />
      {recording ? (
        <div className="record-decision">
          <h3>Record a decision</h3>
          {page.quorumMet ? null : (
            <div className="alert" role="note">
              <p>
                <strong>{page.quorum}</strong> A decision recorded now is marked “{DECIDED_WITHOUT_QUORUM}” in the minute. Record
                attendance first if members are here.
              </p>
            </div>
          )}
          <DecisionForm
            actionPath={actionPath}
            groupId={group.id}
            agenda={page.agenda}
            defaultItemId={page.current?.id ?? null}
            defaultHeading={page.defaultHeading}
            owners={page.owners}
          />
        </div>
      ) : null}
    </section>
  );
}

/** Editing a paragraph of a draft minute, adding a sub-paragraph, removing it. */
function ParagraphTools({ paragraph, page, actionPath }: { paragraph: ParagraphView; page: MeetingPageData; actionPath: string }) {
  const [adding, setAdding] = useState(false);
  return (
    <div className="paragraph-tools">
      {paragraph.parentId === null ? (
        adding ? (
          <DecisionForm
            actionPath={actionPath}
            groupId={page.group.id}
            agenda={page.agenda}
            defaultItemId={null}
            defaultHeading=""
            parent={{ id: paragraph.id, number: paragraph.number }}
            owners={[]}
            onDone={() => setAdding(false)}
          />
        ) : (
          <button type="button" className="button button--link" onClick={() => setAdding(true)}>
            Add a sub-paragraph<span className="visually-hidden"> to paragraph {paragraph.number}</span>
          </button>
        )
      ) : null}
      <details>
        <summary>
          Change<span className="visually-hidden"> paragraph {paragraph.number}</span>
        </summary>
        <ParagraphEditForm paragraph={paragraph} actionPath={actionPath} />
        <IntentButton intent="decision.delete" values={{ decisionId: paragraph.id }} action={actionPath}>
          Remove paragraph {paragraph.number}
        </IntentButton>
      </details>
    </div>
  );
}

function ParagraphEditForm({ paragraph, actionPath }: { paragraph: ParagraphView; actionPath: string }) {
  const [form, fields] = useAppForm(updateDecisionSchema, {
    id: `paragraph-${paragraph.id}`,
    lastResult: resultForOne(useActionData(), "decision.update", "decisionId", paragraph.id),
    defaultValue: { heading: paragraph.heading ?? "", verb: paragraph.verb ?? "", body: paragraph.body },
  });
  const ofParagraph = <span className="visually-hidden"> of paragraph {paragraph.number}</span>;
  return (
    <Form method="post" action={actionPath} className="paragraph-edit" {...formProps(form)}>
      <IntentInput value="decision.update" />
      <input type="hidden" name="decisionId" value={paragraph.id} />
      {paragraph.parentId === null ? <TextField meta={fields.heading} label={<>Heading (optional){ofParagraph}</>} /> : null}
      <SelectField
        meta={fields.verb}
        label={<>Verb{ofParagraph}</>}
        placeholder={paragraph.parentId !== null ? "No verb" : undefined}
        options={decisionVerbOptions}
      />
      <TextAreaField meta={fields.body} label={<>Words{ofParagraph}</>} rows={3} />
      <div className="inline-forms">
        <button type="submit" className="button">
          Save paragraph {paragraph.number}
        </button>
      </div>
    </Form>
  );
}
