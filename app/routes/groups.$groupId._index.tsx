/** A group's home page: what the group is, its documents and its next meeting with the agenda. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireGroup } from "../http/require-group.server.js";
import { approvalStatus } from "../models/approvals.server.js";
import {
  consultationClosingLabel,
  listClosedConsultationsForConsultee,
  listDocumentsOpenToConsultee,
} from "../models/consultations.server.js";
import { listDocuments } from "../models/documents.server.js";
import { findNextMeeting } from "../models/groups.server.js";
import { meetingEndsAt } from "../models/meetings.server.js";
import { TeReo } from "../components/TeReo.js";
import { permissionsFor } from "../policy/policy.js";
import { formatNzDate, formatNzShortDate, formatNzTime } from "../utils/dates.js";
import { documentKindLabels, documentStatusLabels, roleLabels } from "../utils/labels.js";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.group.name ?? "Group"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, group, resource } = await requireGroup(request, context, params, "group.view");
  const db = context.services.db;
  const may = permissionsFor(actor, resource, ["document.list", "meeting.view", "group.members.view", "group.members.invite"]);

  const documents = may["document.list"] ? await listDocuments(db, group.id, { archived: false }) : [];
  const meeting = may["meeting.view"] ? await findNextMeeting(db, group.id) : undefined;
  const role = actor.rolesByGroup.get(group.id);
  // Someone who may see the group but not list its documents is a consultee: they see only the
  // documents opened to them for consultation, and nothing else.
  const consultationDocuments = may["document.list"] ? [] : await listDocumentsOpenToConsultee(db, actor.id, group.id);
  const closedConsultations = may["document.list"] ? [] : await listClosedConsultationsForConsultee(db, actor.id, group.id);
  return {
    closedConsultations: closedConsultations.map((document) => ({
      id: document.id,
      title: document.title,
      kind: documentKindLabels[document.kind],
      closed: formatNzDate(new Date(document.closed_at)),
    })),
    consultationDocuments: consultationDocuments.map((document) => ({
      id: document.id,
      title: document.title,
      kind: documentKindLabels[document.kind],
      classification: document.classification,
      closes: consultationClosingLabel(new Date(document.closes_at)),
    })),
    group,
    role: role ? roleLabels[role] : "Platform administrator",
    may,
    documents: await Promise.all(documents.map(async (document) => ({
      // The terms of reference show where they stand with the Lead Minister's office.
      approval:
        document.kind === "terms_of_reference"
          ? await approvalStatus(db, document.id).then((status) => ({ line: status.line, state: status.state, inForce: status.inForce !== null }))
          : null,
      id: document.id,
      title: document.title,
      kind: documentKindLabels[document.kind],
      status: documentStatusLabels[document.status],
      classification: document.classification,
      updatedOn: formatNzShortDate(document.updated_at),
      updatedBy: document.updated_by_name,
    }))),
    meeting: meeting
      ? {
          id: meeting.id,
          status: meeting.status,
          title: meeting.title,
          date: formatNzDate(meeting.starts_at),
          time: `${formatNzTime(meeting.starts_at)} to ${formatNzTime(meetingEndsAt(meeting))}`,
          location: meeting.location,
          onlineUrl: meeting.online_url,
          agenda: meeting.agenda,
        }
      : null,
  };
}

export default function GroupHome() {
  const { group, role, documents, consultationDocuments, closedConsultations, meeting, may } = useLoaderData<typeof loader>();
  return (
    <>
      <p className="muted">Portfolio: {group.portfolio || "Not set"}</p>
      <h1>{group.name}</h1>
      <p className="lede">{group.description}</p>
      <p>
        Your role: <span className="tag">{role}</span>
        {may["group.members.view"] ? (
          <>
            {" "}
            · <Link to={`/groups/${group.id}/members`}>Members</Link>
          </>
        ) : null}
        {may["group.members.invite"] ? (
          <>
            {" "}
            · <Link to={`/groups/${group.id}/invite`}>Invite someone</Link>
          </>
        ) : null}
      </p>
      {may["meeting.view"] ? (
        <nav aria-label="Meetings and decisions">
          <p>
            <Link to={`/groups/${group.id}/meetings`}>Meetings</Link> · <Link to={`/groups/${group.id}/decisions`}>Decision register</Link> ·{" "}
            <Link to={`/groups/${group.id}/actions`}>Actions</Link> · <Link to={`/groups/${group.id}/proposals`}>Proposals</Link>
          </p>
        </nav>
      ) : null}

      <div className="grid">
        <section className="panel" aria-labelledby="documents-heading">
          <h2 id="documents-heading">Documents</h2>
          {!may["document.list"] ? (
            <>
              {consultationDocuments.length === 0 ? (
                <p>You will see documents here when one is opened to you for consultation.</p>
              ) : (
                <ul className="list-plain" aria-label="Open for your comments">
                  {consultationDocuments.map((document) => (
                    <li key={document.id}>
                      <strong>
                        <Link to={`/groups/${group.id}/documents/${document.id}`}>{document.title}</Link>
                      </strong>
                      <br />
                      <span className="muted">
                        {document.kind} · {document.classification} · open for comments until {document.closes}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
              {closedConsultations.length > 0 ? (
                <>
                  <h3>Closed consultations</h3>
                  <ul className="list-plain">
                    {closedConsultations.map((document) => (
                      <li key={document.id}>
                        <Link to={`/groups/${group.id}/documents/${document.id}/consultation/closed`}>{document.title}</Link>
                        <br />
                        <span className="muted">
                          {document.kind} · comments closed on {document.closed}
                        </span>
                      </li>
                    ))}
                  </ul>
                </>
              ) : null}
            </>
          ) : documents.length === 0 ? (
            <p>No documents yet.</p>
          ) : (
            <ul className="list-plain">
              {documents.map((document) => (
                <li key={document.id}>
                  <strong>
                    {/* Once terms of reference are approved, the approved text is what members see first. */}
                    <Link
                      to={`/groups/${group.id}/documents/${document.id}${document.approval?.inForce ? "/approved" : ""}`}
                    >
                      {document.title}
                    </Link>
                  </strong>
                  <br />
                  <span className="muted">
                    {document.kind} · {document.status} · {document.classification}
                  </span>
                  {document.approval ? (
                    <>
                      <br />
                      <span className="approval-status" data-approval-state={document.approval.state}>
                        {document.approval.line}
                      </span>
                      {document.approval.inForce ? (
                        <>
                          {" · "}
                          <Link to={`/groups/${group.id}/documents/${document.id}/approved`}>
                            Read the approved version
                          </Link>
                          {" · "}
                          <Link to={`/groups/${group.id}/documents/${document.id}`}>Working draft</Link>
                        </>
                      ) : null}
                    </>
                  ) : null}
                  <br />
                  <span className="muted">
                    Last edited {document.updatedOn}
                    {document.updatedBy ? ` by ${document.updatedBy}` : ""}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {may["document.list"] ? (
            <p className="after-form">
              <Link to={`/groups/${group.id}/documents`}>All documents</Link>
            </p>
          ) : null}
        </section>

        <section className="panel" aria-labelledby="meeting-heading">
          <h2 id="meeting-heading">Next meeting</h2>
          {meeting ? (
            <>
              <h3>
                <Link to={`/groups/${group.id}/meetings/${meeting.id}`}>
                  <TeReo text={meeting.title} />
                </Link>
                {meeting.status === "in_progress" ? (
                  <>
                    {" "}
                    <span className="tag">In progress: join now</span>
                  </>
                ) : null}
              </h3>
              <dl className="facts">
                <dt>Date</dt>
                <dd>{meeting.date}</dd>
                <dt>Time</dt>
                <dd>{meeting.time} (New Zealand time)</dd>
                {meeting.location ? (
                  <>
                    <dt>Place</dt>
                    <dd>{meeting.location}</dd>
                  </>
                ) : null}
                {meeting.onlineUrl ? (
                  <>
                    <dt>Online</dt>
                    <dd>
                      <a href={meeting.onlineUrl}>Join online</a>
                    </dd>
                  </>
                ) : null}
              </dl>
              <h4>Agenda</h4>
              <ol className="agenda">
                {meeting.agenda.map((item) => (
                  <li key={item.id}>
                    <TeReo text={item.title} />
                    {item.presenter || item.minutes_allotted ? (
                      <span className="muted">
                        {" "}
                        ({[item.presenter, item.minutes_allotted ? `${item.minutes_allotted} min` : null].filter(Boolean).join(", ")})
                      </span>
                    ) : null}
                  </li>
                ))}
              </ol>
            </>
          ) : (
            <p>No meeting is scheduled.</p>
          )}
        </section>
      </div>
    </>
  );
}
