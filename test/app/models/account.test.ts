import { describe, expect, it } from "vitest";
import { getAs, postFormAs, sessionCountOf, signIn, startTestServerForSuite, userIdOf } from "../../support/server.js";
import { descriptionsOf, fieldByLabel } from "../../support/form-html.js";

describe("the account page", () => {
  const server = startTestServerForSuite();

  const get = (path: string, cookie: string) => getAs(server, path, cookie);
  const post = (cookie: string, form: Record<string, string>) => postFormAs(server, "/account", cookie, form);
  const userId = (email: string) => userIdOf(server, email);
  const sessionCount = (id: string) => sessionCountOf(server, id);
  const signedIn = async (cookie: string) => (await get("/account", cookie)).status === 200;
  const changePassword = (cookie: string, currentPassword: string, password: string, confirmPassword: string) =>
    post(cookie, { intent: "change-password", currentPassword, password, confirmPassword });

  it("shows the person's name, email and the devices they are signed in on", async () => {
    const cookie = await signIn(server, "chair@example.org");
    const response = await get("/account", cookie);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
    expect(html).toContain("Rāwiri Te Awa");
    expect(html).toContain("chair@example.org");
    expect(html).toContain("This device");
    expect(html).toContain("127.0.0.1");
    for (const [label, name] of [
      ["Current password", "currentPassword"],
      ["New password", "password"],
      ["New password again", "confirmPassword"],
    ]) {
      expect(fieldByLabel(html, label!)).toMatchObject({ name, type: "password" });
    }
  });

  it("answers 400 with linked field messages for a short or mismatched new password, or a wrong current one", async () => {
    const cookie = await signIn(server, "secretary@example.org");
    const short = await changePassword(cookie, "kia-ora-demo", "too-short", "too-short");
    expect(short.status).toBe(400);
    const shortHtml = await short.text();
    expect(shortHtml).toContain("Use at least 12 characters");
    expect(descriptionsOf(shortHtml, "New password")).toEqual(
      expect.arrayContaining([expect.stringContaining("A few unrelated words"), "Use at least 12 characters"]),
    );

    const mismatch = await changePassword(cookie, "kia-ora-demo", "a long enough passphrase", "a different passphrase");
    expect(mismatch.status).toBe(400);
    expect(descriptionsOf(await mismatch.text(), "New password again")).toEqual(["The two passwords do not match"]);

    const wrong = await changePassword(cookie, "not my password", "a long enough passphrase", "a long enough passphrase");
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That is not your current password");
    expect(await signedIn(cookie)).toBe(true);
  });

  it("changes the password, signs out every other device and keeps this one", async () => {
    const here = await signIn(server, "member@example.org");
    const elsewhere = await signIn(server, "member@example.org");
    const memberId = await userId("member@example.org");
    expect(await sessionCount(memberId)).toBe(2);

    const newPassword = "tēnā koe, a new passphrase";
    const response = await changePassword(here, "kia-ora-demo", newPassword, newPassword);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/account?changed=password");

    expect(await signedIn(here)).toBe(true);
    expect(await signedIn(elsewhere)).toBe(false);
    expect(await sessionCount(memberId)).toBe(1);

    await expect(signIn(server, "member@example.org")).rejects.toThrow(/answered 400/);
    expect(await signIn(server, "member@example.org", newPassword)).toMatch(/^stewardship_session=/);

    const audit = await server.services.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "auth.password_changed")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_id: memberId, subject_id: memberId });
    expect(audit.details).toEqual({ otherSessionsRevoked: 1 });
    expect(JSON.stringify(audit.details)).not.toContain(newPassword);
  });

  it("signs out of all devices, this one included", async () => {
    const here = await signIn(server, "minister@example.org");
    const elsewhere = await signIn(server, "minister@example.org");
    const ministerId = await userId("minister@example.org");

    const response = await post(here, { intent: "sign-out-everywhere" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login");
    expect(response.headers.getSetCookie().some((cookie) => /^stewardship_session=;/.test(cookie))).toBe(true);

    expect(await signedIn(here)).toBe(false);
    expect(await signedIn(elsewhere)).toBe(false);
    expect(await sessionCount(ministerId)).toBe(0);
    const audit = await server.services.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "auth.signed_out_everywhere")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_id: ministerId, subject_id: ministerId });
    expect(audit.details).toEqual({ sessionsRevoked: 2 });
  });

  it("sends a visitor who is not signed in to the sign-in page", async () => {
    const response = await fetch(`${server.url}/account`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login?redirectTo=%2Faccount");
  });
});
