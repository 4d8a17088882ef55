/**
 * What a person sees when a page refuses or fails: a title and a sentence for the error's code
 * (app/errors.ts), the refusal's own message when it has one, and where to go next. Route families
 * export `ErrorBoundary` built from this (`errorBoundaryFor`), so a refused meeting page keeps the
 * group's navigation around it and says "back to the group's meetings".
 */
import { Link, isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { type ErrorCode, isErrorBody } from "../errors.js";

interface Explained {
  title: string;
  message: string;
}

function explain(code: ErrorCode | null, status: number, message: string | null): Explained {
  switch (code ?? (status === 404 ? "NOT_FOUND" : status === 403 ? "FORBIDDEN" : status === 401 ? "UNAUTHENTICATED" : null)) {
    case "NOT_FOUND":
      return { title: "Page not found", message: "We could not find that page. It may have moved, or the link may be wrong." };
    case "FORBIDDEN":
    case "FORBIDDEN_ORIGIN":
      return {
        title: "You do not have access to this page",
        message: message ?? "Your role in this group does not include this. If you think it should, ask the group's secretary.",
      };
    case "UNAUTHENTICATED":
      return { title: "Please sign in", message: "Sign in to see this page." };
    case null:
      return { title: "Something went wrong", message: "Please try again. If it keeps happening, tell the Hub's administrator." };
    default:
      // A refusal the page could not show beside its form (a conflict, a closed meeting…).
      return {
        title: status >= 500 ? "Something went wrong" : "That could not be done",
        message: message ?? "Please go back, reload the page and try again.",
      };
  }
}

export function ErrorPage({ back }: { back?: { to: string; label: string } }) {
  const error = useRouteError();
  let explained: Explained;
  if (isRouteErrorResponse(error)) {
    const body = isErrorBody(error.data) ? error.data.error : null;
    explained = explain(body?.code ?? null, error.status, body?.message ?? null);
  } else {
    explained = explain(null, 500, null);
  }
  return (
    <section className="panel" aria-labelledby="error-heading">
      <h1 id="error-heading">{explained.title}</h1>
      <p>{explained.message}</p>
      <p>{back ? <Link to={back.to}>{back.label}</Link> : <Link to="/">Go to the start page</Link>}</p>
    </section>
  );
}
