/**
 * Running a consultation on a document (chair and secretary): open it to chosen consultees until
 * the end of a New Zealand calendar day with a brief, see who is invited and until when, invite
 * more, or close it early. Works without JavaScript.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import {
  ChoiceField,
  FormErrors,
  IntentInput,
  TextAreaField,
  TextField,
  formProps,
  resultFor,
  useAppForm,
} from "../components/forms/fields.js";
import { addConsulteesSchema, closeConsultationSchema, consultationSchema, openConsultationSchema } from "../documents/schemas.js";
import { requireReadableDocument } from "../http/require-document.server.js";
import { requirePermission } from "../http/require.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { addConsultees, closeConsultationEarly, openConsultation } from "../models/consultation-commands.server.js";
import { consultationClosingLabel, latestConsultation, listConsulteeMembers } from "../models/consultations.server.js";
import { formatNzDateTime } from "../utils/dates.js";
import { NZ_DATE_HINT } from "../utils/nz-date-schema.js";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Consultation: ${loaderData?.document.title ?? "Document"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, document, resource, group } = await requireReadableDocument(request, context, params);
  requirePermission(actor, "consultation.manage", resource);
  const db = context.services.db;
  const consultation = await latestConsultation(db, document.id);
  const consultees = await listConsulteeMembers(db, document.group_id);
  const invited = new Set(consultation?.isOpen ? consultation.invitees.map((invitee) => invitee.id) : []);
  return {
    group,
    document: { id: document.id, title: document.title, archived: document.archived_at !== null },
    consultation: consultation
      ? {
          isOpen: consultation.isOpen,
          brief: consultation.brief,
          closes: consultationClosingLabel(consultation.closes_at),
          closedEarly: consultation.closed_early_at ? formatNzDateTime(consultation.closed_early_at) : null,
          openedBy: consultation.opened_by_name,
          openedAt: formatNzDateTime(consultation.opened_at),
          invitees: consultation.invitees.map((invitee) => ({ id: invitee.id, name: invitee.display_name })),
        }
      : null,
    consultees: consultees.map((consultee) => ({
      value: consultee.id,
      label: consultee.organisation_name ? `${consultee.display_name} (${consultee.organisation_name})` : consultee.display_name,
      invited: invited.has(consultee.id),
    })),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, document, resource, group } = await requireReadableDocument(request, context, params);
  requirePermission(actor, "consultation.manage", resource);
  const submission = parseWithZod(await request.formData(), { schema: consultationSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const services = context.services;
  const ip = context.clientIp;
  const command = submission.value;
  const back = `/groups/${group.id}/documents/${document.id}/consultation`;
  try {
    if (command.intent === "open") {
      const { consulteeId: consulteeUserIds, closesOn, brief } = command;
      await openConsultation(services.db, services, actor, { documentId: document.id, consulteeUserIds, closesOn, brief, ip });
      return redirect(`${back}?opened=1`);
    }
    if (command.intent === "add") {
      await addConsultees(services.db, services, actor, { documentId: document.id, consulteeUserIds: command.consulteeId, ip });
      return redirect(back);
    }
    await closeConsultationEarly(services.db, actor, { documentId: document.id, ip }, services);
    return redirect(back);
  } catch (error) {
    return replyWithError(submission, error);
  }
}

export default function ConsultationPage() {
  const { group, document, consultation, consultees } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const documentPath = `/groups/${group.id}/documents/${document.id}`;
  const uninvited = consultees.filter((consultee) => !consultee.invited);
  // A reply from a form the page no longer shows (the consultation opened or closed meanwhile)
  // is shown by the form it shows instead.
  const openReply = resultFor(actionData, "open");
  const runningReply = resultFor(actionData, "add") ?? resultFor(actionData, "close");
  return (
    <>
      <h1>Consultation</h1>
      {consultation ? (
        <section className="panel" aria-labelledby="state-heading">
          <h2 id="state-heading">{consultation.isOpen ? "Open for comments" : "Closed"}</h2>
          <dl className="facts">
            <dt>{consultation.isOpen ? "Closes" : "Closing date"}</dt>
            <dd>{consultation.closes} (New Zealand time)</dd>
            {consultation.closedEarly ? (
              <>
                <dt>Closed early</dt>
                <dd>{consultation.closedEarly}</dd>
              </>
            ) : null}
            <dt>Opened</dt>
            <dd>
              {consultation.openedAt} by {consultation.openedBy}
            </dd>
            <dt>Consultees</dt>
            <dd>{consultation.invitees.map((invitee) => invitee.name).join(", ")}</dd>
          </dl>
          <p className="prewrap">{consultation.brief}</p>
          <p>
            <Link to={`${documentPath}/consultation/summary`}>Summary of comments</Link>
          </p>
          {consultation.isOpen ? (
            <>
              {uninvited.length > 0 ? <AddConsulteesForm consultees={uninvited} lastResult={resultFor(actionData, "add") ?? openReply} /> : null}
              <CloseConsultationForm lastResult={resultFor(actionData, "close") ?? (uninvited.length > 0 ? null : openReply)} />
            </>
          ) : null}
        </section>
      ) : null}

      {!consultation?.isOpen && !document.archived ? (
        <section className="panel" aria-labelledby="open-heading">
          <h2 id="open-heading">Open for consultation</h2>
          {consultees.length === 0 ? (
            <p>This group has no consultees yet. Invite someone with the consultee role first.</p>
          ) : (
            <OpenConsultationForm consultees={consultees} lastResult={openReply ?? runningReply} />
          )}
        </section>
      ) : null}
    </>
  );
}

type ConsulteeOption = { value: string; label: string };

function OpenConsultationForm({ consultees, lastResult }: { consultees: ConsulteeOption[]; lastResult: unknown }) {
  const [form, fields] = useAppForm(openConsultationSchema, { id: "open-consultation", lastResult });
  return (
    <Form method="post" {...formProps(form)}>
      <FormErrors form={form} />
      <IntentInput value="open" />
      <ChoiceField meta={fields.consulteeId} legend="Consultees" type="checkbox" options={consultees} />
      <TextField
        meta={fields.closesOn}
        label="Last day for comments"
        hint={`Comments close at 11:59 pm New Zealand time on this day. ${NZ_DATE_HINT}`}
      />
      <TextAreaField meta={fields.brief} label="Brief for the consultees" rows={5} />
      <button type="submit" className="button">
        Open for consultation
      </button>
    </Form>
  );
}

function AddConsulteesForm({ consultees, lastResult }: { consultees: ConsulteeOption[]; lastResult: unknown }) {
  const [form, fields] = useAppForm(addConsulteesSchema, { id: "add-consultees", lastResult });
  return (
    <Form method="post" {...formProps(form)}>
      <FormErrors form={form} />
      <IntentInput value="add" />
      <ChoiceField meta={fields.consulteeId} legend="Invite more consultees" type="checkbox" options={consultees} />
      <button type="submit" className="button">
        Invite
      </button>
    </Form>
  );
}

function CloseConsultationForm({ lastResult }: { lastResult: unknown }) {
  const [form] = useAppForm(closeConsultationSchema, { id: "close-consultation", lastResult });
  return (
    <Form method="post" {...formProps(form)}>
      <FormErrors form={form} />
      <IntentInput value="close" />
      <button type="submit" className="button button--secondary">
        Close the consultation now
      </button>
    </Form>
  );
}
