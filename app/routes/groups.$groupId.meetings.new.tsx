/**
 * Scheduling a meeting (chair or secretary): title, New Zealand date and start time, length, place
 * and/or online link, the agenda's optional openers (karakia, whakawhanaungatanga, closing
 * karakia) and the meeting's own items. Members are told in the app and by email.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import type { AgendaItemKind } from "../../db/database.js";
import { TeReo } from "../components/TeReo.js";
import { Field, FormError } from "../components/forms/Field.js";
import { agendaTemplate } from "../meetings/agenda-template.js";
import { fieldMessages, meetingDetailsSchema } from "../meetings/meeting-form.js";
import { requireGroupMeetings } from "../http/require-meeting.server.js";
import { meetingErrorResponse } from "../http/meeting-replies.server.js";
import { scheduleMeeting } from "../models/meetings.server.js";
import { nzCalendarDate } from "../utils/dates.js";
import { formText, formTexts } from "../utils/form-data.js";

export const meta: MetaFunction = () => [{ title: "Schedule a meeting · Stewardship Workspace" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { group } = await requireGroupMeetings(request, context, params, "meeting.manage");
  return {
    group: { id: group.id, name: group.name },
    today: nzCalendarDate(),
    openers: agendaTemplate.filter((item) => item.optional).map((item) => ({ kind: item.kind, title: item.title })),
    standing: agendaTemplate.filter((item) => !item.optional).map((item) => item.title),
  };
}

const durations = [30, 45, 60, 90, 120, 150, 180, 240, 300, 360, 480];

const scheduleSchema = meetingDetailsSchema.extend({
  items: z.string().max(4000, "Keep the list of items shorter"),
});

type Values = Record<"title" | "date" | "time" | "durationMinutes" | "location" | "onlineUrl" | "items", string> & { openers: string[] };
type ActionData = { fieldErrors: Partial<Record<keyof Values, string>>; formError?: string; values: Values };

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, group } = await requireGroupMeetings(request, context, params, "meeting.manage");
  const form = await request.formData();
  const text = (name: string) => formText(form, name);
  const openers = formTexts(form, "opener", 50);
  const values: Values = {
    title: text("title"),
    date: text("date"),
    time: text("time"),
    durationMinutes: text("durationMinutes"),
    location: text("location"),
    onlineUrl: text("onlineUrl"),
    items: text("items"),
    openers,
  };
  const parsed = scheduleSchema.safeParse(values);
  if (!parsed.success) {
    const fieldErrors = fieldMessages<keyof Values>(parsed.error);
    return data<ActionData>({ fieldErrors, values }, { status: 400 });
  }
  const allowedOpeners = new Set<string>(agendaTemplate.filter((item) => item.optional).map((item) => item.kind));
  try {
    const meetingId = await scheduleMeeting(context.services.db, context.services, actor, {
      groupId: group.id,
      title: parsed.data.title,
      date: parsed.data.date,
      time: parsed.data.time,
      durationMinutes: parsed.data.durationMinutes,
      location: parsed.data.location || null,
      onlineUrl: parsed.data.onlineUrl || null,
      openers: openers.filter((kind) => allowedOpeners.has(kind)) as AgendaItemKind[],
      items: parsed.data.items
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.length > 0)
        .slice(0, 30)
        .map((title) => ({ title })),
      ip: context.clientIp,
    });
    return redirect(`/groups/${group.id}/meetings/${meetingId}?scheduled=1`);
  } catch (error) {
    const answer = meetingErrorResponse(error, "schedule");
    const field = answer.data.field as keyof Values | null;
    return data<ActionData>(
      { fieldErrors: field ? { [field]: answer.data.formError } : {}, formError: field ? undefined : answer.data.formError, values },
      { status: answer.init?.status ?? 400 },
    );
  }
}

export default function ScheduleMeeting() {
  const { group, today, openers, standing } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const errors = actionData?.fieldErrors ?? {};
  const values = actionData?.values;
  const chosenOpeners = values ? new Set(values.openers) : new Set(openers.map((opener) => opener.kind));
  return (
    <>
      <p className="muted">
        <Link to={`/groups/${group.id}/meetings`}>Meetings</Link>
      </p>
      <h1>Schedule a meeting</h1>
      <FormError message={actionData?.formError} />
      {Object.keys(errors).length > 0 ? (
        <div className="alert alert--error" role="alert">
          <p>Check the highlighted fields.</p>
        </div>
      ) : null}
      <Form method="post" noValidate className="panel">
        <Field name="title" label="Title" error={errors.title}>
          {(control) => <input {...control} type="text" required maxLength={200} defaultValue={values?.title ?? `${group.name} hui`} />}
        </Field>
        <div className="field-row">
          <Field name="date" label="Date" hint="In New Zealand." error={errors.date}>
            {(control) => <input {...control} type="date" required min={today} defaultValue={values?.date ?? ""} />}
          </Field>
          <Field name="time" label="Start time" hint="New Zealand time." error={errors.time}>
            {(control) => <input {...control} type="time" required defaultValue={values?.time ?? "10:00"} />}
          </Field>
          <Field name="durationMinutes" label="Length" error={errors.durationMinutes}>
            {(control) => (
              <select {...control} defaultValue={values?.durationMinutes ?? "120"}>
                {durations.map((minutes) => (
                  <option key={minutes} value={minutes}>
                    {minutes < 60 ? `${minutes} minutes` : `${minutes / 60} hour${minutes === 60 ? "" : "s"}`.replace(".5 hours", "½ hours")}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <Field name="location" label="Place" hint="Leave blank for an online-only meeting." error={errors.location}>
          {(control) => <input {...control} type="text" maxLength={300} defaultValue={values?.location ?? ""} />}
        </Field>
        <Field name="onlineUrl" label="Online meeting link" hint="Optional. The full address, starting https://" error={errors.onlineUrl}>
          {(control) => <input {...control} type="url" maxLength={300} defaultValue={values?.onlineUrl ?? ""} />}
        </Field>
        <fieldset className="fieldset">
          <legend>Agenda</legend>
          <p className="hint">
            Every agenda has {standing.join(", ").toLowerCase()}. Choose the openers and closers your group uses:
          </p>
          {openers.map((opener) => (
            <div className="field field--check" key={opener.kind}>
              <label>
                <input type="checkbox" name="opener" value={opener.kind} defaultChecked={chosenOpeners.has(opener.kind)} />{" "}
                <TeReo text={opener.title} />
              </label>
            </div>
          ))}
          <Field name="items" label="Other items" hint="One per line, in order. They go before general business; you can change the agenda later." error={errors.items}>
            {(control) => <textarea {...control} rows={4} defaultValue={values?.items ?? ""} />}
          </Field>
        </fieldset>
        <button type="submit" className="button" disabled={navigation.state === "submitting"}>
          {navigation.state === "submitting" ? "Scheduling…" : "Schedule the meeting"}
        </button>
      </Form>
    </>
  );
}
