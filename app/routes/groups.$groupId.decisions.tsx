/**
 * The decision register (journeys 4 and 5): every decision of the group, newest meeting first,
 * searchable by words (macrons or not: "whanau" finds "whānau"), verb, date range and minute
 * reference. Each meeting shows its minute's reference and status, and who was a member on the
 * day it met, from the membership history. With `picker=1` it answers the decision form's
 * "find an earlier decision" search instead (confirmed decisions only, no members).
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { TeReo } from "../components/TeReo.js";
import { CheckboxField, SelectField, TextField, formProps, useAppForm } from "../components/forms/fields.js";
import { DecisionText } from "../components/meetings/MinuteParagraphs.js";
import { requireGroupMeetings } from "../http/require-meeting.server.js";
import { decisionVerbOptions } from "../meetings/decision-verbs.js";
import { registerSearchSchema } from "../meetings/schemas.js";
import { searchDecisions } from "../models/decision-register.server.js";
import { membersOnDate } from "../models/memberships.server.js";
import meetingStyles from "../styles/meetings.css";
import { formatNzDate, nzCalendarDate } from "../utils/dates.js";
import { roleLabels } from "../utils/labels.js";
import { NZ_DATE_HINT } from "../utils/nz-date-schema.js";
import { countMemberships, membershipCountsSentence } from "../members/membership-counts.js";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: meetingStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Decision register · ${loaderData && "group" in loaderData ? loaderData.group.name : "Group"} · Stewardship Workspace` },
];

const PAGE_SIZE = 50;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { group } = await requireGroupMeetings(request, context, params);
  const db = context.services.db;
  const search = registerSearchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const query = { words: search.words, verb: search.verb, from: search.from, to: search.to, reference: search.reference, confirmedOnly: search.confirmed === "1" };

  if (search.picker === "1") {
    const { entries } = await searchDecisions(db, group.id, { words: query.words, reference: query.reference, confirmedOnly: true, limit: 10 });
    return {
      picker: entries.map((entry) => ({
        id: entry.id,
        number: entry.number,
        reference: entry.reference,
        verb: entry.verb,
        body: entry.body,
        meetingTitle: entry.meetingTitle,
      })),
    };
  }

  const page = search.page;
  const { entries, total } = await searchDecisions(db, group.id, { ...query, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  // One group of results per meeting, with the members on the day it met.
  const meetings: {
    id: string;
    title: string;
    date: string;
    reference: string | null;
    status: string;
    /** The three counts of the members on the date (app/members/membership-counts.ts). */
    counts: string;
    members: { id: string; name: string; role: string; organisation: string | null }[];
    decisions: typeof entries;
  }[] = [];
  for (const entry of entries) {
    let meeting = meetings.find((candidate) => candidate.id === entry.meetingId);
    if (!meeting) {
      const members = await membersOnDate(db, group.id, nzCalendarDate(entry.meetingStartsAt));
      meeting = {
        id: entry.meetingId,
        title: entry.meetingTitle,
        date: formatNzDate(entry.meetingStartsAt),
        reference: entry.reference,
        status: entry.minuteStatus,
        counts: membershipCountsSentence(countMemberships(members)),
        // Everyone with access, so the list is the last of the counts.
        members: members.map((member) => ({
            id: member.id,
            name: member.name,
            role: member.alternateForName ? `Alternate for ${member.alternateForName}` : roleLabels[member.role],
            organisation: member.organisationName,
          })),
        decisions: [],
      };
      meetings.push(meeting);
    }
    meeting.decisions.push(entry);
  }
  return {
    group: { id: group.id, name: group.name, code: group.code },
    query: { ...query, verb: query.verb ?? "" },
    total,
    page,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    meetings: meetings.map((meeting) => ({
      ...meeting,
      decisions: meeting.decisions.map((decision) => ({
        id: decision.id,
        number: decision.number,
        parentId: decision.parentId,
        heading: decision.heading,
        verb: decision.verb,
        body: decision.body,
        corrects: decision.correctsDecisionId !== null,
      })),
    })),
  };
}

