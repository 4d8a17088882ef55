/**
 * Administration: the audit log, newest first, 50 entries a page, filtered by action. The log is
 * append-only (the database refuses to change or delete an entry), so this page only reads.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { SelectField, formProps, useAppForm } from "../components/forms/fields.js";
import { requirePlatformAdmin } from "../http/require-admin.server.js";
import { auditFilterSchema } from "../identity/schemas.js";
import { AUDIT_PAGE_SIZE, auditActions, listAuditLog } from "../models/admin.server.js";
import { formatNzShortDate, formatNzTime } from "../utils/dates.js";
import { DataTable, type Column } from "../components/DataTable.js";

export const meta: MetaFunction = () => [{ title: "Audit log · Administration · Stewardship Workspace" }];

const subjectLabels: Record<string, string> = {
  user: "Account",
  organisation: "Organisation",
  group: "Group",
  membership: "Membership",
  document: "Document",
  meeting: "Meeting",
  invitation: "Invitation",
};

/** "sessionsRevoked" and "end_reason" as "Sessions revoked" and "End reason". */
function readableKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function readableValue(value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "string" || typeof value === "number") return String(value);
  return JSON.stringify(value);
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePlatformAdmin(request, context);
  const db = context.services.db;
  const filter = parseWithZod(new URL(request.url).searchParams, { schema: auditFilterSchema });
  // An odd filter (a hand-made address) shows the first page of everything.
  const query = filter.status === "success" ? { action: filter.value.action, page: filter.value.page ?? 1 } : { action: undefined, page: 1 };
  const [actions, { total, rows }] = await Promise.all([
    auditActions(db),
    listAuditLog(db, { action: query.action ?? null, page: query.page }),
  ]);
  return {
    actions,
    action: query.action ?? "",
    page: query.page,
    pageCount: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)),
    total,
    entries: rows.map((row) => {
      const subjectName = row.subject_user_name ?? row.subject_organisation_name ?? row.subject_member_name;
      const subjectLabel = row.subject_type ? (subjectLabels[row.subject_type] ?? readableKey(row.subject_type)) : null;
      return {
        id: row.id,
        when: `${formatNzShortDate(row.occurred_at)}, ${formatNzTime(row.occurred_at)}`,
        whenIso: row.occurred_at.toISOString(),
        who: row.actor_name ?? row.actor_label ?? "System",
        action: row.action,
        subject: subjectLabel
          ? `${subjectLabel}: ${subjectName ?? (row.subject_type === "group" ? row.group_name : null) ?? row.subject_id ?? "unknown"}`
          : null,
        group: row.group_code && row.subject_type !== "group" ? `${row.group_code}` : null,
        ip: row.ip,
        details: Object.entries(row.details ?? {}).map(([key, value]) => ({ key: readableKey(key), value: readableValue(value) })),
      };
    }),
  };
}

function pageLink(action: string, page: number): string {
  const params = new URLSearchParams();
  if (action) params.set("action", action);
  if (page > 1) params.set("page", String(page));
  const search = params.toString();
  return `/admin/audit${search ? `?${search}` : ""}`;
}

type EntryRow = ReturnType<typeof useLoaderData<typeof loader>>["entries"][number];

const entryColumns: Column<EntryRow>[] = [
  { header: "When", rowHeader: true, cell: (entry) => <time dateTime={entry.whenIso}>{entry.when}</time> },
  { header: "Who", cell: (entry) => entry.who },
  { header: "Action", cell: (entry) => <code>{entry.action}</code> },
  {
    header: "Subject",
    cell: (entry) => (
      <>
        {entry.subject ?? ""}
        {entry.group ? <span className="muted"> (group {entry.group})</span> : null}
      </>
    ),
  },
  { header: "IP address", cell: (entry) => entry.ip ?? "" },
  {
    header: "Details",
    cell: (entry) =>
      entry.details.map((detail, index) => (
        <span key={detail.key}>
          {index > 0 ? <br /> : null}
          {`${detail.key}: ${detail.value}`}
        </span>
      )),
  },
];

export default function AdminAudit() {
  const { actions, action, page, pageCount, total, entries } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Audit log</h1>
      <p className="lede">Every entry is permanent: the database refuses to change or delete one. Times are New Zealand time.</p>

      <section className="panel" aria-labelledby="filter-heading">
        <h2 id="filter-heading">Filter</h2>
        <AuditFilter actions={actions} action={action} />
      </section>

      <section className="panel" aria-labelledby="entries-heading">
        <h2 id="entries-heading">
          {action ? `Entries for ${action}` : "All entries"}
          <span className="muted">
            {" "}
            ({total} in all, page {page} of {pageCount})
          </span>
        </h2>
        <DataTable label="Audit log entries" columns={entryColumns} rows={entries} rowKey={(entry) => entry.id} empty={<>No entries{action ? " for this action" : ""}{page > 1 ? " on this page" : ""}.</>} />
        {pageCount > 1 ? (
          <nav aria-label="Audit log pages">
            <p>
              {page > 1 ? <Link to={pageLink(action, page - 1)}>Newer entries</Link> : null}
              {page > 1 && page < pageCount ? " · " : null}
              {page < pageCount ? <Link to={pageLink(action, page + 1)}>Older entries</Link> : null}
            </p>
          </nav>
        ) : null}
      </section>
    </>
  );
}

function AuditFilter({ actions, action }: { actions: string[]; action: string }) {
  const [form, fields] = useAppForm(auditFilterSchema, { id: "audit-filter", defaultValue: { action } });
  return (
    <Form method="get" {...formProps(form)}>
      <SelectField
        meta={fields.action}
        label="Action"
        placeholder="All actions"
        options={actions.map((name) => ({ value: name, label: name }))}
      />
      <button type="submit" className="button button--secondary">
        Show entries
      </button>
    </Form>
  );
}
