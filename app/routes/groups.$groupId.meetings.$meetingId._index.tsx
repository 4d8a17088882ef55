/**
 * A meeting's page, and its live mode (journey 4): when and where, the invite for calendars, the
 * agenda (reordered and edited by the chair or secretary), and once the chair starts the meeting,
 * the item everyone is on now with its papers, the quorum from attendance, and the decisions
 * recorded as numbered paragraphs. Everyone's page follows the chair over Socket.io
 * (MeetingRoom); a late joiner loads the current state. Every change is a form post here
 * (works without JavaScript), parsed with the page's one schema (`meetingPageSchema`); the
 * commands check the policy and write the audit log.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { z } from "zod";
import { TeReo } from "../components/TeReo.js";
import { AgendaItemForm, AgendaList } from "../components/meetings/AgendaList.js";
import { IntentButton } from "../components/meetings/IntentButton.js";
import { MeetingDecisions } from "../components/meetings/MeetingDecisions.js";
import { MeetingDetails } from "../components/meetings/MeetingDetails.js";
import { MeetingRoom } from "../components/meetings/MeetingRoom.js";
import { NowPanel } from "../components/meetings/NowPanel.js";
import { ReplyErrors } from "../components/meetings/ReplyErrors.js";
import { requireMeeting } from "../http/require-meeting.server.js";
import { replyInPlace } from "../http/reply-in-place.server.js";
import { afterChange, invalidForm } from "../http/responses.server.js";
import { decisionToRecord, meetingPageSchema } from "../meetings/schemas.js";
import { addAgendaItem, moveAgendaItem, removeAgendaItem, updateAgendaItem } from "../models/agenda.server.js";
import { deleteDecision, recordDecision, updateDecision } from "../models/decisions.server.js";
import { endMeeting, moveToAgendaItem, setActingChair, startMeeting } from "../models/live-meeting.server.js";
import { closeLiveVote, openLiveProposal, putProposalLive, recordShowOfHands } from "../models/live-proposals.server.js";
import type { MeetingServices } from "../models/meeting-command.server.js";
import { takePart } from "../models/proposals.server.js";
import type { ProposalServices } from "../models/proposals.server.js";
import { meetingPage } from "../models/meeting-page.server.js";
import { confirmMinutes } from "../models/minute-confirmation.server.js";
import type { Actor } from "../policy/policy.js";
import meetingStyles from "../styles/meetings.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: meetingStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `${loaderData?.meeting.title ?? "Meeting"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, meeting, group } = await requireMeeting(request, context, params);
  return {
    ...(await meetingPage(context.services.db, actor, meeting, group)),
    scheduled: new URL(request.url).searchParams.get("scheduled") === "1",
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, meeting, group } = await requireMeeting(request, context, params);
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: meetingPageSchema });
  if (submission.status !== "success") return invalidForm(submission);
  try {
    await runIntent(context.services, actor, { meetingId: meeting.id, ip: context.clientIp }, submission.value);
  } catch (error) {
    return replyInPlace(formData, submission, error);
  }
  return afterChange(request, formData, `/groups/${group.id}/meetings/${meeting.id}`);
}

/** The command each of the page's forms asks for. */
async function runIntent(services: MeetingServices & ProposalServices & { db: Parameters<typeof startMeeting>[0] }, actor: Actor, base: { meetingId: string; ip: string | null | undefined }, value: z.output<typeof meetingPageSchema>) {
  const db = services.db;
  const agendaItem = (item: { title: string; presenter?: string; minutesAllotted?: number; paperId?: string[] }) => ({
    title: item.title,
    presenter: item.presenter ?? null,
    minutesAllotted: item.minutesAllotted ?? null,
    paperIds: item.paperId ?? [],
  });
  switch (value.intent) {
    case "live.start":
      return startMeeting(db, services, actor, { ...base, offScheduleConfirmed: value.offSchedule === "confirmed" });
    case "live.move":
      return moveToAgendaItem(db, services, actor, { ...base, itemId: value.itemId });
    case "live.end":
      return endMeeting(db, services, actor, base);
    case "agenda.add":
      return addAgendaItem(db, services, actor, { ...base, ...agendaItem(value) });
    case "agenda.update":
      return updateAgendaItem(db, services, actor, { ...base, itemId: value.itemId, ...agendaItem(value) });
    case "agenda.remove":
      return removeAgendaItem(db, services, actor, { ...base, itemId: value.itemId });
    case "agenda.move":
      return moveAgendaItem(db, services, actor, { ...base, itemId: value.itemId, toPosition: value.toPosition });
    case "decision.record":
      return recordDecision(db, services, actor, { ...base, ...decisionToRecord(value) });
    case "decision.update":
      return updateDecision(db, services, actor, { ...base, decisionId: value.decisionId, verb: value.verb ?? null, body: value.body, heading: value.heading ?? null });
    case "decision.delete":
      return deleteDecision(db, services, actor, { ...base, decisionId: value.decisionId });
    case "chair.set":
      return setActingChair(db, services, actor, { ...base, userId: value.actingChairUserId ?? null });
    case "minutes.confirmPrevious":
      return confirmMinutes(db, services, actor, { meetingId: value.previousMeetingId, atMeetingId: base.meetingId, ip: base.ip });
    case "proposal.openLive":
      return void (await openLiveProposal(db, services, actor, { ...base, ...value }));
    case "proposal.putLive":
      return putProposalLive(db, services, actor, { ...base, proposalId: value.proposalId });
    case "proposal.stance":
      return takePart(db, services, actor, { proposalId: value.proposalId, choice: value.choice, reason: value.reason ?? null, ip: base.ip ?? null });
    case "proposal.hands":
      return recordShowOfHands(db, services, actor, { ...base, proposalId: value.proposalId, counts: value.hands });
    case "proposal.closeLive":
      return void (await closeLiveVote(db, services, actor, { ...base, proposalId: value.proposalId }));
  }
}

