/**
 * Search everything the signed-in person may read (issue 23): documents (their paragraphs),
 * submitted and approved versions, comments and replies, meetings, agenda items, decisions and
 * actions, filtered by kind, group, date range and document status. Each result shows its matched
 * words highlighted and links to the exact place: the paragraph, the comment thread, the decision
 * paragraph. What the person may not read is never selected (app/models/search.server.ts).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { SelectField, TextField, formProps, useAppForm } from "../components/forms/fields.js";
import { TeReo } from "../components/TeReo.js";
import { requireActor } from "../http/require.server.js";
import { listGroupsByIds } from "../models/groups.server.js";
import { searchEverything } from "../models/search.server.js";
import { SEARCH_PAGE_SIZE, searchPageSchema } from "../search/schemas.js";
import { cleanSearchText, searchKindLabels, searchKindNames, searchKinds, snippetParts } from "../search/search-kinds.js";
import { formatNzDate } from "../utils/dates.js";
import { documentStatusLabels } from "../utils/labels.js";
import { NZ_DATE_HINT } from "../utils/nz-date-schema.js";
import { documentStatuses } from "../../db/database.js";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.query.q ? `“${data.query.q}” · Search · Stewardship Workspace` : "Search · Stewardship Workspace" },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requireActor(request, context);
  const parsed = searchPageSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const query = { ...parsed, q: cleanSearchText(parsed.q) };
  const groups = await listGroupsByIds(context.services.db, [...actor.rolesByGroup.keys()]);
  const results = query.q
    ? await searchEverything(context.services.db, actor, {
        text: query.q,
        kinds: query.kind ? [query.kind] : [],
        groupId: query.group,
        from: query.from,
        to: query.to,
        documentStatus: query.status,
        limit: SEARCH_PAGE_SIZE,
        offset: (query.page - 1) * SEARCH_PAGE_SIZE,
      })
    : { hits: [], total: 0, more: false, fuzzy: false };
  return {
    query,
    groups: groups.map((group) => ({ value: group.id, label: group.name })),
    total: results.total,
    more: results.more,
    fuzzy: results.fuzzy,
    hits: results.hits.map((hit) => ({
      key: `${hit.kind}:${hit.sourceId}`,
      kind: hit.kind,
      title: hit.title,
      snippet: hit.snippet,
      groupName: hit.groupName,
      date: formatNzDate(hit.occurredAt),
      status: hit.kind === "document" && hit.status ? documentStatusLabels[hit.status as keyof typeof documentStatusLabels] ?? null : null,
      link: hit.link,
    })),
  };
}

const kindOptions = searchKinds.map((kind) => ({ value: kind, label: searchKindLabels[kind] }));
const statusOptions = documentStatuses.map((status) => ({ value: status, label: documentStatusLabels[status] }));

export default function SearchPage() {
  const { query, groups, hits, total, more, fuzzy } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const [form, fields] = useAppForm(searchPageSchema, {
    id: "search-page",
    defaultValue: {
      q: query.q,
      kind: query.kind ?? "",
      group: query.group ?? "",
      from: query.from ?? "",
      to: query.to ?? "",
      status: query.status ?? "",
    },
  });
  const pages = Math.ceil(total / SEARCH_PAGE_SIZE);
  const pageLink = (page: number) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== null && value !== "" && name !== "page") params.set(name, String(value));
    params.set("page", String(page));
    return `/search?${params}`;
  };
  return (
    <>
      <h1>Search</h1>
      <Form method="get" className="panel" role="search" aria-label="Search with filters" {...formProps(form)}>
        <TextField meta={fields.q} label="Words" hint="With or without macrons: “whanau” finds “whānau”. Put a phrase in quotes." type="search" />
        <div className="field-row">
          <SelectField meta={fields.kind} label="Kind" placeholder="Everything" options={kindOptions} />
          <SelectField meta={fields.group} label="Group" placeholder="All my groups" options={groups} />
          <SelectField meta={fields.status} label="Document status" placeholder="Any status" options={statusOptions} />
        </div>
        <div className="field-row">
          <TextField meta={fields.from} label="From" hint={NZ_DATE_HINT} />
          <TextField meta={fields.to} label="To" hint={NZ_DATE_HINT} />
        </div>
        <button type="submit" className="button">
          {navigation.state === "loading" ? "Searching…" : "Search"}
        </button>
      </Form>
      {query.q ? (
        <section aria-labelledby="search-results-heading" className="search-results">
          <h2 id="search-results-heading" aria-live="polite">
            {total === 0 ? "Nothing found" : more ? `More than ${total} results` : total === 1 ? "1 result" : `${total} results`}
          </h2>
          {more ? <p className="muted">Many things match: the best of the first ones found are shown. More words will narrow it down.</p> : null}
          {total === 0 ? <p>Nothing you can read matches “{query.q}”. Try fewer words, or another spelling.</p> : null}
          {fuzzy ? <p className="muted">No exact matches: these are close matches for words like the ones you typed.</p> : null}
          <ol className="search-results__list">
            {hits.map((hit) => (
              <li key={hit.key} className="search-result">
                <p className="search-result__kind muted">
                  {searchKindNames[hit.kind]} · {hit.groupName} · {hit.date}
                  {hit.status ? ` · ${hit.status}` : null}
                </p>
                <h3 className="search-result__title">
                  <Link to={hit.link}>
                    <TeReo text={hit.title} />
                  </Link>
                </h3>
                <p className="search-result__snippet">
                  {snippetParts(hit.snippet).map((part, index) => (part.highlighted ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>))}
                </p>
              </li>
            ))}
          </ol>
          {pages > 1 ? (
            <nav aria-label="Pages of results" className="inline-forms">
              {query.page > 1 ? <Link to={pageLink(query.page - 1)}>Previous page</Link> : null}
              <span>
                Page {query.page} of {pages}
              </span>
              {query.page < pages ? <Link to={pageLink(query.page + 1)}>Next page</Link> : null}
            </nav>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
