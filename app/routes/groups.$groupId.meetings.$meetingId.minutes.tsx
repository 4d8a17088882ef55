/**
 * A meeting's minute of decision as a page, in the Cabinet minute's form: classification marking
 * top and bottom, the group as the committee, "Minute of Decision", its reference (once
 * confirmed), the portfolio, "On <date>, the <group>:", headings and numbered paragraphs with bold
 * verbs, the secretary's name, who was present, apologies, officials present and conflicts of
 * interest. Printing it (or "Save as PDF") gives the PDF (docs/decisions/005); the Word version
 * is /minutes.docx. The chair or secretary confirms a draft here, after which it never changes.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { classifications } from "../../db/database.js";
import { TeReo } from "../components/TeReo.js";
import { ClassificationMarking } from "../components/editor/ClassificationMarking.js";
import { ChoiceForm } from "../components/meetings/ChoiceForm.js";
import { IntentButton } from "../components/meetings/IntentButton.js";
import { MinuteParagraphs } from "../components/meetings/MinuteParagraphs.js";
import { ReplyErrors } from "../components/meetings/ReplyErrors.js";
import { notFound } from "../errors.js";
import { requireMeeting } from "../http/require-meeting.server.js";
import { invalidForm, invariantResponse, replyWithError } from "../http/responses.server.js";
import { conflictLine } from "../meetings/conflict-line.js";
import { quorumRecord } from "../meetings/quorum.js";
import { classifyMinutesSchema, minutesPageSchema } from "../meetings/schemas.js";
import { setMinuteClassification } from "../models/decisions.server.js";
import { confirmMinutes } from "../models/minute-confirmation.server.js";
import { minuteView } from "../models/minutes.server.js";
import { permissionsFor } from "../policy/policy.js";
import meetingStyles from "../styles/meetings.css";
import { formatNzDateTime, formatNzShortDate } from "../utils/dates.js";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: meetingStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `${loaderData?.minute.reference ?? "Draft minutes"}: ${loaderData?.meeting.title ?? ""} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, meeting, resource } = await requireMeeting(request, context, params);
  const view = await minuteView(context.services.db, meeting);
  invariantResponse(view.minute, notFound("This meeting has no minutes yet: they start when the meeting does."));
  const may = permissionsFor(actor, resource, ["minutes.confirm", "decision.record"]);
  const person = (attendee: (typeof view.present)[number]) => ({
    id: attendee.membershipId,
    name: attendee.name,
    note:
      attendee.userId === view.meeting.actingChairUserId
        ? "Acting chair"
        : attendee.alternateForName
          ? `alternate for ${attendee.alternateForName}`
          : attendee.role === "chair"
            ? "Chair"
            : null,
    organisation: attendee.organisation,
  });
  return {
    group: view.group,
    // The day it was held, with a note when that was not the day scheduled.
    meeting: { id: meeting.id, title: view.meeting.title, dateLabel: view.meeting.dateLabel, heldNote: view.meeting.heldNote, status: meeting.status },
    minute: {
      status: view.minute.status,
      reference: view.minute.reference,
      classification: view.minute.classification,
      secretaryName: view.minute.secretaryName,
      confirmedAt: view.minute.confirmedAt ? formatNzDateTime(view.minute.confirmedAt) : null,
      confirmedAtMeeting: view.minute.confirmedAtMeeting
        ? { id: view.minute.confirmedAtMeeting.id, title: view.minute.confirmedAtMeeting.title, date: formatNzShortDate(view.minute.confirmedAtMeeting.startsAt) }
        : null,
    },
    paragraphs: view.paragraphs.map((paragraph) => ({
      ...paragraph,
      actions: paragraph.actions.map((action) => ({ ...action, dueLabel: formatNzShortDate(action.dueOn) })),
    })),
    present: view.present.map(person),
    apologies: view.apologies.map(person),
    officials: view.officials,
    conflicts: view.conflicts,
    // A draft is confirmed once its meeting has ended; its classification is set while it is a draft.
    mayConfirm: may["minutes.confirm"] && view.minute.status === "draft" && meeting.status === "closed",
    mayClassify: may["decision.record"] && view.minute.status === "draft",
    quorum: quorumRecord(view.quorum),
    // Decisions made between meetings have no attendance; each paragraph says how many seats took part.
    betweenMeetings: meeting.kind === "between_meetings",
    withoutQuorum: view.withoutQuorum,
    quorumMet: view.quorum.met,
    // Confirming is for good: it is asked for twice, the second time with a summary.
    reviewing: new URL(request.url).searchParams.get("review") === "1",
    waitingForEnd: view.minute.status === "draft" && meeting.status !== "closed",
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, meeting, group } = await requireMeeting(request, context, params);
  const submission = parseWithZod(await request.formData(), { schema: minutesPageSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const services = context.services;
  const here = `/groups/${group.id}/meetings/${meeting.id}/minutes`;
  try {
    if (submission.value.intent === "confirm") {
      await confirmMinutes(services.db, services, actor, { meetingId: meeting.id, ip: context.clientIp });
      return redirect(`${here}?confirmed=1`);
    }
    await setMinuteClassification(services.db, services, actor, { meetingId: meeting.id, classification: submission.value.classification, ip: context.clientIp });
    return redirect(here);
  } catch (error) {
    return replyWithError(submission, error);
  }
}

/** "1 sub-paragraph", "2 sub-paragraphs" */
const counted = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

