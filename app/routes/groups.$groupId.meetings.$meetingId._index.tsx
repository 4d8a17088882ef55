/**
 * A meeting's page, and its live mode (journey 4): when and where, the invite for calendars, the
 * agenda (reordered and edited by the chair or secretary), and once the chair starts the meeting,
 * the item everyone is on now with its papers, the quorum from attendance, and the decisions
 * recorded as numbered paragraphs. Everyone's page follows the chair over Socket.io
 * (MeetingRoom); a late joiner loads the current state. Every change is a form post here
 * (works without JavaScript); the commands check the policy and write the audit log.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { type DecisionVerb, decisionVerbs } from "../../db/database.js";
import { TeReo } from "../components/TeReo.js";
import { AgendaItemForm, AgendaList } from "../components/meetings/AgendaList.js";
import { DecisionForm } from "../components/meetings/DecisionForm.js";
import { MeetingRoom } from "../components/meetings/MeetingRoom.js";
import { MinuteParagraphs, type ParagraphView } from "../components/meetings/MinuteParagraphs.js";
import { meetingAttendees, meetingConflicts } from "../models/attendance.server.js";
import { quorumSentence, computeQuorum } from "../meetings/quorum.js";
import { requireMeeting } from "../http/require-meeting.server.js";
import { meetingResource } from "../models/policy-resources.server.js";
import { type MeetingFormError, meetingErrorResponse } from "../http/meeting-replies.server.js";
import { addAgendaItem, endMeeting, meetingAgenda, meetingWhen, moveAgendaItem, moveToAgendaItem, removeAgendaItem, setActingChair, startMeeting, updateAgendaItem } from "../models/meetings.server.js";
import { confirmMinutes, deleteDecision, minuteView, minutesAwaitingConfirmation, recordDecision, updateDecision } from "../models/minutes.server.js";
import { listDocumentTitles } from "../models/documents.server.js";
import { listOrganisationNames } from "../models/memberships.server.js";
import { can } from "../policy/policy.js";
import meetingStyles from "../styles/meetings.css";
import { formatNzDate, formatNzShortDate, nzCalendarDate } from "../utils/dates.js";
import { formText, formTexts } from "../utils/form-data.js";
import { agendaItemKindLabels, meetingStatusLabels } from "../utils/labels.js";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: meetingStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `${loaderData?.meeting.title ?? "Meeting"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, meeting, group, resource } = await requireMeeting(request, context, params);
  const db = context.services.db;
  const agenda = await meetingAgenda(db, meeting.id);
  const attendees = await meetingAttendees(db, meeting);
  const view = await minuteView(db, meeting);
  const mayManage = can(actor, "meeting.manage", resource);
  const mayRecord = can(actor, "decision.record", resource) && (meeting.status === "in_progress" || meeting.status === "closed") && view.minute?.status === "draft";
  const current = agenda.find((item) => item.id === meeting.current_agenda_item_id) ?? null;
  const url = new URL(request.url);

  const owners = mayRecord
    ? [
        ...attendees
          .filter((attendee, index, all) => all.findIndex((other) => other.userId === attendee.userId) === index)
          .map((attendee) => ({ value: `user:${attendee.userId}`, label: `${attendee.name}${attendee.organisation ? ` (${attendee.organisation})` : ""}` })),
        ...(await listOrganisationNames(db)).map((organisation) => ({
          value: `org:${organisation.id}`,
          label: organisation.name,
        })),
      ]
    : [];
  const documents =
    mayManage && meeting.status !== "closed" && meeting.status !== "cancelled"
      ? await listDocumentTitles(db, group.id)
      : [];
  const previousMinutes =
    meeting.status === "in_progress" && can(actor, "minutes.confirm", resource) ? await minutesAwaitingConfirmation(db, group.id, meeting) : [];
  const underCurrent = view.paragraphs.filter((paragraph) => paragraph.agendaItemId === current?.id && paragraph.parentId === null);

  return {
    group: { id: group.id, name: group.name, code: group.code },
    meeting: {
      id: meeting.id,
      title: meeting.title,
      when: meetingWhen(meeting),
      location: meeting.location,
      onlineUrl: meeting.online_url,
      status: meeting.status,
      statusLabel: meetingStatusLabels[meeting.status],
      cancelReason: meeting.cancel_reason,
      agendaDocumentId: meeting.agenda_document_id,
      actingChair: attendees.find((attendee) => attendee.userId === meeting.acting_chair_user_id)?.name ?? null,
      actingChairUserId: meeting.acting_chair_user_id,
    },
    // Who may be named acting chair: the group's chair and members on the day (alternates too).
    chairCandidates:
      mayManage && (meeting.status === "scheduled" || meeting.status === "in_progress")
        ? attendees
            .filter((attendee) => attendee.role === "chair" || attendee.role === "member")
            .filter((attendee, index, all) => all.findIndex((other) => other.userId === attendee.userId) === index)
            .map((attendee) => ({ userId: attendee.userId, name: attendee.name, isChair: attendee.role === "chair" }))
        : [],
    agenda: agenda.map((item) => ({ ...item, kindLabel: agendaItemKindLabels[item.kind] })),
    current: current ? { ...current, kindLabel: agendaItemKindLabels[current.kind] } : null,
    quorum: quorumSentence(computeQuorum(attendees, group.quorum)),
    quorumMet: computeQuorum(attendees, group.quorum).met,
    attendanceRecorded: attendees.filter((attendee) => attendee.status !== null).length,
    conflicts: (await meetingConflicts(db, meeting.id)).map((conflict) => ({
      id: conflict.id,
      who: conflict.name,
      interest: conflict.interest,
      management: conflict.management,
      agendaItemId: conflict.agendaItemId,
    })),
    minute: view.minute ? { status: view.minute.status, reference: view.minute.reference } : null,
    paragraphs: view.paragraphs.map(
      (paragraph): ParagraphView => ({
        ...paragraph,
        actions: paragraph.actions.map((action) => ({ ...action, dueLabel: formatNzShortDate(action.dueOn) })),
      }),
    ),
    previousMinutes: previousMinutes.map((minute) => ({ meetingId: minute.meetingId, title: minute.title, date: formatNzDate(minute.starts_at) })),
    may: {
      manage: mayManage,
      run: can(actor, "meeting.run", meetingResource(actor, meeting)),
      record: mayRecord,
      editAgenda: mayManage && (meeting.status === "scheduled" || meeting.status === "in_progress"),
    },
    owners,
    documents,
    defaultHeading: current && underCurrent.length === 0 && !["apologies", "karakia", "whakawhanaungatanga", "closing"].includes(current.kind) ? current.title : "",
    today: nzCalendarDate(),
    scheduled: url.searchParams.get("scheduled") === "1",
  };
}

const optionalId = (form: FormData, name: string) => formText(form, name, 100) || null;

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, meeting, group } = await requireMeeting(request, context, params);
  const services = context.services;
  const db = services.db;
  const form = await request.formData();
  const intent = formText(form, "intent", 50);
  const ip = context.clientIp;
  const here = `/groups/${group.id}/meetings/${meeting.id}`;
  // Forms sent by the page's script stay on the page and get data back; without JavaScript the
  // browser is sent back to the page, so a reload never sends the form twice.
  const done = () => (formText(form, "js", 1) === "1" ? data({ ok: true, intent }) : redirect(here));
  const base = { meetingId: meeting.id, ip };
  const agendaInput = () => {
    const minutes = formText(form, "minutesAllotted", 10).trim();
    return {
      title: formText(form, "title", 300),
      presenter: formText(form, "presenter", 300) || null,
      minutesAllotted: minutes === "" ? null : Number(minutes),
      paperIds: formTexts(form, "paperId", 100),
    };
  };
  try {
    switch (intent) {
      case "live.start":
        await startMeeting(db, services, actor, base);
        return redirect(here);
      case "live.move":
        await moveToAgendaItem(db, services, actor, { ...base, itemId: formText(form, "itemId", 100) });
        return redirect(here);
      case "live.end":
        await endMeeting(db, services, actor, base);
        return redirect(here);
      case "agenda.add":
        await addAgendaItem(db, services, actor, { ...base, ...agendaInput() });
        return redirect(here);
      case "agenda.update":
        await updateAgendaItem(db, services, actor, { ...base, itemId: formText(form, "itemId", 100), ...agendaInput() });
        return redirect(here);
      case "agenda.remove":
        await removeAgendaItem(db, services, actor, { ...base, itemId: formText(form, "itemId", 100) });
        return redirect(here);
      case "agenda.move":
        await moveAgendaItem(db, services, actor, { ...base, itemId: formText(form, "itemId", 100), toPosition: Number(formText(form, "toPosition", 10)) });
        return done();
      case "decision.record": {
        const descriptions = formTexts(form, "actionDescription", 1100);
        const owners = formTexts(form, "actionOwner", 100);
        const dues = formTexts(form, "actionDue", 20);
        const actions = descriptions
          .map((description, index) => ({ description, owner: owners[index] ?? "", dueOn: dues[index] ?? "" }))
          .filter((row) => row.description.trim() !== "" || row.owner !== "" || row.dueOn !== "")
          .map((row) => ({
            description: row.description,
            ownerUserId: row.owner.startsWith("user:") ? row.owner.slice(5) : null,
            ownerOrganisationId: row.owner.startsWith("org:") ? row.owner.slice(4) : null,
            dueOn: row.dueOn,
          }));
        await recordDecision(db, services, actor, {
          ...base,
          parentId: optionalId(form, "parentId"),
          agendaItemId: optionalId(form, "agendaItemId"),
          heading: formText(form, "heading", 300) || null,
          verb: (formText(form, "verb", 30) || null) as DecisionVerb | null,
          body: formText(form, "body", 4100),
          correctsDecisionId: optionalId(form, "correctsDecisionId"),
          actions,
        });
        return done();
      }
      case "decision.update":
        await updateDecision(db, services, actor, {
          ...base,
          decisionId: formText(form, "decisionId", 100),
          verb: (formText(form, "verb", 30) || null) as DecisionVerb | null,
          body: formText(form, "body", 4100),
          heading: formText(form, "heading", 300) || null,
        });
        return redirect(here);
      case "decision.delete":
        await deleteDecision(db, services, actor, { ...base, decisionId: formText(form, "decisionId", 100) });
        return redirect(here);
      case "chair.set":
        await setActingChair(db, services, actor, { ...base, userId: optionalId(form, "actingChairUserId") });
        return redirect(here);
      case "minutes.confirmPrevious":
        await confirmMinutes(db, services, actor, { meetingId: formText(form, "previousMeetingId", 100), atMeetingId: meeting.id, ip });
        return redirect(here);
      default:
        return data<MeetingFormError>({ intent, formError: "That action is not recognised. Reload the page and try again.", field: null }, { status: 400 });
    }
  } catch (error) {
    return meetingErrorResponse(error, intent);
  }
}

export default function MeetingPage() {
  const loaderData = useLoaderData<typeof loader>();
  const { group, meeting, agenda, current, may, paragraphs, minute, previousMinutes, conflicts } = loaderData;
  const actionData = useActionData<MeetingFormError>();
  const navigation = useNavigation();
  const base = `/groups/${group.id}/meetings/${meeting.id}`;
  // This page is the index route under the meeting layout: its forms post to `?index`.
  const actionPath = `${base}?index`;
  const live = meeting.status === "in_progress";
  const decisionsSection = minute ? (
        <section className="panel" aria-labelledby="decisions-heading">
          <h2 id="decisions-heading">{minute.status === "confirmed" ? `Decisions [${minute.reference}]` : "Decisions (draft minute)"}</h2>
          <MinuteParagraphs
            paragraphs={paragraphs}
            groupId={group.id}
            groupCode={group.code}
            renderTools={may.record ? (paragraph) => <ParagraphTools paragraph={paragraph} actionPath={actionPath} /> : undefined}
          />
          {may.record ? (
            <div className="record-decision">
              <h3>Record a decision</h3>
              <DecisionForm
                actionPath={actionPath}
                groupId={group.id}
                agenda={agenda}
                defaultItemId={current?.id ?? null}
                defaultHeading={loaderData.defaultHeading}
                owners={loaderData.owners}
                today={loaderData.today}
              />
            </div>
          ) : null}
        </section>
      ) : null;
  const currentConflicts = current ? conflicts.filter((conflict) => conflict.agendaItemId === current.id || conflict.agendaItemId === null) : [];
  return (
    <>
      <p className="muted">
        <Link to={`/groups/${group.id}`}>{group.name}</Link> › <Link to={`/groups/${group.id}/meetings`}>Meetings</Link>
      </p>
      <h1>
        <TeReo text={meeting.title} />
      </h1>
      <p>
        <span className={`tag tag--${meeting.status}`}>{meeting.statusLabel}</span>
      </p>
      {loaderData.scheduled ? (
        <div className="alert alert--success" role="status">
          <p>Meeting scheduled. Members have been told in the app and by email.</p>
        </div>
      ) : null}
      {actionData?.formError ? (
        <div className="alert alert--error" role="alert">
          <p>{actionData.formError}</p>
        </div>
      ) : null}
      {meeting.status === "cancelled" ? (
        <div className="alert" role="note">
          <p>
            <strong>This meeting was cancelled.</strong> {meeting.cancelReason}
          </p>
        </div>
      ) : null}

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
          {meeting.agendaDocumentId ? (
            <Link to={`/groups/${group.id}/documents/${meeting.agendaDocumentId}`} aria-describedby="agenda-document-hint">
              Agenda document (co-edit)
            </Link>
          ) : null}
          <Link to={`${base}/attendance`}>Attendance and conflicts of interest</Link>
          {minute ? <Link to={`${base}/minutes`}>{minute.status === "confirmed" ? `Minutes [${minute.reference}]` : "Draft minutes"}</Link> : null}
          {may.manage && meeting.status === "scheduled" ? <Link to={`${base}/edit`}>Reschedule or cancel</Link> : null}
        </p>
        {loaderData.chairCandidates.length > 0 ? (
          <details className="after-form">
            <summary>Who chairs this meeting</summary>
            <Form method="post" className="inline-forms">
              <input type="hidden" name="intent" value="chair.set" />
              <label htmlFor="actingChairUserId">Chaired by</label>
              <select id="actingChairUserId" name="actingChairUserId" defaultValue={meeting.actingChairUserId ?? ""}>
                <option value="">The chair</option>
                {loaderData.chairCandidates
                  .filter((candidate) => !candidate.isChair)
                  .map((candidate) => (
                    <option key={candidate.userId} value={candidate.userId}>
                      {candidate.name} (acting chair)
                    </option>
                  ))}
              </select>
              <button type="submit" className="button button--secondary">
                Save
              </button>
            </Form>
          </details>
        ) : null}
        {meeting.agendaDocumentId ? (
          <p className="hint" id="agenda-document-hint">
            The agenda document is for drafting and shared notes; the running order is the agenda on this page.
          </p>
        ) : null}
      </section>

      <MeetingRoom meetingId={meeting.id} live={meeting.status === "scheduled" || live} />

      {meeting.status === "scheduled" && may.run ? (
        <Form method="post" className="panel">
          <input type="hidden" name="intent" value="live.start" />
          <p>When everyone is ready, start the meeting. Everyone with this page open follows you through the agenda.</p>
          <button type="submit" className="button" disabled={navigation.state !== "idle"}>
            Start the meeting
          </button>
        </Form>
      ) : null}

      {live ? (
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
          <p className={loaderData.quorumMet ? "quorum quorum--met" : "quorum quorum--not-met"}>
            {loaderData.quorum}{" "}
            {may.manage ? <Link to={`${base}/attendance`}>Record attendance</Link> : null}
          </p>
          {currentConflicts.length > 0 ? (
            <div className="now-panel__conflicts">
              <h3>Conflicts of interest declared</h3>
              <ul>
                {currentConflicts.map((conflict) => (
                  <li key={conflict.id}>
                    {conflict.who}: {conflict.interest} <span className="muted">Managed: {conflict.management}</span>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {current?.kind === "previous_minutes" && previousMinutes.length > 0 ? (
            <div className="now-panel__confirm">
              <h3>Minutes waiting for confirmation</h3>
              <ul className="list-plain">
                {previousMinutes.map((previous) => (
                  <li key={previous.meetingId}>
                    <Link to={`/groups/${group.id}/meetings/${previous.meetingId}/minutes`}>
                      <TeReo text={previous.title} />
                    </Link>{" "}
                    ({previous.date})
                    <Form method="post" className="inline-forms">
                      <input type="hidden" name="intent" value="minutes.confirmPrevious" />
                      <input type="hidden" name="previousMeetingId" value={previous.meetingId} />
                      <button type="submit" className="button button--secondary" aria-label={`Confirm these minutes: ${previous.title}`}>
                        Confirm these minutes
                      </button>
                    </Form>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {may.run ? (
            <div className="inline-forms now-panel__controls">
              {current && current.position > 1 ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="live.move" />
                  <input type="hidden" name="itemId" value={agenda[current.position - 2]!.id} />
                  <button type="submit" className="button button--secondary">
                    Previous item
                  </button>
                </Form>
              ) : null}
              {(current ? agenda[current.position] : agenda[0]) ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="live.move" />
                  <input type="hidden" name="itemId" value={(current ? agenda[current.position] : agenda[0])!.id} />
                  <button type="submit" className="button">
                    Next item
                  </button>
                </Form>
              ) : null}
              <Form method="post">
                <input type="hidden" name="intent" value="live.end" />
                <button type="submit" className="button button--secondary">
                  End the meeting
                </button>
              </Form>
            </div>
          ) : null}
        </section>
      ) : null}

      {decisionsSection}
      <section className="panel" aria-labelledby="agenda-heading">
        <h2 id="agenda-heading">Agenda</h2>
        <AgendaList
          groupId={group.id}
          actionPath={actionPath}
          items={agenda}
          currentItemId={current?.id ?? null}
          mayEdit={may.editAgenda}
          mayGoTo={may.run && live}
          documents={loaderData.documents}
        />
        {may.editAgenda ? (
          <details className="after-form">
            <summary>Add an item</summary>
            <AgendaItemForm actionPath={actionPath} documents={loaderData.documents} />
          </details>
        ) : null}
      </section>

    </>
  );
}

/** Editing a paragraph of a draft minute, adding a sub-paragraph, removing it. */
function ParagraphTools({ paragraph, actionPath }: { paragraph: ParagraphView; actionPath: string }) {
  const loaderData = useLoaderData<typeof loader>();
  const [adding, setAdding] = useState(false);
  return (
    <div className="paragraph-tools">
      {paragraph.parentId === null ? (
        adding ? (
          <DecisionForm
            actionPath={actionPath}
            groupId={loaderData.group.id}
            agenda={loaderData.agenda}
            defaultItemId={null}
            defaultHeading=""
            parent={{ id: paragraph.id, number: paragraph.number }}
            owners={[]}
            today={loaderData.today}
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
        <Form method="post" action={actionPath} className="paragraph-edit">
          <input type="hidden" name="intent" value="decision.update" />
          <input type="hidden" name="decisionId" value={paragraph.id} />
          {paragraph.parentId === null ? (
            <div className="field">
              <label htmlFor={`heading-${paragraph.id}`}>
                Heading (optional)<span className="visually-hidden"> of paragraph {paragraph.number}</span>
              </label>
              <input id={`heading-${paragraph.id}`} name="heading" type="text" maxLength={200} defaultValue={paragraph.heading ?? ""} />
            </div>
          ) : null}
          <div className="field">
            <label htmlFor={`verb-${paragraph.id}`}>
              Verb<span className="visually-hidden"> of paragraph {paragraph.number}</span>
            </label>
            <select id={`verb-${paragraph.id}`} name="verb" defaultValue={paragraph.verb ?? ""}>
              {paragraph.parentId !== null ? <option value="">No verb</option> : null}
              {decisionVerbs.map((verb) => (
                <option key={verb} value={verb}>
                  {verb}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`body-${paragraph.id}`}>
              Words<span className="visually-hidden"> of paragraph {paragraph.number}</span>
            </label>
            <textarea id={`body-${paragraph.id}`} name="body" rows={3} maxLength={4000} defaultValue={paragraph.body} />
          </div>
          <div className="inline-forms">
            <button type="submit" className="button">
              Save paragraph {paragraph.number}
            </button>
          </div>
        </Form>
        <Form method="post" action={actionPath}>
          <input type="hidden" name="intent" value="decision.delete" />
          <input type="hidden" name="decisionId" value={paragraph.id} />
          <button type="submit" className="button button--secondary">
            Remove paragraph {paragraph.number}
          </button>
        </Form>
      </details>
    </div>
  );
}
