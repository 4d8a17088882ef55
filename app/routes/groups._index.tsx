/** The groups the signed-in person belongs to today. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireActor } from "../http/require.server.js";
import { listGroupsByIds } from "../models/groups.server.js";
import { roleLabels } from "../utils/labels.js";

export const meta: MetaFunction = () => [{ title: "My groups · Stewardship Workspace" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, actor } = await requireActor(request, context);
  const groups = await listGroupsByIds(context.services.db, [...actor.rolesByGroup.keys()]);
  return {
    displayName: user.displayName,
    isPlatformAdmin: user.isPlatformAdmin,
    groups: groups.map((group) => ({ ...group, role: actor.rolesByGroup.get(group.id)! })),
  };
}

export default function MyGroups() {
  const { displayName, groups, isPlatformAdmin } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>
        <span lang="mi">Kia ora</span>, {displayName}
      </h1>
      {groups.length === 0 ? (
        <div className="panel">
          <p>You are not a member of any group at the moment.</p>
          {isPlatformAdmin ? (
            <p>
              As the platform administrator you can manage groups, organisations and accounts in{" "}
              <Link to="/admin">Administration</Link>. You see a group's documents only if you are one of its members.
            </p>
          ) : (
            <p>If you expected to see a group here, ask its secretary to invite you.</p>
          )}
        </div>
      ) : (
        <ul className="group-cards" aria-label="Your groups">
          {groups.map((group) => (
            <li key={group.id} className="group-card">
              <h2 className="h3">
                <Link to={`/groups/${group.id}`}>{group.name}</Link>
              </h2>
              <p className="muted">
                Your role: {roleLabels[group.role]} · Reference code {group.code}
              </p>
              <p>{group.description}</p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
