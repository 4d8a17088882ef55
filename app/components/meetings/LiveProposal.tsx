/**
 * Proposals at the meeting, in its Now panel (issue 22; docs/decisions/021): the one live now,
 * with the stance form for a member present, the tally as it moves (the page follows the meeting
 * room over Socket.io), the show of hands for the secretary or chair and "Close the vote" for the
 * chair; or, for the chair, putting a proposal to the meeting under the item it is on. Every form
 * posts to the meeting page (works without JavaScript), parsed with its one schema.
 */
import { Form, useActionData } from "@remix-run/react";
import type { LiveProposalPanel } from "../../models/live-proposals.server.js";
import { baseLabels, processLabels, thresholdLabels } from "../../proposals/processes.js";
import { closeLiveVoteSchema, liveProposalVerbs, liveStanceSchema, openLiveProposalSchema, showOfHandsSchema } from "../../proposals/schemas.js";
import { ChoiceField, FormErrors, IntentInput, SelectField, TextAreaField, TextField, formProps, resultFor, useAppForm } from "../forms/fields.js";
import { TeReo } from "../TeReo.js";
import { IntentButton } from "./IntentButton.js";

export function LiveProposal({ panel, actionPath }: { panel: LiveProposalPanel; actionPath: string }) {
  const { live, waiting, may } = panel;
  if (!live && !may["proposal.run_live"]) return null;
  return (
    <div className="now-panel__proposal">
      {live ? <LiveVote live={live} may={may} actionPath={actionPath} /> : <PutToMeeting waiting={waiting} actionPath={actionPath} />}
    </div>
  );
}

function LiveVote({ live, may, actionPath }: { live: NonNullable<LiveProposalPanel["live"]>; may: LiveProposalPanel["may"]; actionPath: string }) {
  const actionData = useActionData();
  const [stanceForm, stanceFields] = useAppForm(liveStanceSchema, { id: "live-stance", lastResult: resultFor(actionData, "proposal.stance") });
  const [handsForm, handsFields] = useAppForm(showOfHandsSchema, {
    id: "show-of-hands",
    lastResult: resultFor(actionData, "proposal.hands"),
    ...(live.hands ? { defaultValue: { hands: Object.fromEntries(live.hands.map((choice) => [choice.value, String(choice.count)])) } } : {}),
  });
  const [closeForm] = useAppForm(closeLiveVoteSchema, { id: "close-vote", lastResult: resultFor(actionData, "proposal.closeLive") });
  const hands = handsFields.hands.getFieldset();
  const mayTakePart = may["proposal.take_part"];
  const mayCount = may["proposal.show_of_hands"];
  return (
    <section aria-labelledby="live-proposal-heading">
      <h3 id="live-proposal-heading">
        Proposal before the meeting: <TeReo text={live.title} />
      </h3>
      <blockquote className="resolution">
        <p>
          <strong>{live.verb}</strong> <TeReo text={live.resolution} />
        </p>
      </blockquote>
      <p>Decided by {live.processNoun}.</p>
      <div aria-live="polite">
        {live.hands ? (
          <p>{`Show of hands recorded: ${live.handsSummary} (${live.hands.map((choice) => `${choice.label} ${choice.count}`).join(", ")}).`}</p>
        ) : (
          <p>
            {`${live.counts.seatsTakingPart} of ${live.counts.eligibleSeats} seats have taken part.`}
            {live.tally ? ` So far: ${live.tally.map((choice) => `${choice.label} ${choice.count}`).join(", ")}.` : ""}
          </p>
        )}
      </div>
      {live.mine.stance ? (
        <p>
          Your stance: <strong>{live.mine.stance}</strong>
        </p>
      ) : null}
      {live.mine.seat && !live.mine.present ? <p>You are not recorded present at this meeting, so you do not take part in this vote.</p> : null}
      {live.mine.present && live.mine.seatTakenByOther ? <p>Your seat has already taken part.</p> : null}
      {mayTakePart ? (
        <Form method="post" action={actionPath} {...formProps(stanceForm)}>
          <IntentInput value="proposal.stance" />
          <input type="hidden" name="proposalId" value={live.id} />
          <FormErrors form={stanceForm} />
          <ChoiceField meta={stanceFields.choice} legend="Your stance" type="radio" options={live.choices} />
          <TextAreaField meta={stanceFields.reason} label="Reason" hint="Required for an objection or a block." rows={2} />
          <button type="submit" className="button">
            {live.mine.stance ? "Change my stance" : "Give my stance"}
          </button>
        </Form>
      ) : null}
      {mayCount ? (
        <details open={live.hands !== null || undefined}>
          <summary>Record a show of hands</summary>
          <Form method="post" action={actionPath} {...formProps(handsForm)}>
            <IntentInput value="proposal.hands" />
            <input type="hidden" name="proposalId" value={live.id} />
            <FormErrors form={handsForm} />
            <p className="hint">Counts only, no names. Once recorded, the counts are the vote.</p>
            <div className="inline-fields">
              {live.choices.map((choice) => {
                return <TextField key={choice.value} meta={hands[choice.value]} label={choice.label} type="number" min={0} max={1000} inputMode="numeric" />;
              })}
            </div>
            <button type="submit" className="button button--secondary">
              {live.hands ? "Correct the show of hands" : "Record the show of hands"}
            </button>
          </Form>
        </details>
      ) : null}
      {may["proposal.run_live"] ? (
        <Form method="post" action={actionPath} {...formProps(closeForm)}>
          <IntentInput value="proposal.closeLive" />
          <input type="hidden" name="proposalId" value={live.id} />
          <FormErrors form={closeForm} />
          <button type="submit" className="button">
            Close the vote
          </button>
        </Form>
      ) : null}
    </section>
  );
}

