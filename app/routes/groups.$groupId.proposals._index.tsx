/**
 * A group's proposals: open ones first with their closing time, then closed ones with their
 * outcome; the chair and the secretary open a new one from here.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { RouteHandle } from "../components/PageFrame.js";
import { requireGroupMeetings } from "../http/require-meeting.server.js";
import { groupResource } from "../models/policy-resources.server.js";
import { listProposals } from "../models/proposals.server.js";
import { permissionsFor } from "../policy/policy.js";
import { outcomeLabels, processNouns } from "../proposals/processes.js";
import { formatNzDateTime } from "../utils/dates.js";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Proposals · ${loaderData?.group.name ?? "Group"} · Stewardship Workspace` },
];

export const handle: RouteHandle<typeof loader> = {
  breadcrumb: (data) => [{ to: `/groups/${data.group.id}/proposals`, label: "Proposals" }],
};

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, group } = await requireGroupMeetings(request, context, params, "proposal.view");
  const proposals = await listProposals(context.services.db, group.id);
  const now = Date.now();
  return {
    group: { id: group.id, name: group.name },
    proposals: proposals.map((proposal) => ({
      id: proposal.id,
      title: proposal.title,
      how: `By ${processNouns[proposal.process]}${proposal.ballot === "secret" ? ", secret ballot" : ""}`,
      state:
        proposal.status === "closed" && proposal.outcome
          ? `${outcomeLabels[proposal.outcome]} (closed ${formatNzDateTime(proposal.closed_at!)})`
          : proposal.closes_at.getTime() > now
            ? `Open until ${formatNzDateTime(proposal.closes_at)}`
            : "Closing now",
    })),
    may: permissionsFor(actor, groupResource(group.id), ["proposal.open"]),
  };
}

export default function Proposals() {
  const { group, proposals, may } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Proposals</h1>
      <p>Resolutions put to the group between meetings or at one. A passed proposal is recorded as a numbered paragraph of a minute.</p>
      {may["proposal.open"] ? (
        <p>
          <Link className="button" to={`/groups/${group.id}/proposals/new`}>
            Open a proposal
          </Link>
        </p>
      ) : null}
      {proposals.length === 0 ? (
        <p>No proposals yet.</p>
      ) : (
        <ul className="list">
          {proposals.map((proposal) => (
            <li key={proposal.id}>
              <Link to={`/groups/${group.id}/proposals/${proposal.id}`}>{proposal.title}</Link>
              <br />
              <span className="hint">
                {proposal.how} · {proposal.state}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
