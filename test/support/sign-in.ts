/** Signing in as a person does, through the real /login form, for tests and benchmarks alike. */

/** Signs in through /login on the server at `url`; returns the Cookie header value (`name=value`) for later requests. */
export async function signInAt(url: string, email: string, password = "kia-ora-demo"): Promise<string> {
  const response = await fetch(`${url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: url },
    body: new URLSearchParams({ email, password }),
  });
  if (response.status !== 302) throw new Error(`sign-in for ${email} at ${url} answered ${response.status}`);
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith("stewardship_session="));
  if (!cookie) throw new Error(`no session cookie from the sign-in for ${email}`);
  return cookie.split(";")[0]!;
}
