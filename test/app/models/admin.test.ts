import { beforeAll, describe, expect, it } from "vitest";
import { getAs, postFormAs, sessionCountOf, signIn, startTestServerForSuite, userIdOf } from "../../support/server.js";
import { descriptionsOf } from "../../support/form-html.js";

describe("administration", () => {
  const server = startTestServerForSuite();
  let adminCookie: string;

  beforeAll(async () => {
    adminCookie = await signIn(server, "admin@example.org");
  });

  const get = (path: string, cookie: string) => getAs(server, path, cookie);
  const post = (path: string, cookie: string, form: Record<string, string>) => postFormAs(server, path, cookie, form);
  const userId = (email: string) => userIdOf(server, email);
  const sessionCount = (id: string) => sessionCountOf(server, id);

  it("shows every administration page to a platform administrator", async () => {
    for (const path of ["/admin", "/admin/organisations", "/admin/groups", "/admin/accounts", "/admin/audit"]) {
      const response = await get(path, adminCookie);
      expect(response.status, path).toBe(200);
      const html = await response.text();
      expect(html.match(/<h1[\s>]/g), path).toHaveLength(1);
    }
  });

  it("answers 403 on every administration page and form for anyone who is not a platform administrator", async () => {
    for (const email of ["chair@example.org", "secretary@example.org", "ngo@example.org"]) {
      const cookie = await signIn(server, email);
      for (const path of ["/admin", "/admin/organisations", "/admin/groups", "/admin/accounts", "/admin/audit"]) {
        expect((await get(path, cookie)).status, `${email} ${path}`).toBe(403);
      }
      const created = await post("/admin/organisations", cookie, { name: "Sneaky Trust", sector: "ngo" });
      expect(created.status).toBe(403);
      const disabled = await post("/admin/accounts", cookie, { intent: "disable", userId: await userId("admin@example.org") });
      expect(disabled.status).toBe(403);
    }
    const sneaky = await server.services.db.selectFrom("organisations").select("id").where("name", "=", "Sneaky Trust").execute();
    expect(sneaky).toEqual([]);
  });

  it("sends a visitor who is not signed in to the sign-in page", async () => {
    const response = await fetch(`${server.url}/admin/accounts`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login?redirectTo=%2Fadmin%2Faccounts");
  });

  it("stores and shows an organisation's name with its macrons exactly as typed", async () => {
    const name = "Te Kāhui Whānau Ora – Ngā Pūtea Hāpori";
    const created = await post("/admin/organisations", adminCookie, { name, shortName: "", sector: "iwi_maori" });
    expect(created.status).toBe(302);
    const row = await server.services.db
      .selectFrom("organisations")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name, sector: "iwi_maori", short_name: null });
    const html = await (await get(created.headers.get("location")!, adminCookie)).text();
    expect(html).toContain(`<th scope="row">${name}</th>`);
    expect(html).toContain(`Added <!-- -->${name}`);
    const audit = await server.services.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "organisation.created")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_id: await userId("admin@example.org"), subject_id: row.id });
    expect(audit.details).toMatchObject({ name, sector: "iwi_maori" });
  });

  it("refuses a duplicate organisation name with a message on the name field, keeping what was typed", async () => {
    const response = await post("/admin/organisations", adminCookie, {
      name: "whaikaha – ministry of disabled people",
      sector: "government_department",
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(descriptionsOf(html, "Name")).toEqual(
      expect.arrayContaining([expect.stringContaining("As the organisation writes it"), "There is already an organisation with that name"]),
    );
    expect(html).toContain('value="whaikaha – ministry of disabled people"');
    const count = await server.services.db.selectFrom("organisations").select("id").where("name", "ilike", "whaikaha%").execute();
    expect(count).toHaveLength(1);
  });

  it("answers 400 with field messages for an organisation without a name or sector", async () => {
    const response = await post("/admin/organisations", adminCookie, { name: "  ", sector: "" });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(descriptionsOf(html, "Name")).toContain("Enter the organisation's name");
    expect(descriptionsOf(html, "Sector")).toEqual(["Choose the organisation's sector"]);
  });

  it("creates a group with an upper-case code and refuses a bad or duplicate code", async () => {
    const created = await post("/admin/groups", adminCookie, {
      code: "whanau1",
      name: "Whānau Ora Commissioning Group",
      portfolio: "Whānau Ora",
      quorum: "3",
    });
    expect(created.status).toBe(302);
    const group = await server.services.db.selectFrom("groups").selectAll().where("code", "=", "WHANAU1").executeTakeFirstOrThrow();
    expect(group).toMatchObject({ name: "Whānau Ora Commissioning Group", portfolio: "Whānau Ora", quorum: 3 });
    const audit = await server.services.db.selectFrom("audit_log").selectAll().where("action", "=", "group.created").executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ group_id: group.id, subject_id: group.id });

    const duplicate = await post("/admin/groups", adminCookie, { code: "SSCSG", name: "Again", quorum: "2" });
    expect(duplicate.status).toBe(400);
    expect(await duplicate.text()).toContain("Another group already uses that code");
    const bad = await post("/admin/groups", adminCookie, { code: "1X", name: "Bad", quorum: "0" });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(descriptionsOf(html, "Reference code")).toContain("Use 2 to 12 capital letters and digits, starting with a letter, like SSCSG");
    expect(descriptionsOf(html, "Quorum")).toContain("The quorum must be at least 1");
  });

  it("disables an account: its sessions end at once and its cookie stops working", async () => {
    const memberCookie = await signIn(server, "member@example.org");
    const memberId = await userId("member@example.org");
    expect((await get("/groups", memberCookie)).status).toBe(200);
    expect(await sessionCount(memberId)).toBeGreaterThan(0);

    const response = await post("/admin/accounts", adminCookie, { intent: "disable", userId: memberId });
    expect(response.status).toBe(302);

    expect(await sessionCount(memberId)).toBe(0);
    const after = await get("/groups", memberCookie);
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toMatch(/^\/login/);
    const user = await server.services.db.selectFrom("users").select("disabled_at").where("id", "=", memberId).executeTakeFirstOrThrow();
    expect(user.disabled_at).toBeInstanceOf(Date);
    // A disabled account cannot sign in again.
    await expect(signIn(server, "member@example.org")).rejects.toThrow(/answered 400/);

    const audit = await server.services.db.selectFrom("audit_log").selectAll().where("action", "=", "account.disabled").executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_id: await userId("admin@example.org"), subject_id: memberId });

    const enabled = await post("/admin/accounts", adminCookie, { intent: "enable", userId: memberId });
    expect(enabled.status).toBe(302);
    expect(await signIn(server, "member@example.org")).toMatch(/^stewardship_session=/);
    const enabledAudit = await server.services.db.selectFrom("audit_log").select("subject_id").where("action", "=", "account.enabled").execute();
    expect(enabledAudit).toEqual([{ subject_id: memberId }]);
  });

  it("does not let an administrator disable their own account", async () => {
    const adminId = await userId("admin@example.org");
    const response = await post("/admin/accounts", adminCookie, { intent: "disable", userId: adminId });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toMatch(/role="alert"[^>]*>.*You cannot disable your own account/s);
    const user = await server.services.db.selectFrom("users").select("disabled_at").where("id", "=", adminId).executeTakeFirstOrThrow();
    expect(user.disabled_at).toBeNull();
    expect((await get("/admin", adminCookie)).status).toBe(200);
  });

  it("shows the audit log newest first with readable details, filtered by action", async () => {
    const html = await (await get("/admin/audit?action=account.disabled", adminCookie)).text();
    expect(html).toContain("Entries for account.disabled");
    expect(html).toContain("Mere Tawhiri");
    expect(html).toContain("Account: Tama Ngata");
    expect(html).toContain("Email: member@example.org");
    expect(html).toContain("Sessions revoked: 1");
    expect(html).not.toContain("<code>organisation.created</code>");
    const all = await (await get("/admin/audit", adminCookie)).text();
    expect(all.indexOf("<code>account.enabled</code>")).toBeLessThan(all.indexOf("<code>account.disabled</code>"));
  });

  it("never shows a group's documents to a platform administrator who is not a member", async () => {
    const group = await server.services.db.selectFrom("groups").select("id").where("code", "=", "SSCSG").executeTakeFirstOrThrow();
    expect((await get(`/groups/${group.id}`, adminCookie)).status).toBe(403);
  });
});
