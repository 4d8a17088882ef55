/**
 * "Who were the members on a date?": a GET form (the page's loader parses it with the same
 * schema and answers 400 with the field's message for a date that is not a date), and the members
 * on that date when one was asked.
 */
import { Form } from "@remix-run/react";
import { TextField, formProps, useAppForm } from "../forms/fields.js";
import { membersOnDateSchema } from "../../identity/schemas.js";
import { type MemberRow, MembersTable } from "./MembersTable.js";

export function MembersOnDate({
  lastResult,
  onDate,
}: {
  /** The loader's reply to the query (`?on=`). */
  lastResult: unknown;
  onDate: { label: string; counts: string; members: MemberRow[] } | null;
}) {
  const [form, fields] = useAppForm(membersOnDateSchema, { id: "members-on", lastResult });
  return (
    <section className="panel" aria-labelledby="on-date-heading">
      <h2 id="on-date-heading">Who were the members on a date?</h2>
      <Form method="get" {...formProps(form)}>
        <TextField meta={fields.on} label="Date" hint="For example, the date of a meeting or decision: 8 December 2026" />
        <button type="submit" className="button button--secondary">
          Show members
        </button>
      </Form>
      {onDate ? (
        <>
          <h3 id="on-date-result">Members on {onDate.label}</h3>
          {onDate.members.length === 0 ? (
            <p>The group had no members on that date.</p>
          ) : (
            <>
              <p>{`On ${onDate.label}: ${onDate.counts}`}</p>
              <MembersTable members={onDate.members} caption={`Memberships on ${onDate.label}`} showEnd={false} />
            </>
          )}
        </>
      ) : null}
    </section>
  );
}
