/**
 * The action tracker: what the group's decisions directed or invited someone to do, who owns it,
 * when it is due (overdue ones flagged and first) and how it is going. The owner (or a member of
 * the owning organisation), the chair and the secretary record progress; each update is kept.
 */
import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { actionStatuses } from "../../db/database.js";
import { TeReo } from "../components/TeReo.js";
import { FormErrors, SelectField, TextField, formProps, useAppForm } from "../components/forms/fields.js";
import { requireGroupMeetings } from "../http/require-meeting.server.js";
import { invalidForm, replyWithError } from "../http/responses.server.js";
import { actionProgressSchema } from "../meetings/schemas.js";
import { listActions, updateActionProgress } from "../models/actions.server.js";
import meetingStyles from "../styles/meetings.css";
import { formatNzDateTime, formatNzShortDate } from "../utils/dates.js";
import { actionStatusLabels } from "../utils/labels.js";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: meetingStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: `Actions · ${loaderData?.group.name ?? "Group"} · Stewardship Workspace` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { actor, group } = await requireGroupMeetings(request, context, params);
  const showAll = new URL(request.url).searchParams.get("show") === "all";
  const actions = await listActions(context.services.db, actor, group.id, { status: showAll ? "all" : "open" });
  return {
    group: { id: group.id, name: group.name },
    showAll,
    actions: actions.map((action) => ({
      ...action,
      dueLabel: formatNzShortDate(action.dueOn),
      statusLabel: actionStatusLabels[action.status],
      updates: action.updates.map((update) => ({ ...update, at: formatNzDateTime(update.at), statusLabel: actionStatusLabels[update.status] })),
    })),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { actor, group } = await requireGroupMeetings(request, context, params);
  const submission = parseWithZod(await request.formData(), { schema: actionProgressSchema });
  if (submission.status !== "success") return invalidForm(submission);
  try {
    await updateActionProgress(context.services.db, actor, { groupId: group.id, ...submission.value, note: submission.value.note ?? null, ip: context.clientIp });
  } catch (error) {
    return replyWithError(submission, error);
  }
  return redirect(`/groups/${group.id}/actions${new URL(request.url).search}`);
}

export default function Actions() {
  const { group, showAll, actions } = useLoaderData<typeof loader>();
  const overdue = actions.filter((action) => action.overdue).length;
  return (
    <>
      <h1>Actions</h1>
      <nav aria-label="Show actions" className="inline-forms">
        <Link to="?" aria-current={showAll ? undefined : "page"}>
          Open
        </Link>
        <Link to="?show=all" aria-current={showAll ? "page" : undefined}>
          All, including done
        </Link>
      </nav>
      <p role="status">
        {actions.length === 0
          ? showAll
            ? "No actions yet. Decisions that direct, invite or request someone create them."
            : "No open actions."
          : `${actions.length} action${actions.length === 1 ? "" : "s"}${overdue > 0 ? `, ${overdue} overdue` : ""}.`}
      </p>
      {actions.length > 0 ? (
      <ul className="list-plain action-list panel">
        {actions.map((action) => (
          <li key={action.id} aria-labelledby={`action-${action.id}`}>
            <p id={`action-${action.id}`}>
              <strong>
                <TeReo text={action.description} />
              </strong>{" "}
              {action.overdue ? <span className="tag tag--overdue">Overdue</span> : null}
            </p>
            <p className="muted">
              {action.owner} · due {action.dueLabel} · {action.statusLabel} · from{" "}
              <Link to={`/groups/${group.id}/meetings/${action.decision.meetingId}/minutes#decision-${action.decision.id}`}>
                paragraph {action.decision.number}
                {action.decision.reference ? ` of [${action.decision.reference}]` : ` of the draft minutes of ${action.decision.meetingTitle}`}
              </Link>
            </p>
            {action.updates.length > 0 ? (
              <ul className="action-history" aria-label="Progress so far">
                {action.updates.map((update, index) => (
                  <li key={index}>
                    {update.at}: {update.statusLabel}
                    {update.by ? ` (${update.by})` : ""}
                    {update.note ? ` — ${update.note}` : ""}
                  </li>
                ))}
              </ul>
            ) : null}
            {action.mayUpdate ? (
              <details>
                <summary>
                  Record progress<span className="visually-hidden"> on “{action.description}”</span>
                </summary>
                <ProgressForm item={action} />
              </details>
            ) : null}
          </li>
        ))}
      </ul>
      ) : null}
    </>
  );
}

/** Progress on one action: its status and a note. */
function ProgressForm({ item }: { item: { id: string; status: string } }) {
  const reply = useActionData() as SubmissionResult<string[]> | undefined;
  const [form, fields] = useAppForm(actionProgressSchema, {
    id: `progress-${item.id}`,
    // Each action has its own form: only the one that was sent shows the reply.
    lastResult: reply?.initialValue?.actionId === item.id ? reply : null,
    defaultValue: { status: item.status },
  });
  return (
    <>
      <FormErrors form={form} />
      <Form method="post" className="inline-forms" {...formProps(form)}>
        <input type="hidden" name="actionId" value={item.id} />
        <SelectField meta={fields.status} label="Status" options={actionStatuses.map((status) => ({ value: status, label: actionStatusLabels[status] }))} />
        <TextField meta={fields.note} label="Note (optional)" />
        <button type="submit" className="button button--secondary">
          Save progress
        </button>
      </Form>
    </>
  );
}
