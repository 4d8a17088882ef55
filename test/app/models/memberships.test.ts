import type { Kysely } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import {
  addAlternate,
  changeRole,
  endMembership,
  membersOnDate,
  membershipHistory,
} from "../../../app/models/memberships.server.js";
import type { Actor } from "../../../app/policy/policy.js";
import type { Database } from "../../../db/database.js";
import { seedDemo } from "../../../server/seed-demo.js";
import { describeEachDatabase } from "../../support/database.js";
import { actorFor as actorOn } from "../../support/actors.js";
import { postFormAs, signIn, startTestServerForSuite } from "../../support/server.js";
import { AppError } from "../../../app/errors.js";
import { descriptionsOf, fieldByLabel } from "../../support/form-html.js";

const TODAY = "2026-11-23";

const actorFor = (db: Kysely<Database>, email: string) => actorOn(db, email, TODAY);

async function membershipOf(db: Kysely<Database>, name: string) {
  return db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .selectAll("memberships")
    .where("users.display_name", "=", name)
    .where("memberships.ends_on", "is", null)
    .executeTakeFirstOrThrow();
}

const names = (rows: { name: string }[]) => rows.map((row) => row.name);

describeEachDatabase("membership history", (getDb) => {
  let groupId: string;
  let secretary: Actor;

  beforeAll(async () => {
    const db = getDb();
    await seedDemo(db);
    groupId = (await db.selectFrom("groups").select("id").where("code", "=", "SSCSG").executeTakeFirstOrThrow()).id;
    secretary = await actorFor(db, "secretary@example.org");
  });

  it("lists nobody before the group's first members started", async () => {
    expect(await membersOnDate(getDb(), groupId, "2026-01-31")).toEqual([]);
  });

  it("counts a membership on its first day", async () => {
    const members = await membersOnDate(getDb(), groupId, "2026-02-01");
    expect(names(members).sort()).toEqual(
      ["Alex Morgan", "Ana Tupou", "David Chen", "Hemi Walker", "Mereana Hēnare", "Rāwiri Te Awa", "Sophie Lin", "Tama Ngata"].sort(),
    );
    // Chair first, then the secretary.
    expect(names(members).slice(0, 2)).toEqual(["Rāwiri Te Awa", "Sophie Lin"]);
  });

  it("shows Hemi Walker and not Priya Naidu before the change", async () => {
    const members = names(await membersOnDate(getDb(), groupId, "2026-07-15"));
    expect(members).toContain("Hemi Walker");
    expect(members).not.toContain("Priya Naidu");
  });

  it("still counts Hemi Walker on his last day, 31 August 2026", async () => {
    const members = names(await membersOnDate(getDb(), groupId, "2026-08-31"));
    expect(members).toContain("Hemi Walker");
    expect(members).not.toContain("Priya Naidu");
  });

  it("counts Priya Naidu and not Hemi Walker from 1 September 2026", async () => {
    for (const date of ["2026-09-01", "2026-10-15"]) {
      const members = names(await membersOnDate(getDb(), groupId, date));
      expect(members).toContain("Priya Naidu");
      expect(members).not.toContain("Hemi Walker");
    }
  });

  it("shows an alternate with the member they stand in for, their organisation and sector", async () => {
    const members = await membersOnDate(getDb(), groupId, "2026-09-01");
    const ana = members.find((member) => member.name === "Ana Tupou");
    expect(ana).toMatchObject({
      role: "member",
      organisationName: "Whaikaha – Ministry of Disabled People",
      sector: "government_department",
      alternateForName: "Tama Ngata",
    });
    expect(members.find((member) => member.name === "Tama Ngata")?.alternateForName).toBeNull();
  });

  it("keeps past members in the history with their end date and reason", async () => {
    const history = await membershipHistory(getDb(), groupId);
    expect(history).toHaveLength(11);
    expect(history.find((row) => row.name === "Hemi Walker")).toMatchObject({
      startsOn: "2026-02-01",
      endsOn: "2026-08-31",
      endReason: "Moved to a new role at Oranga Tamariki",
    });
    const starts = history.map((row) => row.startsOn);
    expect(starts).toEqual([...starts].sort());
  });

  it("refuses a date that is not a calendar date", async () => {
    await expect(membersOnDate(getDb(), groupId, "2026-02-30")).rejects.toBeInstanceOf(AppError);
    await expect(membersOnDate(getDb(), groupId, "1/9/2026")).rejects.toBeInstanceOf(AppError);
  });

  it("ends a membership without deleting it, and records who did it in the audit log", async () => {
    const db = getDb();
    const before = await db.selectFrom("memberships").select("id").execute();
    const priya = await membershipOf(db, "Priya Naidu");
    await endMembership(db, secretary, priya.id, { endsOn: "2026-12-31", reason: "  Term ended  ", ip: "10.2.0.1" });

    const after = await db.selectFrom("memberships").select("id").execute();
    expect(after).toHaveLength(before.length);
    const row = await db.selectFrom("memberships").selectAll().where("id", "=", priya.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ ends_on: "2026-12-31", end_reason: "Term ended", role: "member" });
    expect(names(await membersOnDate(db, groupId, "2026-12-31"))).toContain("Priya Naidu");
    expect(names(await membersOnDate(db, groupId, "2027-01-01"))).not.toContain("Priya Naidu");

    const audit = await db.selectFrom("audit_log").selectAll().where("action", "=", "membership.ended").execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_id: secretary.id,
      group_id: groupId,
      subject_type: "membership",
      subject_id: priya.id,
      ip: "10.2.0.1",
    });
    expect(audit[0]!.details).toMatchObject({ endsOn: "2026-12-31", reason: "Term ended" });
  });

  it("refuses an end date before the membership started, and changes nothing", async () => {
    const db = getDb();
    const losa = await membershipOf(db, "Losa Faleolo");
    const error = await endMembership(db, secretary, losa.id, { endsOn: "2026-05-31", reason: "Mistake", ip: null }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("END_BEFORE_START");
    const row = await db.selectFrom("memberships").selectAll().where("id", "=", losa.id).executeTakeFirstOrThrow();
    expect(row.ends_on).toBeNull();
    const audit = await db.selectFrom("audit_log").select("subject_id").where("action", "=", "membership.ended").execute();
    expect(audit.map((entry) => entry.subject_id)).not.toContain(losa.id);
  });

  it("refuses to end a membership that has already ended", async () => {
    const db = getDb();
    const hemi = await db
      .selectFrom("memberships")
      .innerJoin("users", "users.id", "memberships.user_id")
      .select("memberships.id")
      .where("users.display_name", "=", "Hemi Walker")
      .executeTakeFirstOrThrow();
    await expect(endMembership(db, secretary, hemi.id, { endsOn: "2026-11-30", reason: "Again", ip: null })).rejects.toMatchObject({
      code: "ALREADY_ENDED",
    });
  });

  it("refuses a member or consultee who may not manage members", async () => {
    const db = getDb();
    const losa = await membershipOf(db, "Losa Faleolo");
    for (const email of ["member@example.org", "ngo@example.org"]) {
      const actor = await actorFor(db, email);
      await expect(endMembership(db, actor, losa.id, { endsOn: "2026-12-01", reason: "No", ip: null })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
    }
  });

  it("makes a role change history: the old role ends the day before, the new one starts on the day", async () => {
    const db = getDb();
    const tama = await membershipOf(db, "Tama Ngata");
    const newId = await changeRole(db, secretary, tama.id, "secretary", { onDate: "2026-12-01", ip: "10.2.0.2" });

    const old = await db.selectFrom("memberships").selectAll().where("id", "=", tama.id).executeTakeFirstOrThrow();
    expect(old).toMatchObject({ role: "member", starts_on: "2026-02-01", ends_on: "2026-11-30" });
    const created = await db.selectFrom("memberships").selectAll().where("id", "=", newId).executeTakeFirstOrThrow();
    expect(created).toMatchObject({
      role: "secretary",
      starts_on: "2026-12-01",
      ends_on: null,
      user_id: tama.user_id,
      organisation_id: tama.organisation_id,
      group_id: groupId,
    });

    const onLastDay = await membersOnDate(db, groupId, "2026-11-30");
    expect(onLastDay.filter((member) => member.name === "Tama Ngata").map((member) => member.role)).toEqual(["member"]);
    const onFirstDay = await membersOnDate(db, groupId, "2026-12-01");
    expect(onFirstDay.filter((member) => member.name === "Tama Ngata").map((member) => member.role)).toEqual(["secretary"]);
    // Ana Tupou is still shown as Tama Ngata's alternate.
    expect(onFirstDay.find((member) => member.name === "Ana Tupou")?.alternateForName).toBe("Tama Ngata");

    const audit = await db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "membership.role_changed")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_id: secretary.id, group_id: groupId, subject_id: newId, ip: "10.2.0.2" });
    expect(audit.details).toMatchObject({ from: "member", to: "secretary", onDate: "2026-12-01", previousMembershipId: tama.id });
  });

  it("refuses a role change to the same role or on the membership's first day", async () => {
    const db = getDb();
    const alex = await membershipOf(db, "Alex Morgan");
    await expect(changeRole(db, secretary, alex.id, "minister_office", { onDate: "2026-12-01", ip: null })).rejects.toMatchObject({
      code: "SAME_ROLE",
    });
    await expect(changeRole(db, secretary, alex.id, "observer", { onDate: "2026-02-01", ip: null })).rejects.toMatchObject({
      code: "CHANGE_ON_START_DAY",
    });
    const rows = await db.selectFrom("memberships").select("id").where("user_id", "=", alex.user_id).execute();
    expect(rows).toHaveLength(1);
  });

  it("adds an alternate who appears with the member they stand in for, and audits it", async () => {
    const db = getDb();
    const priya = await db
      .selectFrom("memberships")
      .innerJoin("users", "users.id", "memberships.user_id")
      .selectAll("memberships")
      .where("users.display_name", "=", "Priya Naidu")
      .executeTakeFirstOrThrow();
    const hemi = await db.selectFrom("users").select("id").where("display_name", "=", "Hemi Walker").executeTakeFirstOrThrow();
    const alternateId = await addAlternate(db, secretary, {
      forMembershipId: priya.id,
      userId: hemi.id,
      organisationId: priya.organisation_id,
      startsOn: "2026-12-01",
      ip: "10.2.0.3",
    });
    const row = await db.selectFrom("memberships").selectAll().where("id", "=", alternateId).executeTakeFirstOrThrow();
    // Priya's membership ends on 31 December 2026, so her alternate's does too.
    expect(row).toMatchObject({ alternate_for_id: priya.id, role: "member", starts_on: "2026-12-01", ends_on: "2026-12-31" });
    const members = await membersOnDate(db, groupId, "2026-12-15");
    expect(members.filter((member) => member.name === "Hemi Walker")).toEqual([
      expect.objectContaining({ alternateForName: "Priya Naidu" }),
    ]);
    const audit = await db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "membership.alternate_added")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_id: secretary.id, group_id: groupId, subject_id: alternateId });
    expect(audit.details).toMatchObject({ forMembershipId: priya.id, userId: hemi.id, startsOn: "2026-12-01" });
  });

  it("refuses an alternate who already holds a membership of the group", async () => {
    const db = getDb();
    const alex = await membershipOf(db, "Alex Morgan");
    const sophie = await db.selectFrom("users").select("id").where("display_name", "=", "Sophie Lin").executeTakeFirstOrThrow();
    await expect(
      addAlternate(db, secretary, { forMembershipId: alex.id, userId: sophie.id, organisationId: null, startsOn: "2026-12-01", ip: null }),
    ).rejects.toMatchObject({ code: "ALREADY_MEMBER" });
  });
});

