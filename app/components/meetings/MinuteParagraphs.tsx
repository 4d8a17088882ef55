/**
 * A minute's paragraphs as a Cabinet minute sets them out: headings, numbered paragraphs with the
 * verb in bold ("1 **noted** that …"), sub-paragraphs 1.1, 1.2 indented, references to other
 * minutes in brackets (linked to the register when they are this group's), corrections both
 * ways, and the actions a paragraph created. Shared by the meeting page and the minute page.
 */
import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { splitReferences } from "../../meetings/decision-reference.js";
import { DECIDED_WITHOUT_QUORUM } from "../../meetings/quorum.js";
import { TeReo } from "../TeReo.js";

export interface ParagraphView {
  id: string;
  parentId: string | null;
  number: string;
  heading: string | null;
  verb: string | null;
  body: string;
  corrects: { reference: string | null; number: string; meetingId: string } | null;
  correctedBy: { reference: string | null; number: string; meetingId: string }[];
  actions: { id: string; description: string; owner: string; dueOn: string; dueLabel: string; status: string }[];
  /** Its meeting had no quorum (docs/decisions/019). */
  withoutQuorum: boolean;
}

/** The body with this group's references linked to the register and te reo marked. */
export function DecisionText({ text, groupId, groupCode }: { text: string; groupId: string; groupCode: string }) {
  return (
    <>
      {splitReferences(text).map((part, index) =>
        "reference" in part ? (
          part.reference.startsWith(`${groupCode}-`) ? (
            <Link key={index} to={`/groups/${groupId}/decisions?reference=${part.reference}`}>
              [{part.reference}]
            </Link>
          ) : (
            <span key={index}>[{part.reference}]</span>
          )
        ) : (
          <TeReo key={index} text={part.text} />
        ),
      )}
    </>
  );
}

function where(groupId: string, location: { reference: string | null; number: string; meetingId: string }): ReactNode {
  const label = `paragraph ${location.number} of ${location.reference ? `[${location.reference}]` : "a draft minute"}`;
  return <Link to={`/groups/${groupId}/meetings/${location.meetingId}/minutes`}>{label}</Link>;
}

export function MinuteParagraphs({
  paragraphs,
  groupId,
  groupCode,
  renderTools,
}: {
  paragraphs: readonly ParagraphView[];
  groupId: string;
  groupCode: string;
  /** Extra controls under a paragraph (editing a draft). */
  renderTools?: (paragraph: ParagraphView) => ReactNode;
}) {
  if (paragraphs.length === 0) return <p>No decisions recorded yet.</p>;
  return (
    <div className="minute-paragraphs">
      {paragraphs.map((paragraph) => (
        <div key={paragraph.id} className={paragraph.parentId ? "minute-paragraph minute-paragraph--sub" : "minute-paragraph"}>
          {paragraph.heading ? (
            <h3 className="minute-heading">
              <TeReo text={paragraph.heading} />
            </h3>
          ) : null}
          <p className="minute-paragraph__text" id={`decision-${paragraph.id}`}>
            <span className="minute-paragraph__number">{paragraph.number}</span>
            <span className="minute-paragraph__body">
              {paragraph.verb ? paragraph.parentId ? `${paragraph.verb} ` : <strong>{paragraph.verb} </strong> : null}
              <DecisionText text={paragraph.body} groupId={groupId} groupCode={groupCode} />
            </span>
          </p>
          {paragraph.withoutQuorum ? <p className="minute-paragraph__note minute-paragraph__no-quorum">{DECIDED_WITHOUT_QUORUM}</p> : null}
          {paragraph.corrects ? <p className="minute-paragraph__note">Corrects {where(groupId, paragraph.corrects)}.</p> : null}
          {paragraph.correctedBy.map((location) => (
            <p className="minute-paragraph__note" key={`${location.meetingId}-${location.number}`}>
              Corrected by {where(groupId, location)}.
            </p>
          ))}
          {paragraph.actions.length > 0 ? (
            <ul className="minute-paragraph__actions" aria-label={`Actions from paragraph ${paragraph.number}`}>
              {paragraph.actions.map((action) => (
                <li key={action.id}>
                  Action: <TeReo text={action.description} /> — {action.owner}, by {action.dueLabel}
                </li>
              ))}
            </ul>
          ) : null}
          {renderTools?.(paragraph)}
        </div>
      ))}
    </div>
  );
}
