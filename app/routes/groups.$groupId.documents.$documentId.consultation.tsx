/**
 * Running a consultation on a document (chair and secretary): open it to chosen consultees until
 * the end of a New Zealand calendar day with a brief, see who is invited and until when, invite
 * more, or close it early. Works without JavaScript.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireReadableDocument } from "../http/require-document.server.js";
import { documentRoom } from "../realtime/contract.js";
import {
  CONSULTATION_BRIEF_MAX,
  addConsultees,
  closeConsultationEarly,
  consultationClosingLabel,
  latestConsultation,
  listConsulteeMembers,
  openConsultation,
} from "../models/consultations.server.js";
import { requirePermission } from "../http/require.server.js";
import { formatNzDateTime, nzCalendarDate } from "../utils/dates.js";
import { AppError } from "../errors.js";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Consultation: ${loaderData?.document.title ?? "Document"} · Stewardship Workspace` },
];

type ActionData = { formError: string };

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, document, resource, group } = await requireReadableDocument(request, context, params);
  requirePermission(actor, "consultation.manage", resource);
  const db = context.services.db;
  const consultation = await latestConsultation(db, document.id);
  const consultees = await listConsulteeMembers(db, document.group_id);
  const invited = new Set(consultation?.isOpen ? consultation.invitees.map((invitee) => invitee.id) : []);
  return {
    group,
    document: { id: document.id, title: document.title, classification: document.classification, archived: document.archived_at !== null },
    today: nzCalendarDate(),
    briefMax: CONSULTATION_BRIEF_MAX,
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
      id: consultee.id,
      name: consultee.display_name,
      organisation: consultee.organisation_name,
      invited: invited.has(consultee.id),
    })),
  };
}

const openSchema = z.object({
  closesOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Choose the closing date"),
  brief: z.string().trim().min(1, "Write a brief for the consultees").max(CONSULTATION_BRIEF_MAX, `Keep the brief to ${CONSULTATION_BRIEF_MAX} characters or fewer`),
});

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, document, resource, group } = await requireReadableDocument(request, context, params);
  requirePermission(actor, "consultation.manage", resource);
  const form = await request.formData();
  const intent = form.get("intent");
  const consulteeUserIds = form.getAll("consulteeId").filter((value): value is string => typeof value === "string");
  const services = context.services;
  const ip = context.clientIp;
  const back = `/groups/${group.id}/documents/${document.id}/consultation`;
  try {
    if (intent === "open") {
      const parsed = openSchema.safeParse({ closesOn: form.get("closesOn") ?? "", brief: form.get("brief") ?? "" });
      if (!parsed.success) return data<ActionData>({ formError: parsed.error.issues[0]?.message ?? "Check the form" }, { status: 400 });
      await openConsultation(services.db, services, actor, { documentId: document.id, consulteeUserIds, ...parsed.data, ip });
      services.realtime.emitToRoom(documentRoom(document.id), "consultation:changed", { documentId: document.id });
      return redirect(`${back}?opened=1`);
    }
    if (intent === "add") {
      await addConsultees(services.db, services, actor, { documentId: document.id, consulteeUserIds, ip });
      return redirect(back);
    }
    if (intent === "close") {
      await closeConsultationEarly(services.db, actor, { documentId: document.id, ip });
      // Consultees' open editor connections lose their read access now, not at their next visit.
      await services.accessChanged();
      services.realtime.emitToRoom(documentRoom(document.id), "consultation:changed", { documentId: document.id });
      return redirect(back);
    }
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const status = error.code === "FORBIDDEN" ? 403 : error.code === "NOT_FOUND" ? 404 : error.code === "INVALID_INPUT" ? 400 : 409;
    return data<ActionData>({ formError: error.message }, { status });
  }
  return data<ActionData>({ formError: "That action is not recognised. Reload the page and try again." }, { status: 400 });
}

export default function ConsultationPage() {
  const { group, document, consultation, consultees, today, briefMax } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const documentPath = `/groups/${group.id}/documents/${document.id}`;
  const uninvited = consultees.filter((consultee) => !consultee.invited);
  return (
    <>
      <p className="muted">
        <Link to={documentPath}>{document.title}</Link> · {document.classification}
      </p>
      <h1>Consultation</h1>
      {actionData?.formError ? (
        <div className="alert alert--error" role="alert">
          {actionData.formError}
        </div>
      ) : null}

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
              {uninvited.length > 0 ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="add" />
                  <fieldset>
                    <legend>Invite more consultees</legend>
                    {uninvited.map((consultee) => (
                      <div className="field" key={consultee.id}>
                        <label>
                          <input type="checkbox" name="consulteeId" value={consultee.id} /> {consultee.name}
                          {consultee.organisation ? ` (${consultee.organisation})` : ""}
                        </label>
                      </div>
                    ))}
                  </fieldset>
                  <button type="submit" className="button">
                    Invite
                  </button>
                </Form>
              ) : null}
              <Form method="post">
                <input type="hidden" name="intent" value="close" />
                <button type="submit" className="button button--secondary">
                  Close the consultation now
                </button>
              </Form>
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
            <Form method="post">
              <input type="hidden" name="intent" value="open" />
              <fieldset>
                <legend>Consultees</legend>
                {consultees.map((consultee) => (
                  <div className="field" key={consultee.id}>
                    <label>
                      <input type="checkbox" name="consulteeId" value={consultee.id} /> {consultee.name}
                      {consultee.organisation ? ` (${consultee.organisation})` : ""}
                    </label>
                  </div>
                ))}
              </fieldset>
              <div className="field">
                <label htmlFor="closesOn">Last day for comments</label>
                <span className="hint" id="closesOn-hint">
                  Comments close at 11:59 pm New Zealand time on this day.
                </span>
                <input id="closesOn" name="closesOn" type="date" min={today} required aria-describedby="closesOn-hint" />
              </div>
              <div className="field">
                <label htmlFor="brief">Brief for the consultees</label>
                <textarea id="brief" name="brief" rows={5} maxLength={briefMax} required />
              </div>
              <button type="submit" className="button">
                Open for consultation
              </button>
            </Form>
          )}
        </section>
      ) : null}
    </>
  );
}