describe("the group members page", () => {
  const server = startTestServerForSuite();
  let groupId: string;
  let secretaryCookie: string;

  beforeAll(async () => {
    groupId = (await server.services.db.selectFrom("groups").select("id").executeTakeFirstOrThrow()).id;
    secretaryCookie = await signIn(server, "secretary@example.org");
  });

  const page = (cookie: string, query = "") => fetch(`${server.url}/groups/${groupId}/members${query}`, { headers: { cookie } });
  const post = (cookie: string, form: Record<string, string>) => postFormAs(server, `/groups/${groupId}/members`, cookie, form);
  /** The HTML after the "Members on <date>" heading, up to the end of its section. */
  const onDateSection = (html: string) => html.slice(html.indexOf('id="on-date-result"'), html.indexOf("</section>", html.indexOf('id="on-date-result"')));

  it("shows current and past members with organisations, roles, alternates and NZ dates", async () => {
    const response = await page(secretaryCookie);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
    expect(html).toContain("Current members");
    expect(html).toContain("Past members");
    expect(html).toContain("Whaikaha – Ministry of Disabled People");
    expect(html).toContain("Alternate for <!-- -->Tama Ngata");
    expect(html).toContain("Moved to a new role at Oranga Tamariki");
    expect(html).toContain("31 August 2026");
    expect(html).toContain("Lead Minister&#x27;s office");
    expect(html).toContain('<th scope="col">Organisation</th>');
    // A text field with a hint in the form the tables show dates, not the browser's mm/dd/yyyy.
    expect(fieldByLabel(html, "Date")).toMatchObject({ name: "on", type: "text" });
  });

  it("answers who the members were on a date, either side of Hemi Walker leaving", async () => {
    const before = onDateSection(await (await page(secretaryCookie, "?on=2026-08-31")).text());
    expect(before).toContain("Members on <!-- -->31 August 2026");
    expect(before).toContain("Hemi Walker");
    expect(before).not.toContain("Priya Naidu");
    const after = onDateSection(await (await page(secretaryCookie, "?on=2026-09-01")).text());
    expect(after).toContain("Priya Naidu");
    expect(after).not.toContain("Hemi Walker");
  });

  it("answers 400 with a linked message for a date that is not a date", async () => {
    const response = await page(secretaryCookie, "?on=2026-02-30");
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(descriptionsOf(html, "Date")).toEqual(
      expect.arrayContaining([expect.stringContaining("the date of a meeting or decision"), "Enter a date like 8 December 2026"]),
    );
  });

  it("refuses a consultee with 403 and answers 404 for an unknown group", async () => {
    const consultee = await signIn(server, "ngo@example.org");
    const refused = await page(consultee);
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain("Hemi Walker");
    const unknown = await fetch(`${server.url}/groups/00000000-0000-4000-8000-000000000000/members`, {
      headers: { cookie: secretaryCookie },
    });
    expect(unknown.status).toBe(404);
  });

  it("lets a member see the list but not end a membership", async () => {
    const member = await signIn(server, "member@example.org");
    const html = await (await page(member)).text();
    expect(html).toContain("Priya Naidu");
    expect(html).not.toContain("End a membership");
    const priya = await membershipOf(server.services.db, "Priya Naidu");
    const response = await post(member, { intent: "end", membershipId: priya.id, endsOn: "2026-12-31", reason: "No" });
    expect(response.status).toBe(403);
  });

  it("keeps what the secretary typed and names the field when the end date is before the start", async () => {
    const priya = await membershipOf(server.services.db, "Priya Naidu");
    const response = await post(secretaryCookie, { intent: "end", membershipId: priya.id, endsOn: "2026-08-01", reason: "Left early" });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(descriptionsOf(html, "Last day of the membership")).toEqual(["The end date cannot be before the membership started", "For example 8 December 2026"]);
    expect(html).toContain('value="Left early"');
  });

  it("ends a membership and changes a role from the page, keeping both in the history", async () => {
    const db = server.services.db;
    const priya = await membershipOf(db, "Priya Naidu");
    const ended = await post(secretaryCookie, { intent: "end", membershipId: priya.id, endsOn: "2026-11-20", reason: "Term ended" });
    expect(ended.status).toBe(302);
    const alex = await membershipOf(db, "Alex Morgan");
    const changed = await post(secretaryCookie, { intent: "change-role", membershipId: alex.id, newRole: "observer", onDate: "2026-11-01" });
    expect(changed.status).toBe(302);

    const html = await (await page(secretaryCookie)).text();
    const past = html.slice(html.indexOf('id="past-heading"'), html.indexOf("</section>", html.indexOf('id="past-heading"')));
    expect(past).toContain("Priya Naidu");
    expect(past).toContain("Term ended");
    expect(past).toContain("Role changed to Observer");
    const actions = await db.selectFrom("audit_log").select("action").where("group_id", "=", groupId).execute();
    expect(actions.map((row) => row.action)).toEqual(expect.arrayContaining(["membership.ended", "membership.role_changed"]));
  });
});
