/**
 * Administration overview for the Hub's platform administrators: what there is, and where to
 * manage it. Administrators manage groups, organisations and accounts; they do not read a group's
 * documents unless they are one of its members.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requirePlatformAdmin } from "../http/require-admin.server.js";
import { adminOverview } from "../models/admin.server.js";
import { listUndeliveredEmail } from "../models/undelivered-email.server.js";

export const meta: MetaFunction = () => [{ title: "Administration · Stewardship Workspace" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { actor } = await requirePlatformAdmin(request, context);
  const [counts, undelivered] = await Promise.all([adminOverview(context.services.db), listUndeliveredEmail(context.services.jobs, actor)]);
  return { ...counts, undeliveredEmail: undelivered.length };
}

export default function AdminOverview() {
  const counts = useLoaderData<typeof loader>();
  const sections = [
    {
      to: "/admin/organisations",
      title: "Organisations",
      count: `${counts.organisations} organisation${counts.organisations === 1 ? "" : "s"}`,
      about: "The agencies, Crown entities, NGOs, iwi and Māori, community and disabled people's organisations members represent.",
    },
    {
      to: "/admin/groups",
      title: "Groups",
      count: `${counts.groups} group${counts.groups === 1 ? "" : "s"}`,
      about: "Create a group and its reference code. Its secretary then invites the members.",
    },
    {
      to: "/admin/accounts",
      title: "Accounts",
      count: `${counts.accounts} account${counts.accounts === 1 ? "" : "s"}`,
      about: "Disable an account to sign its holder out everywhere and stop them signing in.",
    },
    {
      to: "/admin/email",
      title: "Undelivered email",
      count: counts.undeliveredEmail === 0 ? "Nothing undelivered" : `${counts.undeliveredEmail} not delivered`,
      about: "Email the mail server would not take after a day of trying. Send it again once the cause is fixed.",
    },
    {
      to: "/admin/audit",
      title: "Audit log",
      count: `${counts.auditEntries} entr${counts.auditEntries === 1 ? "y" : "ies"}`,
      about: "Every sign-in, membership change and administrative change, newest first. Entries cannot be changed.",
    },
  ];
  return (
    <>
      <h1>Administration</h1>
      <p className="lede">
        Manage the platform for the Social Sector Commissioning Hub. A group's documents stay with its members: you see
        them only if you are one.
      </p>
      <ul className="list-plain panel">
        {sections.map((section) => (
          <li key={section.to}>
            <h2 className="h3">
              <Link to={section.to}>{section.title}</Link>
            </h2>
            <p className="muted">{section.count}</p>
            <p>{section.about}</p>
          </li>
        ))}
      </ul>
    </>
  );
}
