/**
 * A group's meetings: upcoming and past (with where their minutes stand), scheduling a new one,
 * and each person's private calendar feed of the group's meetings (create, replace, stop).
 */
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { TeReo } from "../components/TeReo.js";
import { ReplyErrors } from "../components/meetings/ReplyErrors.js";
import { requireGroupMeetings } from "../http/require-meeting.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { calendarFeedSchema } from "../meetings/schemas.js";
import { activeCalendarFeed, createCalendarFeed, revokeCalendarFeed } from "../models/calendar.server.js";
import { listMeetings, meetingWhen } from "../models/meetings.server.js";
import { groupResource } from "../models/policy-resources.server.js";
import { permissionsFor } from "../policy/policy.js";
import { formatNzShortDate } from "../utils/dates.js";
import { meetingStatusLabels } from "../utils/labels.js";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Meetings · ${loaderData?.group.name ?? "Group"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, group } = await requireGroupMeetings(request, context, params);
  const db = context.services.db;
  const { upcoming, past } = await listMeetings(db, group.id);
  const view = (meeting: (typeof upcoming)[number]) => ({
    id: meeting.id,
    title: meeting.title,
    when: meetingWhen(meeting),
    place: [meeting.location, meeting.online_url ? "online" : null].filter(Boolean).join(", "),
    status: meeting.status,
    statusLabel: meetingStatusLabels[meeting.status],
    minutes:
      meeting.minute_status === "confirmed"
        ? `Minutes confirmed: ${meeting.minute_reference}`
        : meeting.minute_status === "draft" && meeting.status === "closed"
          ? "Minutes in draft"
          : null,
  });
  const feed = await activeCalendarFeed(db, actor.id, group.id);
  return {
    group: { id: group.id, name: group.name },
    upcoming: upcoming.map(view),
    past: past.map(view),
    may: permissionsFor(actor, groupResource(group.id), ["meeting.manage"]),
    feed: feed ? { createdOn: formatNzShortDate(feed.created_at) } : null,
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, group } = await requireGroupMeetings(request, context, params);
  const submission = parseWithZod(await request.formData(), { schema: calendarFeedSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const db = context.services.db;
  try {
    if (submission.value.intent === "feed.create") {
      const token = await createCalendarFeed(db, actor, group.id, context.clientIp);
      // Shown once: only its hash is stored.
      return { feedUrl: `${context.services.config.publicUrl}/calendar/${token}.ics` };
    }
    await revokeCalendarFeed(db, actor, group.id, context.clientIp);
    return { revoked: true as const };
  } catch (error) {
    return replyWithError(submission, error);
  }
}

export default function Meetings() {
  const { group, upcoming, past, may, feed } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <h1>Meetings</h1>
      <ReplyErrors reply={actionData} />
      <p>
        <Link to={`/groups/${group.id}/decisions`}>Decision register</Link> · <Link to={`/groups/${group.id}/actions`}>Actions</Link>
      </p>
      {may["meeting.manage"] ? (
        <p>
          <Link className="button" to={`/groups/${group.id}/meetings/new`}>
            Schedule a meeting
          </Link>
        </p>
      ) : null}

      <section className="panel" aria-labelledby="upcoming-heading">
        <h2 id="upcoming-heading">Upcoming</h2>
        {upcoming.length === 0 ? <p>No meetings are scheduled.</p> : <MeetingList groupId={group.id} meetings={upcoming} />}
      </section>

      <section className="panel" aria-labelledby="past-heading">
        <h2 id="past-heading">Past and cancelled</h2>
        {past.length === 0 ? <p>No past meetings yet.</p> : <MeetingList groupId={group.id} meetings={past} />}
      </section>

      <section className="panel" aria-labelledby="calendar-heading">
        <h2 id="calendar-heading">Your calendar</h2>
        <p>
          Subscribe to the group&apos;s meetings in your calendar app (Outlook, Google Calendar, Apple Calendar). It updates by
          itself when a meeting is scheduled, moved or cancelled. The address is private to you: anyone who has it can see the
          meetings&apos; times, places and agendas.
        </p>
        {actionData && "feedUrl" in actionData ? (
          <div className="alert alert--success" role="status">
            <p>
              <strong>Your calendar address</strong> (copy it now; for your privacy we do not show it again):
            </p>
            <p>
              <code className="feed-url">{actionData.feedUrl}</code>
            </p>
            <p>
              <a href={actionData.feedUrl.replace(/^https?:/, "webcal:")}>Subscribe in my calendar app</a>
            </p>
          </div>
        ) : null}
        {actionData && "revoked" in actionData ? (
          <div className="alert" role="status">
            Your calendar address has stopped working.
          </div>
        ) : null}
        {feed ? <p className="muted">You have a calendar address, made on {feed.createdOn}.</p> : null}
        <Form method="post" className="inline-forms">
          <button type="submit" name="intent" value="feed.create" className="button button--secondary">
            {feed ? "Replace my calendar address" : "Get my calendar address"}
          </button>
          {feed ? (
            <button type="submit" name="intent" value="feed.revoke" className="button button--secondary">
              Stop my calendar address
            </button>
          ) : null}
        </Form>
      </section>
    </>
  );
}

function MeetingList({
  groupId,
  meetings,
}: {
  groupId: string;
  meetings: { id: string; title: string; when: string; place: string; status: string; statusLabel: string; minutes: string | null }[];
}) {
  return (
    <ul className="list-plain">
      {meetings.map((meeting) => (
        <li key={meeting.id}>
          <strong>
            <Link to={`/groups/${groupId}/meetings/${meeting.id}`}>
              <TeReo text={meeting.title} />
            </Link>
          </strong>{" "}
          {meeting.status !== "scheduled" ? <span className={`tag tag--${meeting.status}`}>{meeting.statusLabel}</span> : null}
          <br />
          <span className="muted">
            {meeting.when}
            {meeting.place ? ` · ${meeting.place}` : ""}
          </span>
          {meeting.minutes ? (
            <>
              <br />
              <Link to={`/groups/${groupId}/meetings/${meeting.id}/minutes`}>{meeting.minutes}</Link>
            </>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