export default function Minutes() {
  const { group, meeting, minute, paragraphs, present, apologies, officials, conflicts, mayConfirm, mayClassify, waitingForEnd, quorum, quorumMet, withoutQuorum, reviewing, betweenMeetings } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const base = `/groups/${group.id}/meetings/${meeting.id}`;
  return (
    <>
      <div className="no-print">
        <ReplyErrors reply={actionData} />
        <p className="inline-forms">
          <a href={`${base}/minutes.docx`} download>
            Download as a Word document
          </a>
          <span className="muted">To save a PDF, print this page and choose “Save as PDF”.</span>
          <Link to={`/groups/${group.id}/decisions`}>Decision register</Link>
        </p>
        {minute.status === "draft" ? (
          <div className="alert" role="note">
            <p>
              <strong>Draft.</strong>{" "}
              {waitingForEnd
                ? "The meeting has not ended; decisions are still being recorded."
                : "These minutes are waiting to be confirmed, at the next meeting or by the secretary. Once confirmed they get their reference and never change."}
            </p>
            {mayClassify ? <ClassifyForm classification={minute.classification} /> : null}
            {mayConfirm && !reviewing ? (
              <p>
                <Link className="button" to="?review=1">
                  Confirm these minutes…
                </Link>
              </p>
            ) : null}
            {mayConfirm && reviewing ? (
              <section className="confirm-review" aria-labelledby="confirm-heading">
                <h2 id="confirm-heading">Confirm these minutes?</h2>
                <p>Once confirmed they get their permanent reference and can never be changed. Check:</p>
                <ul>
                  <li>
                    {counted(paragraphs.filter((paragraph) => paragraph.parentId === null).length, "numbered paragraph")} and{" "}
                    {counted(paragraphs.filter((paragraph) => paragraph.parentId !== null).length, "sub-paragraph")}
                  </li>
                  {betweenMeetings ? (
                    <li>Decisions made between meetings: each paragraph says how many seats took part</li>
                  ) : (
                    <>
                      <li>
                        {present.length} present, {apologies.length} apologies
                        {present.length === 0 ? " — attendance has not been recorded" : ""}
                      </li>
                      <li className={quorumMet ? undefined : "field-error"}>{quorum}</li>
                    </>
                  )}
                  <li>Security classification: {minute.classification}</li>
                </ul>
                <div className="inline-forms">
                  <IntentButton intent="confirm" className="button">
                    Yes, confirm these minutes
                  </IntentButton>
                  <Link to=".">Not yet</Link>
                </div>
              </section>
            ) : null}
          </div>
        ) : (
          <div className="alert alert--success" role="note">
            <p>
              Confirmed {minute.confirmedAt}
              {minute.confirmedAtMeeting ? (
                <>
                  {" "}
                  at <Link to={`/groups/${group.id}/meetings/${minute.confirmedAtMeeting.id}`}>{minute.confirmedAtMeeting.title}</Link> (
                  {minute.confirmedAtMeeting.date})
                </>
              ) : null}
              . This record is permanent; a correction is a new decision at a later meeting.
            </p>
          </div>
        )}
      </div>

      <ClassificationMarking classification={minute.classification} position="top" note={minute.status === "draft" ? "DRAFT" : undefined} />
      <article className="minute-document" aria-labelledby="minute-title">
        <p className="minute-document__committee">
          <TeReo text={group.name} />
        </p>
        <p className="minute-document__kind">Minute of Decision</p>
        <p className="minute-document__confidential">
          This document contains information for the {group.name}. It must be treated in confidence and handled in accordance with
          its security classification. It can only be released, including under the Official Information Act 1982, by persons with
          the appropriate authority.
        </p>
        <h1 id="minute-title">
          <TeReo text={meeting.title} />
        </h1>
        <p className="minute-document__reference">{minute.reference ?? "DRAFT — not yet confirmed"}</p>
        {group.portfolio ? (
          <p>
            <strong>Portfolio</strong> {group.portfolio}
          </p>
        ) : null}
        {meeting.heldNote ? <p className="minute-document__held">{meeting.heldNote}</p> : null}
        <p>
          On {meeting.dateLabel}, the <TeReo text={group.name} />:
        </p>
        {withoutQuorum ? (
          <p className="minute-document__no-quorum">
            <strong>{withoutQuorum}</strong>
          </p>
        ) : null}
        <MinuteParagraphs paragraphs={paragraphs} groupId={group.id} groupCode={group.code} />
        <p className="minute-document__signature">
          {minute.secretaryName ?? "(the secretary's name is added when the minutes are confirmed)"}
          <br />
          Secretary
        </p>
        {betweenMeetings ? null : <h2>Present</h2>}
        {betweenMeetings ? null : <p className="muted">{quorum}</p>}
        {betweenMeetings ? null : present.length === 0 ? (
          <p>Attendance not recorded.</p>
        ) : (
          <ul className="minute-document__people">
            {present.map((person) => (
              <li key={person.id}>
                {person.name}
                {person.note ? ` (${person.note})` : ""}
                {person.organisation ? (
                  <span className="muted">
                    , <TeReo text={person.organisation} />
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        {apologies.length > 0 ? (
          <>
            <h2>Apologies</h2>
            <ul className="minute-document__people">
              {apologies.map((person) => (
                <li key={person.id}>{person.name}</li>
              ))}
            </ul>
          </>
        ) : null}
        {officials.length > 0 ? (
          <>
            <h2>Officials present from</h2>
            <ul className="minute-document__people">
              {officials.map((official) => (
                <li key={official.id}>
                  {official.name}, <TeReo text={official.agency} />
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {conflicts.length > 0 ? (
          <>
            <h2>Conflicts of interest</h2>
            <ul>
              {conflicts.map((conflict) => {
                const { who, details } = conflictLine(conflict);
                return (
                  <li key={conflict.id}>
                    <strong>{who}</strong>
                    {details}
                  </li>
                );
              })}
            </ul>
          </>
        ) : null}
      </article>
      <ClassificationMarking classification={minute.classification} position="bottom" note={minute.status === "draft" ? "DRAFT" : undefined} />
    </>
  );
}

/** The draft's security classification, never above what the platform may hold. */
function ClassifyForm({ classification }: { classification: string }) {
  return (
    <ChoiceForm
      schema={classifyMinutesSchema}
      intent="classify"
      name="classification"
      label="Security classification"
      options={classifications.map((option) => ({ value: option, label: option }))}
      defaultValue={classification}
      className="inline-forms classify-form"
      submitLabel="Set the classification"
    />
  );
}
