/** The start page sends people where they belong: their groups, or the sign-in page. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

export async function loader({ context }: LoaderFunctionArgs) {
  throw redirect(context.user ? "/groups" : "/login");
}
