/**
 * A meeting's attendance (the secretary's or chair's record): each member on the day of the
 * meeting present, sending apologies or absent, alternates standing in for a member, officials
 * present with their agency, and conflicts of interest declared with how they were managed. The
 * quorum updates as attendance is recorded. Read-only for everyone else, and for everyone once
 * the minutes are confirmed.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { attendanceStatuses } from "../../db/database.js";
import { DataTable, type Column } from "../components/DataTable.js";
import { TeReo } from "../components/TeReo.js";
import { ErrorList, IntentInput, SelectField, TextAreaField, TextField, formProps, resultFor, useAppForm } from "../components/forms/fields.js";
import { IntentButton } from "../components/meetings/IntentButton.js";
import { MeetingRoom } from "../components/meetings/MeetingRoom.js";
import { ReplyErrors } from "../components/meetings/ReplyErrors.js";
import { requireMeeting } from "../http/require-meeting.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { addOfficialSchema, attendanceEntries, attendancePageSchema, declareConflictSchema, recordAttendanceSchema } from "../meetings/schemas.js";
import { computeQuorum, quorumSentence } from "../meetings/quorum.js";
import { addOfficial, declareConflict, meetingAttendees, meetingConflicts, meetingOfficials, recordAttendance, removeConflict, removeOfficial } from "../models/attendance.server.js";
import { meetingAgenda, meetingWhen } from "../models/meetings.server.js";
import { findMinuteStatus } from "../models/minutes.server.js";
import { permissionsFor } from "../policy/policy.js";
import meetingStyles from "../styles/meetings.css";
import { attendanceStatusLabels, roleLabels } from "../utils/labels.js";
import { Panel } from "../components/Panel.js";

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
  const may = permissionsFor(actor, resource, ["meeting.manage"]);
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
    // The record is kept by the chair or secretary until the minutes are confirmed.
    mayRecord: may["meeting.manage"] && meeting.status !== "cancelled" && minute?.status !== "confirmed",
    confirmedAs: minute?.status === "confirmed" ? minute.reference : null,
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, meeting, group } = await requireMeeting(request, context, params);
  const services = context.services;
  const db = services.db;
  const submission = parseWithZod(await request.formData(), { schema: attendancePageSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const value = submission.value;
  const base = { meetingId: meeting.id, ip: context.clientIp };
  const here = `/groups/${group.id}/meetings/${meeting.id}/attendance`;
  try {
    switch (value.intent) {
      case "attendance.record":
        await recordAttendance(db, services, actor, { ...base, entries: attendanceEntries(value) });
        return redirect(`${here}?saved=1`);
      case "official.add":
        await addOfficial(db, services, actor, { ...base, name: value.name, agency: value.agency });
        break;
      case "official.remove":
        await removeOfficial(db, services, actor, { ...base, officialId: value.officialId });
        break;
      case "conflict.declare":
        await declareConflict(db, services, actor, { ...base, ...value, agendaItemId: value.agendaItemId ?? null });
        break;
      case "conflict.remove":
        await removeConflict(db, services, actor, { ...base, conflictId: value.conflictId });
        break;
    }
  } catch (error) {
    return replyWithError(submission, error);
  }
  return redirect(here);
}

type PageData = ReturnType<typeof useLoaderData<typeof loader>>;

/** `mayRecord`: each member's cell is a choice of attendance, not the record of it. */
function attendeeColumns(mayRecord: boolean): Column<PageData["attendees"][number]>[] {
  return [
    {
      header: "Member",
      rowHeader: true,
      cell: (attendee) => (
        <>
          {attendee.name}
          {attendee.organisation ? (
            <>
              <br />
              <span className="muted">
                <TeReo text={attendee.organisation} />
              </span>
            </>
          ) : null}
        </>
      ),
    },
    { header: "Role", cell: (attendee) => (attendee.alternateFor ? `Alternate for ${attendee.alternateFor}` : attendee.role) },
    {
      header: "Attendance",
      cell: (attendee) =>
        mayRecord ? (
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
        ),
    },
  ];
}

/** `mayRecord`: a last column of buttons that remove a declaration. */
function conflictColumns(mayRecord: boolean): Column<PageData["conflicts"][number]>[] {
  const columns: Column<PageData["conflicts"][number]>[] = [
    { header: "Member", cell: (conflict) => conflict.name },
    { header: "Item", cell: (conflict) => (conflict.itemTitle ? `${conflict.itemPosition}. ${conflict.itemTitle}` : "General") },
    { header: "Interest", cell: (conflict) => conflict.interest },
    { header: "How it was managed", cell: (conflict) => conflict.management },
  ];
  if (!mayRecord) return columns;
  return [
    ...columns,
    {
      header: <span className="visually-hidden">Remove</span>,
      cell: (conflict) => (
        <IntentButton intent="conflict.remove" values={{ conflictId: conflict.id }} className="button button--link">
          Remove<span className="visually-hidden"> the declaration by {conflict.name}</span>
        </IntentButton>
      ),
    },
  ];
}

