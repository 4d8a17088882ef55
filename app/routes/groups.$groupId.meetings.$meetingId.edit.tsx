/**
 * Rescheduling a meeting (date, time, length, place, link) or cancelling it with a reason; members
 * are told, and calendars replace the event (its SEQUENCE goes up). Only before it starts.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { IntentInput, TextAreaField, TextField, formProps, resultFor, useAppForm } from "../components/forms/fields.js";
import { ReplyErrors } from "../components/meetings/ReplyErrors.js";
import { requireMeeting } from "../http/require-meeting.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { cancelMeetingSchema, editMeetingSchema, rescheduleMeetingSchema } from "../meetings/schemas.js";
import { cancelMeeting, rescheduleMeeting } from "../models/meeting-scheduling.server.js";
import { formatNzShortDate, nzCalendarDate, nzClockTime } from "../utils/dates.js";
import { NZ_DATE_HINT } from "../utils/nz-date-schema.js";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Reschedule or cancel: ${loaderData?.meeting.title ?? "Meeting"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { meeting, group } = await requireMeeting(request, context, params, "meeting.manage");
  if (meeting.status !== "scheduled") throw redirect(`/groups/${group.id}/meetings/${meeting.id}`);
  return {
    meeting: {
      title: meeting.title,
      date: formatNzShortDate(nzCalendarDate(meeting.starts_at)),
      time: nzClockTime(meeting.starts_at),
      durationMinutes: meeting.duration_minutes,
      location: meeting.location ?? "",
      onlineUrl: meeting.online_url ?? "",
    },
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, meeting, group } = await requireMeeting(request, context, params, "meeting.manage");
  const submission = parseWithZod(await request.formData(), { schema: editMeetingSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const services = context.services;
  const value = submission.value;
  try {
    if (value.intent === "reschedule") {
      await rescheduleMeeting(services.db, services, actor, {
        meetingId: meeting.id,
        ...value,
        location: value.location || null,
        onlineUrl: value.onlineUrl || null,
        ip: context.clientIp,
      });
    } else {
      await cancelMeeting(services.db, services, actor, { meetingId: meeting.id, reason: value.reason, ip: context.clientIp });
    }
  } catch (error) {
    return replyWithError(submission, error);
  }
  return redirect(`/groups/${group.id}/meetings/${meeting.id}`);
}

export default function EditMeeting() {
  const { meeting } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [reschedule, details] = useAppForm(rescheduleMeetingSchema, { id: "reschedule", lastResult: resultFor(actionData, "reschedule"), defaultValue: meeting });
  const [cancel, cancelFields] = useAppForm(cancelMeetingSchema, { id: "cancel", lastResult: resultFor(actionData, "cancel") });
  return (
    <>
      <h1>Reschedule or cancel</h1>
      <ReplyErrors reply={actionData} />
      <Form method="post" className="panel" aria-labelledby="reschedule-heading" {...formProps(reschedule)}>
        <h2 id="reschedule-heading">Reschedule</h2>
        <IntentInput value="reschedule" />
        <TextField meta={details.title} label="Title" />
        <div className="field-row">
          <TextField meta={details.date} label="Date" hint={`In New Zealand. ${NZ_DATE_HINT}`} />
          <TextField meta={details.time} label="Start time" hint="New Zealand time." type="time" />
          <TextField meta={details.durationMinutes} label="Length in minutes" type="number" />
        </div>
        <TextField meta={details.location} label="Place" />
        <TextField meta={details.onlineUrl} label="Online meeting link" type="url" />
        <button type="submit" className="button">
          Save and tell the members
        </button>
      </Form>
      <Form method="post" className="panel" aria-labelledby="cancel-heading" {...formProps(cancel)}>
        <h2 id="cancel-heading">Cancel the meeting</h2>
        <IntentInput value="cancel" />
        <p>The meeting stays on record as cancelled, and members are told the reason.</p>
        <TextAreaField meta={cancelFields.reason} label="Reason" rows={2} />
        <button type="submit" className="button button--danger">
          Cancel the meeting
        </button>
      </Form>
    </>
  );
}
