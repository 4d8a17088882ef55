/**
 * A meeting's attendance (the secretary's or chair's record): each member on the day of the
 * meeting present, sending apologies or absent, alternates standing in for a member, officials
 * present with their agency, and conflicts of interest declared with how they were managed. The
 * quorum updates as attendance is recorded. Read-only for everyone else, and for everyone once
 * the minutes are confirmed.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { type AttendanceStatus, attendanceStatuses } from "../../db/database.js";
import { TeReo } from "../components/TeReo.js";
import { Field } from "../components/forms/Field.js";
import { MeetingRoom } from "../components/meetings/MeetingRoom.js";
import { computeQuorum, quorumSentence } from "../meetings/quorum.js";
import {
  addOfficial,
  declareConflict,
  meetingAttendees,
  meetingConflicts,
  meetingOfficials,
  recordAttendance,
  removeConflict,
  removeOfficial,
} from "../models/attendance.server.js";
import { requireMeeting } from "../http/require-meeting.server.js";
import { type MeetingFormError, meetingErrorResponse } from "../http/meeting-replies.server.js";
import { meetingAgenda, meetingWhen } from "../models/meetings.server.js";
import { findMinuteStatus } from "../models/minutes.server.js";
import { can } from "../policy/policy.js";
import meetingStyles from "../styles/meetings.css";
import { formText } from "../utils/form-data.js";
import { attendanceStatusLabels, roleLabels } from "../utils/labels.js";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: meetingStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Attendance: ${loaderData?.meeting.title ?? "Meeting"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, meeting, group, resource } = await requireMeeting(request, context, params);
  const db = context.services.db;
  const attendees = await meetingAttendees(db, meeting);
  const minute = await findMinuteStatus(db, meeting.id);
  const quorum = computeQuorum(attendees, group.quorum);
  return {
    group: { id: group.id, name: group.name },
    meeting: { id: meeting.id, title: meeting.title, when: meetingWhen(meeting), status: meeting.status },
    attendees: attendees.map((attendee) => ({
      membershipId: attendee.membershipId,
      name: attendee.name,
      organisation: attendee.organisation,
      role: roleLabels[attendee.role],
      alternateFor: attendee.alternateForName,
      status: attendee.status,
    })),
    quorum: quorumSentence(quorum),
    quorumMet: quorum.met,
    officials: await meetingOfficials(db, meeting.id),
    conflicts: await meetingConflicts(db, meeting.id),
    agenda: (await meetingAgenda(db, meeting.id)).map((item) => ({ id: item.id, position: item.position, title: item.title })),
    mayRecord: can(actor, "meeting.manage", resource) && meeting.status !== "cancelled" && minute?.status !== "confirmed",
    confirmedAs: minute?.status === "confirmed" ? minute.reference : null,
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, meeting, group } = await requireMeeting(request, context, params);
  const services = context.services;
  const db = services.db;
  const form = await request.formData();
  const intent = formText(form, "intent", 50);
  const base = { meetingId: meeting.id, ip: context.clientIp };
  const here = `/groups/${group.id}/meetings/${meeting.id}/attendance`;
  try {
    switch (intent) {
      case "attendance.record": {
        // One radio group per member, named "status-<membershipId>".
        const entries: { membershipId: string; status: AttendanceStatus }[] = [];
        for (const [name, value] of form.entries()) {
          if (!name.startsWith("status-") || typeof value !== "string") continue;
          if (!attendanceStatuses.includes(value as AttendanceStatus)) {
            return data<MeetingFormError>({ intent, formError: "Choose present, apologies or absent for each member", field: "attendance" }, { status: 400 });
          }
          entries.push({ membershipId: name.slice("status-".length), status: value as AttendanceStatus });
        }
        await recordAttendance(db, services, actor, { ...base, entries });
        return redirect(`${here}?saved=1`);
      }
      case "official.add":
        await addOfficial(db, services, actor, { ...base, name: formText(form, "name", 300), agency: formText(form, "agency", 300) });
        return redirect(here);
      case "official.remove":
        await removeOfficial(db, services, actor, { ...base, officialId: formText(form, "officialId", 100) });
        return redirect(here);
      case "conflict.declare":
        await declareConflict(db, services, actor, {
          ...base,
          membershipId: formText(form, "membershipId", 100),
          agendaItemId: formText(form, "agendaItemId", 100) || null,
          interest: formText(form, "interest"),
          management: formText(form, "management"),
        });
        return redirect(here);
      case "conflict.remove":
        await removeConflict(db, services, actor, { ...base, conflictId: formText(form, "conflictId", 100) });
        return redirect(here);
      default:
        return data<MeetingFormError>({ intent, formError: "That action is not recognised. Reload the page and try again.", field: null }, { status: 400 });
    }
  } catch (error) {
    return meetingErrorResponse(error, intent);
  }
}

export default function Attendance() {
  const { group, meeting, attendees, quorum, quorumMet, officials, conflicts, agenda, mayRecord, confirmedAs } = useLoaderData<typeof loader>();
  const actionData = useActionData<MeetingFormError>();
  const base = `/groups/${group.id}/meetings/${meeting.id}`;
  const error = (field: string) => (actionData?.field === field ? actionData.formError : null);
  return (
    <>
      <p className="muted">
        <Link to={`/groups/${group.id}/meetings`}>Meetings</Link> › <Link to={base}><TeReo text={meeting.title} /></Link>
      </p>
      <h1>Attendance and conflicts of interest</h1>
      <p className="muted">{meeting.when} (New Zealand time)</p>
      <MeetingRoom meetingId={meeting.id} live={false} />
      {actionData?.formError && !actionData.field ? (
        <div className="alert alert--error" role="alert">
          <p>{actionData.formError}</p>
        </div>
      ) : null}
      {confirmedAs ? (
        <div className="alert" role="note">
          <p>The minutes of this meeting are confirmed ({confirmedAs}); this record can no longer change.</p>
        </div>
      ) : null}
      <p className={quorumMet ? "quorum quorum--met" : "quorum quorum--not-met"} role="status">
        {quorum}
      </p>

      <section className="panel" aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        <p className="muted">The group&apos;s members on the day of the meeting, from the membership record.</p>
        <Form method="post">
          <input type="hidden" name="intent" value="attendance.record" />
          {error("attendance") ? (
            <p className="field-error" role="alert">
              {error("attendance")}
            </p>
          ) : null}
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Role</th>
                <th scope="col">Attendance</th>
              </tr>
            </thead>
            <tbody>
              {attendees.map((attendee) => (
                <tr key={attendee.membershipId}>
                  <th scope="row">
                    {attendee.name}
                    {attendee.organisation ? (
                      <>
                        <br />
                        <span className="muted">
                          <TeReo text={attendee.organisation} />
                        </span>
                      </>
                    ) : null}
                  </th>
                  <td>
                    {attendee.alternateFor ? `Alternate for ${attendee.alternateFor}` : attendee.role}
                  </td>
                  <td>
                    {mayRecord ? (
                      <fieldset className="fieldset attendance-choice">
                        <legend className="visually-hidden">Attendance of {attendee.name}</legend>
                        {attendanceStatuses.map((status) => (
                          <label key={status} className="attendance-choice__option">
                            <input type="radio" name={`status-${attendee.membershipId}`} value={status} defaultChecked={attendee.status === status} />{" "}
                            {attendanceStatusLabels[status]}
                          </label>
                        ))}
                      </fieldset>
                    ) : attendee.status ? (
                      attendanceStatusLabels[attendee.status]
                    ) : (
                      <span className="muted">Not recorded</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {mayRecord ? (
            <p className="after-form">
              <button type="submit" className="button">
                Save attendance
              </button>
            </p>
          ) : null}
        </Form>
      </section>

      <section className="panel" aria-labelledby="officials-heading">
        <h2 id="officials-heading">Officials present</h2>
        {officials.length === 0 ? (
          <p>No officials recorded.</p>
        ) : (
          <ul className="list-plain">
            {officials.map((official) => (
              <li key={official.id} className="inline-forms">
                <span>
                  {official.name}, <TeReo text={official.agency} />
                </span>
                {mayRecord ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="official.remove" />
                    <input type="hidden" name="officialId" value={official.id} />
                    <button type="submit" className="button button--link">
                      Remove<span className="visually-hidden"> {official.name}</span>
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        {mayRecord ? (
          <Form method="post" className="after-form" noValidate key={`officials-${officials.length}`}>
            <input type="hidden" name="intent" value="official.add" />
            <div className="field-row">
              <Field name="name" id="official-name" label="Official's name" error={error("name")}>
                {(control) => <input {...control} type="text" maxLength={200} required />}
              </Field>
              <Field name="agency" id="official-agency" label="Agency" error={error("agency")}>
                {(control) => <input {...control} type="text" maxLength={200} required />}
              </Field>
            </div>
            <button type="submit" className="button button--secondary">
              Add the official
            </button>
          </Form>
        ) : null}
      </section>

      <section className="panel" aria-labelledby="conflicts-heading">
        <h2 id="conflicts-heading">Conflicts of interest</h2>
        {conflicts.length === 0 ? (
          <p>No conflicts of interest declared.</p>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Item</th>
                <th scope="col">Interest</th>
                <th scope="col">How it was managed</th>
                {mayRecord ? (
                  <th scope="col">
                    <span className="visually-hidden">Remove</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {conflicts.map((conflict) => (
                <tr key={conflict.id}>
                  <td>{conflict.name}</td>
                  <td>{conflict.itemTitle ? `${conflict.itemPosition}. ${conflict.itemTitle}` : "General"}</td>
                  <td>{conflict.interest}</td>
                  <td>{conflict.management}</td>
                  {mayRecord ? (
                    <td>
                      <Form method="post">
                        <input type="hidden" name="intent" value="conflict.remove" />
                        <input type="hidden" name="conflictId" value={conflict.id} />
                        <button type="submit" className="button button--link">
                          Remove<span className="visually-hidden"> the declaration by {conflict.name}</span>
                        </button>
                      </Form>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {mayRecord ? (
          <Form method="post" className="after-form" noValidate key={`conflicts-${conflicts.length}`}>
            <input type="hidden" name="intent" value="conflict.declare" />
            <h3>Record a declaration</h3>
            <div className="field-row">
              <Field name="membershipId" id="conflict-member" label="Member" error={error("membershipId")}>
                {(control) => (
                  <select {...control} defaultValue="">
                    <option value="">Choose a member</option>
                    {attendees.map((attendee) => (
                      <option key={attendee.membershipId} value={attendee.membershipId}>
                        {attendee.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field name="agendaItemId" id="conflict-item" label="Agenda item" error={error("agendaItemId")}>
                {(control) => (
                  <select {...control} defaultValue="">
                    <option value="">General (the whole meeting)</option>
                    {agenda.map((item) => (
                      <option key={item.id} value={item.id}>
                        {item.position}. {item.title}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            <Field name="interest" id="conflict-interest" label="The interest" hint="For example: trustee of a provider named in the paper." error={error("interest")}>
              {(control) => <textarea {...control} rows={2} maxLength={1000} />}
            </Field>
            <Field name="management" id="conflict-management" label="How it was managed" hint="For example: left the room for the item; took part in discussion but not the decision." error={error("management")}>
              {(control) => <input {...control} type="text" maxLength={1000} list="conflict-managements" />}
            </Field>
            <datalist id="conflict-managements">
              <option value="Left the room for the item" />
              <option value="Took part in the discussion but not the decision" />
              <option value="Noted; no further action needed" />
            </datalist>
            <button type="submit" className="button button--secondary">
              Record the declaration
            </button>
          </Form>
        ) : null}
      </section>
    </>
  );
}
