/**
 * The search box in the header of every signed-in page: a `search` landmark with a GET form to
 * /search, so it works without JavaScript. Pressing "/" anywhere but in a field or the editor
 * puts the cursor in it.
 */
import { Form, useSearchParams } from "@remix-run/react";
import { useEffect, useRef } from "react";

export function SearchBox() {
  const input = useRef<HTMLInputElement>(null);
  const [params] = useSearchParams();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
      event.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  return (
    <Form method="get" action="/search" role="search" aria-label="Search everything" className="site-search">
      <label htmlFor="site-search" className="visually-hidden">
        Search everything
      </label>
      <input
        ref={input}
        id="site-search"
        name="q"
        type="search"
        placeholder="Search (press /)"
        aria-keyshortcuts="/"
        maxLength={200}
        defaultValue={params.get("q") ?? ""}
        key={params.get("q") ?? ""}
      />
      <button type="submit" className="button button--small">
        Search
      </button>
    </Form>
  );
}
