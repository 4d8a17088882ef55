/**
 * Opening a proposal (chair or secretary): the resolution as the minute will record it (verb
 * first), its background and the paper version it is about, how it is decided (consent, consensus
 * or a majority vote, the group's own default first), the closing date and time in New Zealand,
 * whether results show as people take part, named or secret ballot, and any conflict declared.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { RouteHandle } from "../components/PageFrame.js";
import { ChoiceField, FormErrors, SelectField, TextAreaField, TextField, formProps, useAppForm } from "../components/forms/fields.js";
import { requireGroupMeetings } from "../http/require-meeting.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { openProposal, proposalFormOptions } from "../models/proposals.server.js";
import { baseLabels, processLabels, thresholdLabels } from "../proposals/processes.js";
import { openProposalSchema, proposalVerbs } from "../proposals/schemas.js";
import { addDays } from "../models/memberships.server.js";
import { formatNzShortDate, nzCalendarDate, nzWallClockInstant } from "../utils/dates.js";
import { NZ_DATE_HINT } from "../utils/nz-date-schema.js";

export const meta: MetaFunction = () => [{ title: "Open a proposal · Stewardship Workspace" }];

export const handle: RouteHandle<typeof loader> = {
  breadcrumb: (data) => [
    { to: `/groups/${data.group.id}/proposals`, label: "Proposals" },
    { to: `/groups/${data.group.id}/proposals/new`, label: "Open a proposal" },
  ],
};

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { group } = await requireGroupMeetings(request, context, params, "proposal.open");
  const options = await proposalFormOptions(context.services.db, group.id);
  return {
    group: { id: group.id, name: group.name },
    defaults: options.defaults,
    closesOn: formatNzShortDate(addDays(nzCalendarDate(), 7)),
    versions: options.versions.map((version) => ({ value: version.id, label: `${version.title}, version ${version.number}${version.name ? ` (${version.name})` : ""}` })),
    seats: options.seats.map((seat) => ({ value: seat.membershipId, label: seat.isAlternate ? `${seat.name} (alternate)` : seat.name })),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, group } = await requireGroupMeetings(request, context, params, "proposal.open");
  const submission = parseWithZod(await request.formData(), { schema: openProposalSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const value = submission.value;
  const [hours, minutes] = value.closesTime.split(":").map(Number) as [number, number];
  try {
    const id = await openProposal(context.services.db, context.services, actor, {
      groupId: group.id,
      title: value.title,
      verb: value.verb,
      resolution: value.resolution,
      background: value.background ?? null,
      process: value.process,
      majorityThreshold: value.majorityThreshold ?? null,
      majorityBase: value.majorityBase ?? null,
      closesAt: nzWallClockInstant(value.closesOn, hours, minutes),
      results: value.results,
      ballot: value.ballot,
      documentVersionId: value.documentVersionId || null,
      conflicts: value.conflictMembershipId && value.conflictInterest ? [{ membershipId: value.conflictMembershipId, interest: value.conflictInterest }] : [],
      ip: context.clientIp,
    });
    return redirect(`/groups/${group.id}/proposals/${id}`);
  } catch (error) {
    return replyWithError(submission, error);
  }
}

export default function OpenProposal() {
  const { defaults, closesOn, versions, seats } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useAppForm(openProposalSchema, {
    id: "open-proposal",
    lastResult,
    defaultValue: {
      verb: "agreed",
      process: defaults.default_decision_process,
      majorityThreshold: defaults.default_majority_threshold,
      majorityBase: "votes_cast",
      closesOn,
      closesTime: "17:00",
      results: "visible",
      ballot: "named",
    },
  });
  return (
    <>
      <h1>Open a proposal</h1>
      <FormErrors form={form} />
      <Form method="post" className="panel" {...formProps(form)}>
        <TextField meta={fields.title} label="Title" />
        <SelectField meta={fields.verb} label="The decision opens with" options={proposalVerbs.map((verb) => ({ value: verb, label: verb }))} />
        <TextAreaField meta={fields.resolution} label="Resolution" hint="As the minute will record it after the verb, for example: that the draft terms of reference be sent to the Minister." rows={3} />
        <TextAreaField meta={fields.background} label="Background" hint="Optional. Why this is put now, and what people should read." rows={4} />
        <SelectField meta={fields.documentVersionId} label="Paper" hint="Optional. The exact saved version the proposal is about." options={versions} placeholder="No paper" />
        <ChoiceField
          meta={fields.process}
          legend="How it is decided"
          hint={`The terms of reference name ${defaults.default_decision_process}. Between meetings, at least ${defaults.proposal_quorum_percent}% of the seats must take part.`}
          type="radio"
          options={(["consent", "consensus", "majority"] as const).map((process) => ({ value: process, label: processLabels[process] }))}
        />
        <div className="field-row">
          <SelectField meta={fields.majorityThreshold} label="For a majority vote: yes needs" options={(["more_than_half", "two_thirds", "three_quarters"] as const).map((value) => ({ value, label: thresholdLabels[value] }))} />
          <SelectField meta={fields.majorityBase} label="Counted" options={(["votes_cast", "eligible"] as const).map((value) => ({ value, label: baseLabels[value] }))} />
        </div>
        <div className="field-row">
          <TextField meta={fields.closesOn} label="Closes on" hint={`In New Zealand. ${NZ_DATE_HINT}`} />
          <TextField meta={fields.closesTime} label="At" hint="New Zealand time." type="time" />
        </div>
        <ChoiceField
          meta={fields.results}
          legend="Results"
          hint="Hidden results cannot be shown early later."
          type="radio"
          options={[
            { value: "visible", label: "Shown as people take part" },
            { value: "hidden_until_closed", label: "Hidden until it closes" },
          ]}
        />
        <ChoiceField
          meta={fields.ballot}
          legend="Ballot"
          hint="A secret ballot keeps who took part apart from what they chose; a secret stance cannot be changed once given."
          type="radio"
          options={[
            { value: "named", label: "Named" },
            { value: "secret", label: "Secret" },
          ]}
        />
        <fieldset className="fieldset">
          <legend>Conflict of interest</legend>
          <SelectField meta={fields.conflictMembershipId} label="Member with a conflict" hint="Optional. Their seat does not take part, and the record says so." options={seats} placeholder="None declared" />
          <TextField meta={fields.conflictInterest} label="Their interest" />
        </fieldset>
        <button type="submit" className="button" disabled={navigation.state === "submitting"}>
          {navigation.state === "submitting" ? "Opening…" : "Open the proposal"}
        </button>
      </Form>
    </>
  );
}