export default function Attendance() {
  const { meeting, attendees, quorum, quorumMet, officials, conflicts, agenda, mayRecord, confirmedAs } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [attendanceForm] = useAppForm(recordAttendanceSchema, { id: "attendance", lastResult: resultFor(actionData, "attendance.record") });
  return (
    <>
      <h1>Attendance and conflicts of interest</h1>
      <p className="muted">{meeting.when} (New Zealand time)</p>
      <MeetingRoom meetingId={meeting.id} live={false} />
      <ReplyErrors reply={actionData} />
      {confirmedAs ? (
        <div className="alert" role="note">
          <p>The minutes of this meeting are confirmed ({confirmedAs}); this record can no longer change.</p>
        </div>
      ) : null}
      <p className={quorumMet ? "quorum quorum--met" : "quorum quorum--not-met"} role="status">
        {quorum}
      </p>

      <Panel headingId="members-heading" heading="Members">
        <p className="muted">The group&apos;s members on the day of the meeting, from the membership record.</p>
        <Form method="post" {...formProps(attendanceForm)}>
          <IntentInput value="attendance.record" />
          <ErrorList errors={attendanceForm.allErrors.attendance} />
          <DataTable label="Members' attendance" columns={attendeeColumns(mayRecord)} rows={attendees} rowKey={(attendee) => attendee.membershipId} />
          {mayRecord ? (
            <p className="after-form">
              <button type="submit" className="button">
                Save attendance
              </button>
            </p>
          ) : null}
        </Form>
      </Panel>

      <Panel headingId="officials-heading" heading="Officials present">
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
                  <IntentButton intent="official.remove" values={{ officialId: official.id }} className="button button--link">
                    Remove<span className="visually-hidden"> {official.name}</span>
                  </IntentButton>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        {mayRecord ? <OfficialForm key={`officials-${officials.length}`} /> : null}
      </Panel>

      <Panel headingId="conflicts-heading" heading="Conflicts of interest">
        <DataTable label="Conflicts of interest declared" columns={conflictColumns(mayRecord)} rows={conflicts} rowKey={(conflict) => conflict.id} empty="No conflicts of interest declared." />
        {mayRecord ? <ConflictForm key={`conflicts-${conflicts.length}`} attendees={attendees} agenda={agenda} /> : null}
      </Panel>
    </>
  );
}

/** An official present: their name and agency. */
function OfficialForm() {
  const [form, fields] = useAppForm(addOfficialSchema, { id: "official", lastResult: resultFor(useActionData(), "official.add") });
  return (
    <Form method="post" className="after-form" {...formProps(form)}>
      <IntentInput value="official.add" />
      <div className="field-row">
        <TextField meta={fields.name} label="Official's name" />
        <TextField meta={fields.agency} label="Agency" />
      </div>
      <button type="submit" className="button button--secondary">
        Add the official
      </button>
    </Form>
  );
}

/** A conflict of interest declared: who, for which item, the interest and how it was managed. */
function ConflictForm({ attendees, agenda }: { attendees: { membershipId: string; name: string }[]; agenda: { id: string; position: number; title: string }[] }) {
  const [form, fields] = useAppForm(declareConflictSchema, { id: "conflict", lastResult: resultFor(useActionData(), "conflict.declare") });
  return (
    <Form method="post" className="after-form" {...formProps(form)}>
      <IntentInput value="conflict.declare" />
      <h3>Record a declaration</h3>
      <div className="field-row">
        <SelectField
          meta={fields.membershipId}
          label="Member"
          placeholder="Choose a member"
          options={attendees.map((attendee) => ({ value: attendee.membershipId, label: attendee.name }))}
        />
        <SelectField
          meta={fields.agendaItemId}
          label="Agenda item"
          placeholder="General (the whole meeting)"
          options={agenda.map((item) => ({ value: item.id, label: `${item.position}. ${item.title}` }))}
        />
      </div>
      <TextAreaField meta={fields.interest} label="The interest" hint="For example: trustee of a provider named in the paper." rows={2} />
      <TextField
        meta={fields.management}
        label="How it was managed"
        hint="For example: left the room for the item; took part in discussion but not the decision."
        list="conflict-managements"
      />
      <datalist id="conflict-managements">
        <option value="Left the room for the item" />
        <option value="Took part in the discussion but not the decision" />
        <option value="Noted; no further action needed" />
      </datalist>
      <button type="submit" className="button button--secondary">
        Record the declaration
      </button>
    </Form>
  );
}
