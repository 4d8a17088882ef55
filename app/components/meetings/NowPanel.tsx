/**
 * A live meeting's "Now" panel: the item the meeting is on with its papers, the quorum, the
 * conflicts declared for it, earlier minutes to confirm under "confirmation of the previous
 * minutes", and the chair's controls (previous item, next item, end the meeting).
 */
import { Link } from "@remix-run/react";
import type { MeetingPageData } from "../../models/meeting-page.server.js";
import { TeReo } from "../TeReo.js";
import { IntentButton } from "./IntentButton.js";
import { LiveProposal } from "./LiveProposal.js";

export function NowPanel({ page, actionPath }: { page: MeetingPageData; actionPath: string }) {
  const { group, meeting, agenda, current, may, conflicts, previousMinutes } = page;
  const base = `/groups/${group.id}/meetings/${meeting.id}`;
  const currentConflicts = current ? conflicts.filter((conflict) => conflict.agendaItemId === current.id || conflict.agendaItemId === null) : [];
  const previous = current && current.position > 1 ? agenda[current.position - 2] : undefined;
  const next = current ? agenda[current.position] : agenda[0];
  return (
    <section className="panel now-panel" aria-labelledby="now-heading">
      <h2 id="now-heading">Now</h2>
      <p aria-live="polite" className="now-panel__item">
        {current ? (
          <>
            Item {current.position}: <strong><TeReo text={current.title} /></strong>
            {current.presenter ? ` — ${current.presenter}` : ""}
          </>
        ) : (
          "Between items"
        )}
      </p>
      {current && current.papers.length > 0 ? (
        <ul aria-label="Papers for this item">
          {current.papers.map((paper) => (
            <li key={paper.id}>
              <Link to={`/groups/${group.id}/documents/${paper.id}`}>
                <TeReo text={paper.title} />
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      <p className={page.quorumMet ? "quorum quorum--met" : "quorum quorum--not-met"}>
        {page.quorum} {may["meeting.manage"] ? <Link to={`${base}/attendance`}>Record attendance</Link> : null}
      </p>
      {currentConflicts.length > 0 ? (
        <div className="now-panel__conflicts">
          <h3>Conflicts of interest declared</h3>
          <ul>
            {currentConflicts.map((conflict) => (
              <li key={conflict.id}>
                <strong>{conflict.who}</strong>
                {conflict.details}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {current?.kind === "previous_minutes" && previousMinutes.length > 0 ? (
        <div className="now-panel__confirm">
          <h3>Minutes waiting for confirmation</h3>
          <ul className="list-plain">
            {previousMinutes.map((minutes) => (
              <li key={minutes.meetingId}>
                <Link to={`/groups/${group.id}/meetings/${minutes.meetingId}/minutes`}>
                  <TeReo text={minutes.title} />
                </Link>{" "}
                ({minutes.date})
                <IntentButton
                  intent="minutes.confirmPrevious"
                  values={{ previousMeetingId: minutes.meetingId }}
                  formClassName="inline-forms"
                  label={`Confirm these minutes: ${minutes.title}`}
                >
                  Confirm these minutes
                </IntentButton>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {page.proposals ? <LiveProposal panel={page.proposals} actionPath={actionPath} /> : null}
      {may["meeting.run"] ? (
        <div className="inline-forms now-panel__controls">
          {previous ? (
            <IntentButton intent="live.move" values={{ itemId: previous.id }}>
              Previous item
            </IntentButton>
          ) : null}
          {next ? (
            <IntentButton intent="live.move" values={{ itemId: next.id }} className="button">
              Next item
            </IntentButton>
          ) : null}
          <IntentButton intent="live.end">End the meeting</IntentButton>
        </div>
      ) : null}
    </section>
  );
}
