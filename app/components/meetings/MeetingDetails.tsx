/**
 * The meeting page's details: when and where, who chairs it, the links to the invite, the agenda
 * document, attendance, the minutes and rescheduling, and (for the chair or secretary) naming an
 * acting chair.
 */
import { Link } from "@remix-run/react";
import type { MeetingPageData } from "../../models/meeting-page.server.js";
import { setActingChairSchema } from "../../meetings/schemas.js";
import { ChoiceForm } from "./ChoiceForm.js";

export function MeetingDetails({ page }: { page: MeetingPageData }) {
  const { group, meeting, minute, may } = page;
  const base = `/groups/${group.id}/meetings/${meeting.id}`;
  return (
    <section className="panel" aria-labelledby="details-heading">
      <h2 id="details-heading">Details</h2>
      <dl className="facts">
        <dt>When</dt>
        <dd>{meeting.when} (New Zealand time)</dd>
        {meeting.location ? (
          <>
            <dt>Place</dt>
            <dd>{meeting.location}</dd>
          </>
        ) : null}
        {meeting.actingChair ? (
          <>
            <dt>Chairing</dt>
            <dd>{meeting.actingChair} (acting chair)</dd>
          </>
        ) : null}
        {meeting.onlineUrl ? (
          <>
            <dt>Online</dt>
            <dd>
              <a href={meeting.onlineUrl} rel="noopener noreferrer">
                {meeting.onlineUrl}
              </a>
            </dd>
          </>
        ) : null}
      </dl>
      <p className="inline-forms">
        <a href={`${base}/invite.ics`} download>
          Add to my calendar (.ics)
        </a>
        <Link to={`${base}/attendance`}>Attendance and conflicts of interest</Link>
        {minute ? <Link to={`${base}/minutes`}>{minute.status === "confirmed" ? `Minutes [${minute.reference}]` : "Draft minutes"}</Link> : null}
        {may["meeting.manage"] && meeting.status === "scheduled" ? <Link to={`${base}/edit`}>Reschedule or cancel</Link> : null}
      </p>
      {page.chairCandidates.length > 0 ? (
        <details className="after-form">
          <summary>Who chairs this meeting</summary>
          <ActingChairForm page={page} />
        </details>
      ) : null}
    </section>
  );
}

function ActingChairForm({ page }: { page: MeetingPageData }) {
  return (
    <ChoiceForm
      schema={setActingChairSchema}
      intent="chair.set"
      name="actingChairUserId"
      label="Chaired by"
      placeholder="The chair"
      options={page.chairCandidates
        .filter((candidate) => !candidate.isChair)
        .map((candidate) => ({ value: candidate.userId, label: `${candidate.name} (acting chair)` }))}
      defaultValue={page.meeting.actingChairUserId ?? ""}
      className="inline-forms"
      submitLabel="Save"
    />
  );
}
