/**
 * A person's private calendar feed of their group's meetings, at /calendar/<secret>.ics, for
 * calendar apps to subscribe to. Calendar apps do not sign in, so the secret in the address is the
 * only credential: it is checked against its stored hash, and the feed stops answering once it is
 * replaced or revoked, or once its owner may no longer see the group's meetings (see
 * app/models/calendar.server.ts). Every refusal is the same short "not found", so an address says
 * nothing about why it stopped. The secret is never logged here.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { calendarForFeedToken } from "../models/calendar.server.js";

/** The one answer to every address that does not work, for calendar apps (plain text, never cached). */
function notInUse(): Response {
  return new Response("This calendar address is not in use. Get a new one from your group's meetings page.\n", {
    status: 404,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" },
  });
}

export async function loader({ params, context }: LoaderFunctionArgs) {
  // Apps are given the address with ".ics"; some people paste it without.
  const token = (params.feed ?? "").replace(/\.ics$/, "");
  const ics = await calendarForFeedToken(context.services.db, token, context.services.config.publicUrl);
  if (ics === undefined) return notInUse();
  return new Response(ics, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": 'inline; filename="meetings.ics"',
      // Apps poll often; five minutes in the app's own cache is fresh enough, and no shared cache keeps it.
      "Cache-Control": "private, max-age=300",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
