/**
 * Rescheduling a meeting (date, time, length, place, link) or cancelling it with a reason; members
 * are told, and calendars replace the event (its SEQUENCE goes up). Only before it starts.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { TeReo } from "../components/TeReo.js";
import { Field, FormError } from "../components/forms/Field.js";
import { requireMeeting } from "../http/require-meeting.server.js";
import { type MeetingFormError, meetingErrorResponse } from "../http/meeting-replies.server.js";
import { cancelMeeting, rescheduleMeeting } from "../models/meetings.server.js";
import { fieldMessages, meetingDetailsSchema, type MeetingDetailsField } from "../meetings/meeting-form.js";
import { nzCalendarDate, nzClockTime } from "../utils/dates.js";
import { formText } from "../utils/form-data.js";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Reschedule or cancel: ${loaderData?.meeting.title ?? "Meeting"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { meeting, group } = await requireMeeting(request, context, params, "meeting.manage");
  if (meeting.status !== "scheduled") throw redirect(`/groups/${group.id}/meetings/${meeting.id}`);
  return {
    group: { id: group.id },
    meeting: {
      id: meeting.id,
      title: meeting.title,
      date: nzCalendarDate(meeting.starts_at),
      time: nzClockTime(meeting.starts_at),
      durationMinutes: meeting.duration_minutes,
      location: meeting.location ?? "",
      onlineUrl: meeting.online_url ?? "",
    },
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, meeting, group } = await requireMeeting(request, context, params, "meeting.manage");
  const form = await request.formData();
  const intent = formText(form, "intent", 50);
  const services = context.services;
  const back = `/groups/${group.id}/meetings/${meeting.id}`;
  try {
    if (intent === "reschedule") {
      const parsed = meetingDetailsSchema.safeParse({
        title: formText(form, "title", 300),
        date: formText(form, "date", 20),
        time: formText(form, "time", 10),
        durationMinutes: formText(form, "durationMinutes", 10),
        location: formText(form, "location", 600),
        onlineUrl: formText(form, "onlineUrl", 600),
      });
      if (!parsed.success) {
        const [field, message] = Object.entries(fieldMessages<MeetingDetailsField>(parsed.error))[0] ?? ["title", "Check the meeting's details"];
        return data<MeetingFormError>({ intent, formError: message ?? "Check the meeting's details", field }, { status: 400 });
      }
      await rescheduleMeeting(services.db, services, actor, {
        meetingId: meeting.id,
        ...parsed.data,
        location: parsed.data.location || null,
        onlineUrl: parsed.data.onlineUrl || null,
        ip: context.clientIp,
      });
      return redirect(back);
    }
    if (intent === "cancel") {
      await cancelMeeting(services.db, services, actor, { meetingId: meeting.id, reason: formText(form, "reason", 600), ip: context.clientIp });
      return redirect(back);
    }
  } catch (error) {
    return meetingErrorResponse(error, intent);
  }
  return data<MeetingFormError>({ intent, formError: "That action is not recognised. Reload the page and try again.", field: null }, { status: 400 });
}

export default function EditMeeting() {
  const { group, meeting } = useLoaderData<typeof loader>();
  const actionData = useActionData<MeetingFormError>();
  const error = (intent: string, field: string) => (actionData?.intent === intent && actionData.field === field ? actionData.formError : null);
  return (
    <>
      <p className="muted">
        <Link to={`/groups/${group.id}/meetings/${meeting.id}`}>
          <TeReo text={meeting.title} />
        </Link>
      </p>
      <h1>Reschedule or cancel</h1>
      <FormError message={actionData && !actionData.field ? actionData.formError : null} />
      <Form method="post" className="panel" noValidate aria-labelledby="reschedule-heading">
        <h2 id="reschedule-heading">Reschedule</h2>
        <input type="hidden" name="intent" value="reschedule" />
        <Field name="title" id="title" label="Title" error={error("reschedule", "title")}>
          {(control) => <input {...control} type="text" maxLength={200} defaultValue={meeting.title} />}
        </Field>
        <div className="field-row">
          <Field name="date" label="Date" hint="In New Zealand." error={error("reschedule", "date")}>
            {(control) => <input {...control} type="date" defaultValue={meeting.date} />}
          </Field>
          <Field name="time" label="Start time" hint="New Zealand time." error={error("reschedule", "time")}>
            {(control) => <input {...control} type="time" defaultValue={meeting.time} />}
          </Field>
          <Field name="durationMinutes" label="Length in minutes" error={error("reschedule", "durationMinutes")}>
            {(control) => <input {...control} type="number" min={5} max={1440} defaultValue={meeting.durationMinutes} />}
          </Field>
        </div>
        <Field name="location" label="Place" error={error("reschedule", "location")}>
          {(control) => <input {...control} type="text" maxLength={300} defaultValue={meeting.location} />}
        </Field>
        <Field name="onlineUrl" label="Online meeting link" error={error("reschedule", "onlineUrl")}>
          {(control) => <input {...control} type="url" maxLength={300} defaultValue={meeting.onlineUrl} />}
        </Field>
        <button type="submit" className="button">
          Save and tell the members
        </button>
      </Form>
      <Form method="post" className="panel" noValidate aria-labelledby="cancel-heading">
        <h2 id="cancel-heading">Cancel the meeting</h2>
        <input type="hidden" name="intent" value="cancel" />
        <p>The meeting stays on record as cancelled, and members are told the reason.</p>
        <Field name="reason" label="Reason" error={error("cancel", "reason")}>
          {(control) => <textarea {...control} rows={2} maxLength={500} />}
        </Field>
        <button type="submit" className="button button--danger">
          Cancel the meeting
        </button>
      </Form>
    </>
  );
}