export default function DecisionRegister() {
  const loaderData = useLoaderData<typeof loader>();
  if ("picker" in loaderData) return null;
  const { group, query, total, meetings, page, pages } = loaderData;
  const searching = query.words || query.verb || query.from || query.to || query.reference || query.confirmedOnly;
  const pageLink = (to: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ words: query.words, verb: query.verb, from: query.from ?? "", to: query.to ?? "", reference: query.reference })) {
      if (value) params.set(key, value);
    }
    if (query.confirmedOnly) params.set("confirmed", "1");
    params.set("page", String(to));
    return `?${params.toString()}`;
  };
  return (
    <>
      <h1>Decision register</h1>
      <p className="lede">Every decision the group has recorded, with who was a member when it was made.</p>
      <SearchForm groupId={group.id} groupCode={group.code} query={query} searching={Boolean(searching)} />

      <p role="status">
        {total === 0 ? (searching ? "No decisions match." : "No decisions recorded yet.") : `${total} decision${total === 1 ? "" : "s"}${searching ? " match" : ""}.`}
      </p>

      {meetings.map((meeting) => (
        <section key={meeting.id} className="panel register-meeting" aria-labelledby={`meeting-${meeting.id}`}>
          <h2 id={`meeting-${meeting.id}`}>
            {meeting.reference ? `[${meeting.reference}] ` : null}
            <Link to={`/groups/${group.id}/meetings/${meeting.id}/minutes`}>
              <TeReo text={meeting.title} />
            </Link>
          </h2>
          <p className="muted">
            {meeting.date}
            {meeting.status === "draft" ? (
              <>
                {" "}
                · <span className="tag tag--draft">Draft minute</span>
              </>
            ) : null}
          </p>
          <details>
            <summary>
              {`Members on ${meeting.date}: ${meeting.counts}`}
            </summary>
            <ul>
              {meeting.members.map((member) => (
                <li key={member.id}>
                  {member.name}, {member.role}
                  {member.organisation ? (
                    <span className="muted">
                      {" "}
                      (<TeReo text={member.organisation} />)
                    </span>
                  ) : null}
                </li>
              ))}
            </ul>
          </details>
          <div className="minute-paragraphs">
            {meeting.decisions.map((decision) => (
              <div key={decision.id} className={decision.parentId ? "minute-paragraph minute-paragraph--sub" : "minute-paragraph"}>
                {decision.heading ? <h3 className="minute-heading">{decision.heading}</h3> : null}
                <p className="minute-paragraph__text">
                  <span className="minute-paragraph__number">{decision.number}</span>
                  <span>
                    {decision.verb ? decision.parentId ? `${decision.verb} ` : <strong>{decision.verb} </strong> : null}
                    <DecisionText text={decision.body} groupId={group.id} groupCode={group.code} />
                    {decision.corrects ? <span className="muted"> (a correction)</span> : null}
                  </span>
                </p>
              </div>
            ))}
          </div>
        </section>
      ))}
      {pages > 1 ? (
        <nav aria-label="Pages of results" className="inline-forms">
          {page > 1 ? <Link to={pageLink(page - 1)}>Previous page</Link> : null}
          <span>
            Page {page} of {pages}
          </span>
          {page < pages ? <Link to={pageLink(page + 1)}>Next page</Link> : null}
        </nav>
      ) : null}
    </>
  );
}

/** The register's search: a GET form, so a search is a link that can be kept and shared. */
function SearchForm({
  groupId,
  groupCode,
  query,
  searching,
}: {
  groupId: string;
  groupCode: string;
  query: { words: string; verb: string; from: string | null; to: string | null; reference: string; confirmedOnly: boolean };
  searching: boolean;
}) {
  const navigation = useNavigation();
  const [form, fields] = useAppForm(registerSearchSchema, {
    id: "register-search",
    defaultValue: { ...query, from: query.from ?? "", to: query.to ?? "", confirmed: query.confirmedOnly ? "1" : undefined },
  });
  return (
    <Form method="get" className="panel register-filters" role="search" aria-label="Search the decisions" {...formProps(form)}>
      <TextField meta={fields.words} label="Words" hint="With or without macrons: “whanau” finds “whānau”." type="search" />
      <div className="field-row">
        <SelectField meta={fields.verb} label="Verb" placeholder="Any verb" options={decisionVerbOptions} />
        <TextField meta={fields.from} label="Meetings from" hint={NZ_DATE_HINT} />
        <TextField meta={fields.to} label="Meetings to" hint={NZ_DATE_HINT} />
        <TextField meta={fields.reference} label="Minute reference" placeholder={`${groupCode}-26-MIN-0001`} />
      </div>
      <CheckboxField meta={fields.confirmed} label="Confirmed minutes only" value="1" />
      <div className="inline-forms">
        <button type="submit" className="button">
          {navigation.state === "loading" ? "Searching…" : "Search"}
        </button>
        {searching ? <Link to={`/groups/${groupId}/decisions`}>Clear the search</Link> : null}
      </div>
    </Form>
  );
}
