/**
 * The document shell: product name, navigation, the signed-in person, and the error page.
 */
import { ErrorPage } from "./components/ErrorPage.js";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Form,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { NotificationsLink } from "./components/notifications/NotificationsLink.js";
import { SearchBox } from "./components/search/SearchBox.js";
import "./load-context.js";
import { actorOf } from "./http/require.server.js";
import { holdsMinisterOffice } from "./models/approvals.server.js";
import { unreadCount } from "./models/notifications.server.js";
import styles from "./styles/app.css";
import { useNonce } from "./utils/nonce.js";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  // The product's mark (public/favicon.svg); /favicon.ico is the same for browsers that ask for it.
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Stewardship Workspace" }];

export async function loader({ context }: LoaderFunctionArgs) {
  const user = context.user;
  return {
    user: user ? { displayName: user.displayName, email: user.email, isPlatformAdmin: user.isPlatformAdmin } : null,
    // The Lead Minister's office sees its approvals queue in the navigation.
    mayApprove: user ? holdsMinisterOffice(await actorOf(context, user)) : false,
    unreadNotifications: user ? await unreadCount(context.services.db, user.id) : 0,
  };
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const data = useRouteLoaderData<typeof loader>("root");
  const user = data?.user ?? null;
  return (
    <html lang="en-NZ">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to main content
        </a>
        <header className="site-header">
          <div className="site-header__inner">
            <Link to="/" className="brand">
              <span className="brand__mark" aria-hidden="true">
                ◆
              </span>
              Stewardship Workspace
            </Link>
            {user ? <SearchBox /> : null}
            {user ? (
              <nav aria-label="Main">
                <ul className="nav-list">
                  <li>
                    <Link to="/groups">My groups</Link>
                  </li>
                  {data?.mayApprove ? (
                    <li>
                      <Link to="/approvals">Approvals</Link>
                    </li>
                  ) : null}
                  {user.isPlatformAdmin ? (
                    <li>
                      <Link to="/admin">Administration</Link>
                    </li>
                  ) : null}
                  <li>
                    <NotificationsLink unreadCount={data?.unreadNotifications ?? 0} />
                  </li>
                  <li>
                    <Link to="/account">{user.displayName}</Link>
                  </li>
                  <li>
                    <Form method="post" action="/logout">
                      <button type="submit" className="link-button">
                        Sign out
                      </button>
                    </Form>
                  </li>
                </ul>
              </nav>
            ) : null}
          </div>
        </header>
        <main id="main" className="page" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <p>
            Supporting the Social Sector Commissioning Action Plan 2022–2028. Information here is handled under
            the Official Information Act 1982.
          </p>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  useLoaderData<typeof loader>();
  return <Outlet />;
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
