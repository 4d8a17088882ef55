/**
 * The page an emailed link opens when it can no longer be used (expired, used, withdrawn, or not
 * ours): what happened, and what to do next.
 */
import { Link } from "@remix-run/react";

export interface UnusableLinkMessage {
  heading: string;
  body: string;
}

export function UnusableLink({
  message,
  next,
}: {
  message: UnusableLinkMessage;
  next?: { to: string; label: string; button?: boolean };
}) {
  return (
    <section className="panel narrow" aria-labelledby="link-heading">
      <h1 id="link-heading">{message.heading}</h1>
      <p>{message.body}</p>
      {next ? (
        <p>
          <Link className={next.button ? "button" : undefined} to={next.to}>
            {next.label}
          </Link>
        </p>
      ) : null}
    </section>
  );
}
