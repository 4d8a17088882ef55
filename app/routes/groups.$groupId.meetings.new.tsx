/**
 * Scheduling a meeting (chair or secretary): title, New Zealand date and start time, length, place
 * and/or online link, the agenda's optional openers (karakia, whakawhanaungatanga, closing
 * karakia) and the meeting's own items. Members are told in the app and by email.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { AgendaItemKind } from "../../db/database.js";
import { TeReo } from "../components/TeReo.js";
import { FormErrors, SelectField, TextAreaField, TextField, formProps, useAppForm } from "../components/forms/fields.js";
import { requireGroupMeetings } from "../http/require-meeting.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { agendaTemplate } from "../meetings/agenda-template.js";
import { scheduleMeetingSchema } from "../meetings/schemas.js";
import { scheduleMeeting } from "../models/meeting-scheduling.server.js";
import { NZ_DATE_HINT } from "../utils/nz-date-schema.js";

export const meta: MetaFunction = () => [{ title: "Schedule a meeting · Stewardship Workspace" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { group } = await requireGroupMeetings(request, context, params, "meeting.manage");
  return {
    group: { id: group.id, name: group.name },
    openers: agendaTemplate.filter((item) => item.optional).map((item) => ({ kind: item.kind, title: item.title })),
    standing: agendaTemplate.filter((item) => !item.optional).map((item) => item.title),
  };
}

const durations = [30, 45, 60, 90, 120, 150, 180, 240, 300, 360, 480].map((minutes) => ({
  value: String(minutes),
  label: minutes < 60 ? `${minutes} minutes` : `${minutes / 60} hour${minutes === 60 ? "" : "s"}`.replace(".5 hours", "½ hours"),
}));

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, group } = await requireGroupMeetings(request, context, params, "meeting.manage");
  const submission = parseWithZod(await request.formData(), { schema: scheduleMeetingSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const value = submission.value;
  try {
    const meetingId = await scheduleMeeting(context.services.db, context.services, actor, {
      groupId: group.id,
      title: value.title,
      date: value.date,
      time: value.time,
      durationMinutes: value.durationMinutes,
      location: value.location || null,
      onlineUrl: value.onlineUrl || null,
      openers: (value.opener ?? []) as AgendaItemKind[],
      items: (value.items ?? []).slice(0, 30).map((title) => ({ title })),
      ip: context.clientIp,
    });
    return redirect(`/groups/${group.id}/meetings/${meetingId}?scheduled=1`);
  } catch (error) {
    return replyWithError(submission, error);
  }
}

export default function ScheduleMeeting() {
  const { group, openers, standing } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useAppForm(scheduleMeetingSchema, {
    id: "schedule",
    lastResult,
    defaultValue: { title: `${group.name} hui`, time: "10:00", durationMinutes: "120", opener: openers.map((opener) => opener.kind) },
  });
  // After a refused post, the openers as they were sent; at first, all of them.
  const chosenOpeners = new Set<string>(lastResult ? [fields.opener.initialValue ?? []].flat().filter((kind): kind is string => typeof kind === "string") : openers.map((opener) => opener.kind));
  const invalid = Object.entries(form.allErrors).some(([name, errors]) => name !== "" && errors.length > 0);
  return (
    <>
      <h1>Schedule a meeting</h1>
      <FormErrors form={form} />
      {invalid ? (
        <div className="alert alert--error" role="alert">
          <p>Check the highlighted fields.</p>
        </div>
      ) : null}
      <Form method="post" className="panel" {...formProps(form)}>
        <TextField meta={fields.title} label="Title" />
        <div className="field-row">
          <TextField meta={fields.date} label="Date" hint={`In New Zealand. ${NZ_DATE_HINT}`} />
          <TextField meta={fields.time} label="Start time" hint="New Zealand time." type="time" />
          <SelectField meta={fields.durationMinutes} label="Length" options={durations} />
        </div>
        <TextField meta={fields.location} label="Place" hint="Leave blank for an online-only meeting." />
        <TextField meta={fields.onlineUrl} label="Online meeting link" hint="Optional. The full address, starting https://" type="url" />
        <fieldset className="fieldset">
          <legend>Agenda</legend>
          <p className="hint">Every agenda has {standing.join(", ").toLowerCase()}. Choose the openers and closers your group uses:</p>
          {openers.map((opener) => (
            <div className="field field--check" key={opener.kind}>
              <label>
                <input type="checkbox" name={fields.opener.name} value={opener.kind} defaultChecked={chosenOpeners.has(opener.kind)} />{" "}
                <TeReo text={opener.title} />
              </label>
            </div>
          ))}
          <TextAreaField
            meta={fields.items}
            label="Other items"
            hint="One per line, in order. They go before general business; you can change the agenda later."
            rows={4}
          />
        </fieldset>
        <button type="submit" className="button" disabled={navigation.state === "submitting"}>
          {navigation.state === "submitting" ? "Scheduling…" : "Schedule the meeting"}
        </button>
      </Form>
    </>
  );
}
