/** Sign out of this device (POST only; a GET just goes home). */
import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

export async function loader() {
  return redirect("/");
}

export async function action({ context }: ActionFunctionArgs) {
  if (!context.session) return redirect("/login");
  const setCookie = await context.services.auth.signOut(context.session.id);
  return redirect("/login", { headers: { "Set-Cookie": setCookie } });
}