export default function MeetingPage() {
  const page = useLoaderData<typeof loader>();
  const { group, meeting, agenda, current, may } = page;
  const navigation = useNavigation();
  // This page is the index route under the meeting layout: its forms post to `?index`.
  const actionPath = `/groups/${group.id}/meetings/${meeting.id}?index`;
  const live = meeting.status === "in_progress";
  return (
    <>
      <h1>
        <TeReo text={meeting.title} />
      </h1>
      <p>
        <span className={`tag tag--${meeting.status}`}>{meeting.statusLabel}</span>
      </p>
      {page.scheduled ? (
        <div className="alert alert--success" role="status">
          <p>Meeting scheduled. Members have been told in the app and by email.</p>
        </div>
      ) : null}
      <ReplyErrors reply={useActionData<typeof action>()} />
      {meeting.status === "cancelled" ? (
        <div className="alert" role="note">
          <p>
            <strong>This meeting was cancelled.</strong> {meeting.cancelReason}
          </p>
        </div>
      ) : null}

      <MeetingDetails page={page} />

      <MeetingRoom meetingId={meeting.id} live={meeting.status === "scheduled" || live} />

      {meeting.status === "scheduled" && may["meeting.run"] && meeting.offScheduleNow === null ? (
        <div className="panel">
          <p>When everyone is ready, start the meeting. Everyone with this page open follows you through the agenda.</p>
          <IntentButton intent="live.start" className="button" disabled={navigation.state !== "idle"}>
            Start the meeting
          </IntentButton>
        </div>
      ) : null}
      {meeting.status === "scheduled" && may["meeting.run"] && meeting.offScheduleNow !== null ? (
        <section className="panel off-schedule" aria-labelledby="off-schedule-heading">
          <h2 id="off-schedule-heading">Start the meeting now, not at its scheduled time?</h2>
          <p>{meeting.offScheduleNow}</p>
          <p>
            If you start it now, the minute records the date it is actually held and notes that it was not the date scheduled.
            {may["meeting.manage"] ? (
              <>
                {" "}
                To hold it at another time instead, <a href={`/groups/${group.id}/meetings/${meeting.id}/edit`}>reschedule it</a>.
              </>
            ) : null}
          </p>
          <IntentButton intent="live.start" values={{ offSchedule: "confirmed" }} className="button" disabled={navigation.state !== "idle"}>
            Start the meeting now anyway
          </IntentButton>
        </section>
      ) : null}

      {live ? <NowPanel page={page} actionPath={actionPath} /> : null}

      <MeetingDecisions page={page} actionPath={actionPath} />
      <section className="panel" aria-labelledby="agenda-heading">
        <h2 id="agenda-heading">Agenda</h2>
        <AgendaList
          groupId={group.id}
          actionPath={actionPath}
          items={agenda}
          currentItemId={current?.id ?? null}
          mayEdit={page.editingAgenda}
          mayGoTo={may["meeting.run"] && live}
          documents={page.documents}
        />
        {page.editingAgenda ? (
          <details className="after-form">
            <summary>Add an item</summary>
            <AgendaItemForm actionPath={actionPath} documents={page.documents} />
          </details>
        ) : null}
      </section>
    </>
  );
}
