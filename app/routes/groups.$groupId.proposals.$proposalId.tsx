/**
 * A proposal's page: the resolution and what it is about, how it is decided and until when, the
 * person's own stance (and its history) with the form to take part or change it, the counts and
 * the objections and blocks with their reasons where results are shown (live, over Socket.io),
 * who has not yet taken part (chair and secretary; never a secret ballot's choices), the
 * settings (safe direction only) and closing early (chair, once everyone took part). Every form
 * works without JavaScript.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorPage } from "../components/ErrorPage.js";
import type { RouteHandle } from "../components/PageFrame.js";
import { ChoiceField, FormErrors, IntentInput, TextAreaField, TextField, formProps, resultFor, useAppForm } from "../components/forms/fields.js";
import { ProposalRoom } from "../components/proposals/ProposalRoom.js";
import { notFound } from "../errors.js";
import { requireGroupMeetings } from "../http/require-meeting.server.js";
import { afterChange, invalidForm, refuse, replyWithError } from "../http/responses.server.js";
import { closeProposal } from "../models/proposal-closing.server.js";
import { changeProposalSettings, proposalView, takePart } from "../models/proposals.server.js";
import { baseLabels, choiceLabels, outcomeLabels, processChoices, processLabels, tallySummary, thresholdLabels } from "../proposals/processes.js";
import { closeProposalSchema, proposalPageSchema, proposalSettingsSchema, stanceSchema } from "../proposals/schemas.js";
import { formatNzDateTime, formatNzShortDate, nzClockTime, nzWallClockInstant } from "../utils/dates.js";
import { NZ_DATE_HINT } from "../utils/nz-date-schema.js";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `${loaderData?.proposal.title ?? "Proposal"} · Proposals · Stewardship Workspace` },
];

export const handle: RouteHandle<typeof loader> = {
  breadcrumb: (data) => [
    { to: `/groups/${data.groupId}/proposals`, label: "Proposals" },
    { to: `/groups/${data.groupId}/proposals/${data.proposal.id}`, label: data.proposal.title },
  ],
};

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, group } = await requireGroupMeetings(request, context, params, "proposal.view");
  const view = await proposalView(context.services.db, actor, group.id, params.proposalId ?? "");
  if (!view) refuse(notFound("There is no such proposal"));
  const { proposal } = view;
  return {
    ...view,
    groupId: group.id,
    proposal: {
      ...proposal,
      closesLabel: formatNzDateTime(proposal.closesAt),
      closesOn: formatNzShortDate(proposal.closesAt),
      closesTime: nzClockTime(proposal.closesAt),
      closedLabel: proposal.closedAt ? formatNzDateTime(proposal.closedAt) : null,
    },
    mine: { ...view.mine, history: view.mine.history.map((stance) => ({ ...stance, when: formatNzDateTime(stance.created_at) })) },
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, group } = await requireGroupMeetings(request, context, params, "proposal.view");
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: proposalPageSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const value = submission.value;
  const proposalId = params.proposalId ?? "";
  const services = context.services;
  try {
    if (value.intent === "stance") {
      await takePart(services.db, services, actor, { proposalId, choice: value.choice, reason: value.reason ?? null, ip: context.clientIp });
    } else if (value.intent === "settings") {
      const [hours, minutes] = value.closesTime.split(":").map(Number) as [number, number];
      await changeProposalSettings(services.db, services, actor, {
        proposalId,
        closesAt: nzWallClockInstant(value.closesOn, hours, minutes),
        results: value.results,
        ballot: value.ballot,
        ip: context.clientIp,
      });
    } else {
      await closeProposal(services.db, services, actor, { proposalId, ip: context.clientIp });
    }
  } catch (error) {
    return replyWithError(submission, error);
  }
  return afterChange(request, formData, `/groups/${group.id}/proposals/${proposalId}`);
}

export default function ProposalPage() {
  const data = useLoaderData<typeof loader>();
  const { proposal, may, counts, results, mine, participation, conflicts, version, decision, named } = data;
  const actionData = useActionData<typeof action>();
  const choices = processChoices[proposal.process];
  const [stanceForm, stanceFields] = useAppForm(stanceSchema, { id: "stance", lastResult: resultFor(actionData, "stance") });
  const [settingsForm, settingsFields] = useAppForm(proposalSettingsSchema, {
    id: "settings",
    lastResult: resultFor(actionData, "settings"),
    defaultValue: { closesOn: proposal.closesOn, closesTime: proposal.closesTime, results: proposal.results, ballot: proposal.ballot },
  });
  const [closeForm] = useAppForm(closeProposalSchema, { id: "close", lastResult: resultFor(actionData, "close") });
  const current = mine.history.at(-1);
  return (
    <>
      <h1>{proposal.title}</h1>
      <p className="lead">
        <strong>{proposal.verb}</strong> {proposal.resolution}
      </p>
      <dl className="facts">
        <dt>How it is decided</dt>
        <dd>
          {processLabels[proposal.process]}
          {proposal.process === "majority" && proposal.majorityThreshold && proposal.majorityBase
            ? `: yes needs ${thresholdLabels[proposal.majorityThreshold]} ${baseLabels[proposal.majorityBase]}`
            : ""}
          . At least {proposal.quorumPercent}% of the seats must take part.
        </dd>
        <dt>{proposal.status === "open" ? "Closes" : "Closed"}</dt>
        <dd>{proposal.status === "open" ? proposal.closesLabel : (proposal.closedLabel ?? proposal.closesLabel)}</dd>
        <dt>Ballot</dt>
        <dd>
          {proposal.ballot === "secret" ? "Secret" : "Named"}; results {proposal.results === "visible" ? "shown as people take part" : "hidden until it closes"}
        </dd>
        {version ? (
          <>
            <dt>Paper</dt>
            <dd>
              <Link to={`/groups/${data.groupId}/documents/${version.documentId}/versions/${version.number}`}>
                {version.title}, version {version.number}
              </Link>
            </dd>
          </>
        ) : null}
        <dt>Taking part</dt>
        <dd>
          {counts.seatsTakingPart} of {counts.eligibleSeats} seats
        </dd>
      </dl>
      {proposal.background ? <p>{proposal.background}</p> : null}
      {conflicts.length > 0 ? (
        <p>
          Not taking part because of a declared conflict of interest: {conflicts.map((entry) => `${entry.member_name} (${entry.interest})`).join("; ")}.
        </p>
      ) : null}

      {proposal.outcome ? (
        <section aria-labelledby="outcome-heading" className="panel">
          <h2 id="outcome-heading">Outcome: {outcomeLabels[proposal.outcome]}</h2>
          {decision ? (
            <p>
              Recorded in the{" "}
              <Link to={`/groups/${data.groupId}/meetings/${decision.meetingId}/minutes`}>{decision.confirmed ? `minute ${decision.reference}` : "draft minute"}</Link>.
            </p>
          ) : null}
        </section>
      ) : null}

      {may["proposal.take_part"] ? (
        <section aria-labelledby="stance-heading" className="panel">
          <h2 id="stance-heading">{mine.tookPart ? "Your stance" : "Take part"}</h2>
          {current ? (
            <p>
              Your stance: <strong>{choiceLabels[current.stance]}</strong>
              {current.reason ? ` (${current.reason})` : ""}, given {current.when}.
            </p>
          ) : mine.tookPart ? (
            <p>Your secret ballot is cast.</p>
          ) : null}
          {mine.seatTakenByOther ? (
            <p>Your seat has already taken part.</p>
          ) : proposal.ballot === "secret" && mine.tookPart ? null : (
            <Form method="post" {...formProps(stanceForm)}>
              <IntentInput value="stance" />
              <FormErrors form={stanceForm} />
              <ChoiceField meta={stanceFields.choice} legend="Your stance" type="radio" options={choices.map((choice) => ({ value: choice, label: choiceLabels[choice] }))} />
              <TextAreaField meta={stanceFields.reason} label="Reason" hint="Required for an objection or a block." rows={3} />
              <button type="submit" className="button">
                {mine.tookPart ? "Change my stance" : "Give my stance"}
              </button>
            </Form>
          )}
          {mine.history.length > 1 ? (
            <details>
              <summary>Your earlier stances</summary>
              <ul>
                {mine.history.map((stance, index) => (
                  <li key={index}>
                    {choiceLabels[stance.stance]}
                    {stance.reason ? ` (${stance.reason})` : ""}, {stance.when}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </section>
      ) : null}

      <section aria-labelledby="results-heading">
        <h2 id="results-heading">Results</h2>
        {results ? (
          <>
            <p>{tallySummary(proposal.process, results.tally)}</p>
            <ul>
              {choices.map((choice) => (
                <li key={choice}>
                  {choiceLabels[choice]}: {results.tally[choice] ?? 0}
                </li>
              ))}
            </ul>
            {results.reasons.length > 0 ? (
              <>
                <h3>Objections and blocks</h3>
                <ul>
                  {results.reasons.map((entry, index) => (
                    <li key={index}>
                      {choiceLabels[entry.stance]}
                      {entry.name ? `, ${entry.name}` : ""}: {entry.reason}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {named.length > 0 ? (
              <details>
                <summary>Stances by name</summary>
                <ul>
                  {named.map((stance) => (
                    <li key={stance.name}>
                      {stance.name}: {choiceLabels[stance.stance]}
                    </li>
                  ))}
                </ul>
              </details>
            ) : null}
          </>
        ) : (
          <p>Results are hidden until it closes.</p>
        )}
        {proposal.status === "open" ? <ProposalRoom proposalId={proposal.id} /> : null}
      </section>

      {participation ? (
        <section aria-labelledby="participation-heading">
          <h2 id="participation-heading">Who has taken part</h2>
          <ul>
            {participation.map((row) => (
              <li key={row.name}>
                {row.name}
                {row.organisation ? `, ${row.organisation}` : ""}: {row.excluded ? "not taking part (conflict of interest)" : row.tookPart ? "taken part" : "not yet"}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {may["proposal.close"] ? (
        <Form method="post" {...formProps(closeForm)}>
          <IntentInput value="close" />
          <FormErrors form={closeForm} />
          <button type="submit" className="button">
            Close it now
          </button>
        </Form>
      ) : null}

      {may["proposal.settings"] && proposal.status === "open" ? (
        <details>
          <summary>Change the settings</summary>
          <Form method="post" className="panel" {...formProps(settingsForm)}>
            <IntentInput value="settings" />
            <FormErrors form={settingsForm} />
            <p className="hint">Only in the safe direction: a later closing time, results hidden rather than shown, a named ballot made secret before anyone takes part.</p>
            <div className="field-row">
              <TextField meta={settingsFields.closesOn} label="Closes on" hint={`In New Zealand. ${NZ_DATE_HINT}`} />
              <TextField meta={settingsFields.closesTime} label="At" hint="New Zealand time." type="time" />
            </div>
            <ChoiceField
              meta={settingsFields.results}
              legend="Results"
              type="radio"
              options={[
                { value: "visible", label: "Shown as people take part" },
                { value: "hidden_until_closed", label: "Hidden until it closes" },
              ]}
            />
            <ChoiceField
              meta={settingsFields.ballot}
              legend="Ballot"
              type="radio"
              options={[
                { value: "named", label: "Named" },
                { value: "secret", label: "Secret" },
              ]}
            />
            <button type="submit" className="button button--secondary">
              Save the settings
            </button>
          </Form>
        </details>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