function PutToMeeting({ waiting, actionPath }: { waiting: LiveProposalPanel["waiting"]; actionPath: string }) {
  const actionData = useActionData();
  const reply = resultFor(actionData, "proposal.openLive");
  const [form, fields] = useAppForm(openLiveProposalSchema, { id: "open-live-proposal", lastResult: reply, defaultValue: { verb: "agreed", process: "consent" } });
  return (
    <section aria-labelledby="put-proposal-heading">
      <h3 id="put-proposal-heading">Put a proposal to the meeting</h3>
      {waiting.length > 0 ? (
        <ul className="list-plain">
          {waiting.map((proposal) => (
            <li key={proposal.id}>
              <TeReo text={proposal.title} />{" "}
              <IntentButton intent="proposal.putLive" action={actionPath} values={{ proposalId: proposal.id }} formClassName="inline-forms" label={`Put live: ${proposal.title}`}>
                Put live
              </IntentButton>
            </li>
          ))}
        </ul>
      ) : null}
      <details open={reply !== null || undefined}>
        <summary>New proposal under this item</summary>
        <Form method="post" action={actionPath} {...formProps(form)}>
          <IntentInput value="proposal.openLive" />
          <FormErrors form={form} />
          <TextField meta={fields.title} label="Title" />
          <SelectField meta={fields.verb} label="Verb the decision opens with" options={liveProposalVerbs.map((verb) => ({ value: verb, label: verb }))} />
          <TextAreaField meta={fields.resolution} label="Resolution" hint="As the minute will record it, after the verb: “that the group …”." rows={3} />
          <SelectField
            meta={fields.process}
            label="How it is decided"
            options={(["consent", "consensus", "majority"] as const).map((process) => ({ value: process, label: processLabels[process] }))}
          />
          <SelectField
            meta={fields.majorityThreshold}
            label="Majority threshold (a majority vote only)"
            placeholder="More than half"
            options={(["more_than_half", "two_thirds", "three_quarters"] as const).map((threshold) => ({ value: threshold, label: thresholdLabels[threshold] }))}
          />
          <SelectField
            meta={fields.majorityBase}
            label="What the threshold counts (a majority vote only)"
            placeholder="Of the votes cast"
            options={(["votes_cast", "eligible"] as const).map((base) => ({ value: base, label: baseLabels[base] }))}
          />
          <button type="submit" className="button">
            Put it to the meeting
          </button>
        </Form>
      </details>
    </section>
  );
}
