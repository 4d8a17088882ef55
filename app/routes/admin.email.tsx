/**
 * Administration: email that could not be delivered. Email goes out through the job queue with
 * retries for about a day; what still fails lands here (the dead letters), with the mail server's
 * last answer, so the administrator can fix the cause (a mistyped address, a mail server refusing)
 * and send it again, or discard it. Works without JS.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { RowButtonsForm, resultFor, useAppForm } from "../components/forms/fields.js";
import { requirePlatformAdmin } from "../http/require-admin.server.js";
import { afterChange, invalidForm, replyWithError } from "../http/responses.server.js";
import { undeliveredEmailSchema } from "../identity/schemas.js";
import { discardUndeliveredEmail, listUndeliveredEmail, resendUndeliveredEmail } from "../models/undelivered-email.server.js";
import { formatNzDateTime } from "../utils/dates.js";
import { DataTable, type Column } from "../components/DataTable.js";
import { SuccessNotice } from "../components/SuccessNotice.js";
import { Panel } from "../components/Panel.js";

export const meta: MetaFunction = () => [{ title: "Undelivered email · Administration · Stewardship Workspace" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requirePlatformAdmin(request, context);
  const letters = await listUndeliveredEmail(context.services.jobs, actor);
  return {
    letters: letters.map((letter) => ({
      id: letter.id,
      to: letter.to,
      subject: letter.subject,
      queuedAt: formatNzDateTime(letter.firstQueuedAt),
      failedAt: formatNzDateTime(letter.failedAt),
      attempts: letter.attempts,
      lastError: letter.lastError,
    })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { actor } = await requirePlatformAdmin(request, context);
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: undeliveredEmailSchema });
  if (submission.status !== "success") return invalidForm(submission);
  const { intent, emailId } = submission.value;
  const { db, jobs } = context.services;
  try {
    if (intent === "resend") await resendUndeliveredEmail(db, jobs, actor, emailId, { ip: context.clientIp });
    else await discardUndeliveredEmail(db, jobs, actor, emailId, { ip: context.clientIp });
  } catch (error) {
    return replyWithError(submission, error);
  }
  return afterChange(request, formData, `/admin/email?${intent === "resend" ? "resent" : "discarded"}=1`);
}

const letterForms = { resend: "resend-email", discard: "discard-email" } as const;

type LetterRow = ReturnType<typeof useLoaderData<typeof loader>>["letters"][number];

function letterColumns(submitting: boolean): Column<LetterRow>[] {
  return [
    { header: "To", rowHeader: true, cell: (letter) => letter.to },
    { header: "Subject", cell: (letter) => letter.subject },
    { header: "Sent", cell: (letter) => letter.queuedAt },
    {
      header: "Gave up",
      cell: (letter) => (
        <>
          {letter.failedAt}
          <span className="muted"> after {letter.attempts} attempts</span>
        </>
      ),
    },
    { header: "Mail server's answer", cell: (letter) => letter.lastError ?? <span className="muted">None recorded</span> },
    {
      header: "Change",
      className: "actions",
      cell: (letter) =>
        (["resend", "discard"] as const).map((intent) => (
          <button
            key={intent}
            type="submit"
            form={letterForms[intent]}
            name="emailId"
            value={letter.id}
            className={intent === "resend" ? "button button--secondary" : "button button--danger"}
            aria-label={`${intent === "resend" ? "Send again" : "Discard"} the email to ${letter.to}: ${letter.subject}`}
            disabled={submitting}
          >
            {intent === "resend" ? "Send again" : "Discard"}
          </button>
        )),
    },
  ];
}

export default function UndeliveredEmail() {
  const { letters } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const submitting = useNavigation().state === "submitting";
  const notice = searchParams.get("resent")
    ? "The email is on its way again. If it still cannot be delivered it comes back here."
    : searchParams.get("discarded")
      ? "The email was discarded."
      : null;
  return (
    <>
      <h1>Undelivered email</h1>
      <p className="lede">
        Email is tried again for about a day when the mail server cannot take it. These could not be delivered at all.
        Check the address and the mail server, then send again.
      </p>
      <LetterForm intent="resend" lastResult={resultFor(actionData, "resend")} />
      <LetterForm intent="discard" lastResult={resultFor(actionData, "discard")} />
      {notice ? (
        <SuccessNotice>{notice}</SuccessNotice>
      ) : null}
      <Panel headingId="undelivered-heading" heading="Not delivered">
        <DataTable columns={letterColumns(submitting)} rows={letters} rowKey={(letter) => letter.id} empty="Every email has been delivered." />
      </Panel>
    </>
  );
}

/** The form a row's button submits (its `form` attribute), naming the email. */
function LetterForm({ intent, lastResult }: { intent: keyof typeof letterForms; lastResult: unknown }) {
  const [form] = useAppForm(undeliveredEmailSchema, { id: letterForms[intent], lastResult });
  return <RowButtonsForm form={form} intent={intent} />;
}
