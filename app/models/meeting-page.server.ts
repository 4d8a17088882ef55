/**
 * What a meeting's page shows (journey 4), read in one place for its loader: the meeting, its
 * agenda with the item it is on now, attendance and the quorum, conflicts declared, the draft or
 * confirmed minute's paragraphs, earlier minutes waiting for confirmation, and what this person
 * may do (the policy's answers for the meeting, `permissionsFor`).
 */
import type { Meeting } from "../../db/database.js";
import { conflictLine } from "../meetings/conflict-line.js";
import { computeQuorum, quorumSentence } from "../meetings/quorum.js";
import { isOffSchedule, offScheduleSentence } from "../meetings/start-timing.js";
import { type Actor, permissionsFor } from "../policy/policy.js";
import { formatNzDate, formatNzShortDate, nzCalendarDate } from "../utils/dates.js";
import { agendaItemKindLabels, meetingStatusLabels } from "../utils/labels.js";
import { type Attendee, meetingAttendees, meetingConflicts } from "./attendance.server.js";
import { listDocumentTitles } from "./documents.server.js";
import { liveProposalPanel } from "./live-proposals.server.js";
import { type Db, meetingAgenda, meetingWhen } from "./meetings.server.js";
import { listOrganisationNames } from "./memberships.server.js";
import { minuteView, minutesAwaitingConfirmation } from "./minutes.server.js";
import { meetingResource } from "./policy-resources.server.js";

/** Items under which no heading is suggested for the first decision: the standing openers and closers. */
const itemsWithoutHeading = new Set(["apologies", "karakia", "whakawhanaungatanga", "closing"]);

const oncePerPerson = (attendee: Attendee, index: number, all: readonly Attendee[]) => all.findIndex((other) => other.userId === attendee.userId) === index;

export async function meetingPage(db: Db, actor: Actor, meeting: Meeting, group: { id: string; name: string; code: string; quorum: number }) {
  const may = permissionsFor(actor, meetingResource(actor, meeting), ["meeting.manage", "meeting.run", "decision.record", "minutes.confirm"]);
  const agenda = (await meetingAgenda(db, meeting.id)).map((item) => ({ ...item, kindLabel: agendaItemKindLabels[item.kind] }));
  const attendees = await meetingAttendees(db, meeting);
  const view = await minuteView(db, meeting);
  const open = meeting.status === "scheduled" || meeting.status === "in_progress";
  const now = new Date();
  // What the page offers now: the policy's answer and the meeting's state.
  const recording = may["decision.record"] && (meeting.status === "in_progress" || meeting.status === "closed") && view.minute?.status === "draft";
  const editingAgenda = may["meeting.manage"] && open;
  const current = agenda.find((item) => item.id === meeting.current_agenda_item_id) ?? null;
  const underCurrent = view.paragraphs.filter((paragraph) => paragraph.agendaItemId === current?.id && paragraph.parentId === null);
  const quorum = computeQuorum(attendees, group.quorum);
  const owners = recording
    ? [
        ...attendees
          .filter(oncePerPerson)
          .map((attendee) => ({ value: `user:${attendee.userId}`, label: `${attendee.name}${attendee.organisation ? ` (${attendee.organisation})` : ""}` })),
        ...(await listOrganisationNames(db)).map((organisation) => ({ value: `org:${organisation.id}`, label: organisation.name })),
      ]
    : [];
  const previousMinutes = meeting.status === "in_progress" && may["minutes.confirm"] ? await minutesAwaitingConfirmation(db, group.id, meeting) : [];

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
      // Starting now would be far from the scheduled time: the chair is asked to confirm, with both times.
      offScheduleNow: meeting.status === "scheduled" && isOffSchedule(meeting.starts_at, now) ? offScheduleSentence(meeting.starts_at, now) : null,
      actingChair: attendees.find((attendee) => attendee.userId === meeting.acting_chair_user_id)?.name ?? null,
      actingChairUserId: meeting.acting_chair_user_id,
    },
    // Who may be named acting chair: the group's chair and members on the day (alternates too).
    chairCandidates:
      may["meeting.manage"] && open
        ? attendees
            .filter((attendee) => attendee.role === "chair" || attendee.role === "member")
            .filter(oncePerPerson)
            .map((attendee) => ({ userId: attendee.userId, name: attendee.name, isChair: attendee.role === "chair" }))
        : [],
    agenda,
    current,
    quorum: quorumSentence(quorum),
    quorumMet: quorum.met,
    conflicts: (await meetingConflicts(db, meeting.id)).map((conflict) => ({
      id: conflict.id,
      ...conflictLine(conflict),
      agendaItemId: conflict.agendaItemId,
    })),
    minute: view.minute ? { status: view.minute.status, reference: view.minute.reference } : null,
    paragraphs: view.paragraphs.map((paragraph) => ({
      ...paragraph,
      actions: paragraph.actions.map((action) => ({ ...action, dueLabel: formatNzShortDate(action.dueOn) })),
    })),
    previousMinutes: previousMinutes.map((minute) => ({ meetingId: minute.meetingId, title: minute.title, date: formatNzDate(minute.starts_at) })),
    may,
    recording,
    editingAgenda,
    owners,
    documents: may["meeting.manage"] && open ? await listDocumentTitles(db, group.id) : [],
    defaultHeading: current && underCurrent.length === 0 && !itemsWithoutHeading.has(current.kind) ? current.title : "",
    today: nzCalendarDate(),
    // Proposals at the meeting, for its Now panel: the one live now, or the chair's form to put one.
    proposals: await liveProposalPanel(db, actor, meeting, now),
  };
}

export type MeetingPageData = Awaited<ReturnType<typeof meetingPage>>;
