import crypto from "node:crypto";
import fs from "node:fs/promises";
import { verify } from "@node-rs/argon2";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadActor } from "../../../app/models/actor.server.js";
import {
  acceptInvitationAsUser,
  acceptInvitationWithNewAccount,
  findInvitationByToken,
} from "../../../app/models/invitation-acceptance.server.js";
import {
  INVITATION_LIFETIME_MS,
  createInvitation,
  invitationEmail,
  listPendingInvitations,
  revokeInvitation,
} from "../../../app/models/invitations.server.js";
import type { Database, MembershipRole } from "../../../db/database.js";
import { seedDemo } from "../../../server/seed-demo.js";
import { describeEachDatabase } from "../../support/database.js";
import { recordingOutbox } from "../../support/recording-outbox.js";
import { descriptionsOf, fieldByLabel } from "../../support/form-html.js";
import { linkPath, makeTempDataDir, waitForMail } from "../../support/outbox.js";
import { sessionUserFor } from "../../support/actors.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";

// A fixed moment (Tuesday 24 November 2026, 9:00 am in Wellington) so dates are deterministic.
const NOW = new Date("2026-11-23T20:00:00Z");
const TODAY_IN_NZ = "2026-11-24";
const MINUTE = 60_000;

async function seeded(db: Kysely<Database>) {
  const group = await db.selectFrom("groups").select(["id", "name"]).executeTakeFirstOrThrow();
  const organisation = await db
    .selectFrom("organisations")
    .select(["id", "name"])
    .where("name", "=", "Te Puni Kōkiri")
    .executeTakeFirstOrThrow();
  return { group, organisation };
}

async function actorFor(db: Kysely<Database>, email: string) {
  const sessionUser = await sessionUserFor(db, email);
  return { user: sessionUser, actor: await loadActor(db, sessionUser, TODAY_IN_NZ) };
}

const outbox = recordingOutbox();
const emailing = { outbox, publicUrl: "https://stewardship.example.govt.nz" };

describeEachDatabase("invitations", (getDb) => {
  let groupId: string;
  let organisationId: string;

  beforeAll(async () => {
    await seedDemo(getDb());
    const { group, organisation } = await seeded(getDb());
    groupId = group.id;
    organisationId = organisation.id;
  });

  /** Accepts an invitation as someone new, named `displayName`, with a good passphrase. */
  const acceptWithNewAccount = (token: string, displayName: string, now: Date) =>
    acceptInvitationWithNewAccount(getDb(), token, { displayName, password: "a long enough passphrase" }, { now });

  async function invite(email: string, options: { by?: string; role?: MembershipRole; now?: Date } = {}) {
    const { actor } = await actorFor(getDb(), options.by ?? "secretary@example.org");
    return createInvitation(
      getDb(),
      emailing,
      actor,
      { groupId, email, role: options.role ?? "member", organisationId },
      { ip: "10.1.0.1", now: options.now ?? NOW },
    );
  }

  it("stores only the SHA-256 of the token, and never writes the token to the audit log", async () => {
    const invitation = await invite("hashed.token@example.org");
    expect(invitation.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await getDb().selectFrom("invitations").selectAll().where("id", "=", invitation.invitationId).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(crypto.createHash("sha256").update(invitation.token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(invitation.token);
    expect(row.expires_at.getTime()).toBe(NOW.getTime() + INVITATION_LIFETIME_MS);

    const audit = await getDb().selectFrom("audit_log").selectAll().where("subject_id", "=", invitation.invitationId).execute();
    expect(audit.map((entry) => entry.action)).toEqual(["invitation.created"]);
    expect(audit[0]?.details).toMatchObject({ email: "hashed.token@example.org", role: "member", organisationId });
    expect(JSON.stringify(audit)).not.toContain(invitation.token);
  });

  it("queues the email with the link, addressed to the person invited", async () => {
    const invitation = await invite("  Link.Person@Example.org ");
    const email = invitationEmail(invitation, "https://stewardship.example.govt.nz");
    expect(outbox.sent.at(-1)).toEqual(email);
    expect(email.to).toBe("link.person@example.org");
    expect(email.text).toContain(`https://stewardship.example.govt.nz/invitations/${invitation.token}`);
    expect(email.text).toContain("Te Puni Kōkiri");
    expect(email.text).toContain("Sophie Lin has invited you");
  });

  it("creates the account and the membership starting today in New Zealand, once", async () => {
    const invitation = await invite("new.person@example.org", { role: "observer" });
    const accepted = await acceptInvitationWithNewAccount(
      getDb(),
      invitation.token,
      { displayName: "Aroha Tūhoe", password: "a long enough passphrase" },
      { ip: "10.1.0.2", now: new Date(NOW.getTime() + 5 * MINUTE) },
    );
    expect(accepted).toMatchObject({ groupId, membershipCreated: true });

    const user = await getDb().selectFrom("users").selectAll().where("id", "=", accepted.userId).executeTakeFirstOrThrow();
    expect(user.email).toBe("new.person@example.org");
    expect(user.display_name).toBe("Aroha Tūhoe");
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verify(user.password_hash!, "a long enough passphrase")).toBe(true);

    const membership = await getDb().selectFrom("memberships").selectAll().where("id", "=", accepted.membershipId).executeTakeFirstOrThrow();
    expect(membership).toMatchObject({ group_id: groupId, role: "observer", organisation_id: organisationId, starts_on: TODAY_IN_NZ, ends_on: null });

    const invitationRow = await getDb().selectFrom("invitations").selectAll().where("id", "=", invitation.invitationId).executeTakeFirstOrThrow();
    expect(invitationRow.accepted_user_id).toBe(accepted.userId);
    expect(invitationRow.accepted_at).not.toBeNull();

    const actions = await getDb()
      .selectFrom("audit_log")
      .select(["action", "actor_id"])
      .where("actor_id", "=", accepted.userId)
      .orderBy("id")
      .execute();
    expect(actions.map((entry) => entry.action)).toEqual(["user.created", "invitation.accepted", "membership.created"]);

    const again = acceptInvitationWithNewAccount(
      getDb(),
      invitation.token,
      { displayName: "Someone Else", password: "another long passphrase" },
      { now: new Date(NOW.getTime() + 6 * MINUTE) },
    );
    await expect(again).rejects.toMatchObject({ code: "INVITATION_USED" });
    const asUser = acceptInvitationAsUser(getDb(), invitation.token, { id: accepted.userId, email: user.email }, { now: NOW });
    await expect(asUser).rejects.toMatchObject({ code: "INVITATION_USED" });
    const memberships = await getDb().selectFrom("memberships").select("id").where("user_id", "=", accepted.userId).execute();
    expect(memberships).toHaveLength(1);
  });

  it("works until it expires after 7 days, and not after", async () => {
    const expiring = await invite("expiring@example.org");
    const justAfter = new Date(NOW.getTime() + INVITATION_LIFETIME_MS);
    expect((await findInvitationByToken(getDb(), expiring.token, justAfter))?.state).toBe("expired");
    const late = acceptWithNewAccount(expiring.token, "Too Late", justAfter);
    await expect(late).rejects.toMatchObject({ code: "INVITATION_EXPIRED" });
    expect(await getDb().selectFrom("users").select("id").where("email", "=", "expiring@example.org").executeTakeFirst()).toBeUndefined();

    const justBefore = new Date(NOW.getTime() + INVITATION_LIFETIME_MS - MINUTE);
    expect((await findInvitationByToken(getDb(), expiring.token, justBefore))?.state).toBe("pending");
    const inTime = await acceptWithNewAccount(expiring.token, "Just In Time", justBefore);
    expect(inTime).toMatchObject({ groupId, membershipCreated: true });
  });

  it("refuses a revoked link, and records who revoked it", async () => {
    const invitation = await invite("revoked@example.org");
    const { actor } = await actorFor(getDb(), "chair@example.org");
    await expect(revokeInvitation(getDb(), actor, { groupId, invitationId: invitation.invitationId }, { now: NOW })).resolves.toBeUndefined();
    const accepted = acceptWithNewAccount(invitation.token, "Not Now", NOW);
    await expect(accepted).rejects.toMatchObject({ code: "INVITATION_REVOKED" });
    expect((await findInvitationByToken(getDb(), invitation.token, NOW))?.state).toBe("revoked");
    const audit = await getDb()
      .selectFrom("audit_log")
      .select(["action", "actor_id"])
      .where("subject_id", "=", invitation.invitationId)
      .orderBy("id")
      .execute();
    expect(audit).toEqual([
      { action: "invitation.created", actor_id: expect.any(String) },
      { action: "invitation.revoked", actor_id: actor.id },
    ]);
    await expect(revokeInvitation(getDb(), actor, { groupId, invitationId: invitation.invitationId }, { now: NOW })).rejects.toMatchObject({
      code: "INVITATION_REVOKED",
    });
  });

  it("revokes the older invitation when the same email is invited again", async () => {
    const first = await invite("twice@example.org");
    const second = await invite("TWICE@example.org", { by: "chair@example.org", role: "consultee" });
    expect(second.replacedInvitationIds).toEqual([first.invitationId]);
    expect((await findInvitationByToken(getDb(), first.token, NOW))?.state).toBe("revoked");
    expect((await findInvitationByToken(getDb(), second.token, NOW))?.state).toBe("pending");
    const pending = await listPendingInvitations(getDb(), groupId, NOW);
    expect(pending.filter((row) => row.email === "twice@example.org").map((row) => row.id)).toEqual([second.invitationId]);
  });

  it("lets only a chair, secretary or the Hub's administrator invite", async () => {
    for (const email of ["member@example.org", "minister@example.org", "ngo@example.org"]) {
      const { actor } = await actorFor(getDb(), email);
      const result = createInvitation(
        getDb(),
        emailing,
        actor,
        { groupId, email: "someone@example.org", role: "member", organisationId },
        { now: NOW },
      );
      await expect(result).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    const admin = await invite("from.admin@example.org", { by: "admin@example.org" });
    expect(admin.invitedByName).toBe("Mere Tawhiri");
  });

  it("joins an existing account only when signed in as the person invited", async () => {
    const invitation = await invite("member@example.org", { role: "secretary" });
    const found = await findInvitationByToken(getDb(), invitation.token, NOW);
    expect(found?.account).toMatchObject({ hasPassword: true, disabled: false });

    const withNewAccount = acceptWithNewAccount(invitation.token, "Impostor", NOW);
    await expect(withNewAccount).rejects.toMatchObject({ code: "ACCOUNT_EXISTS" });

    const chair = await actorFor(getDb(), "chair@example.org");
    await expect(acceptInvitationAsUser(getDb(), invitation.token, chair.user, { now: NOW })).rejects.toMatchObject({
      code: "WRONG_ACCOUNT",
    });

    const member = await actorFor(getDb(), "member@example.org");
    const joined = await acceptInvitationAsUser(getDb(), invitation.token, member.user, { now: NOW });
    expect(joined).toMatchObject({ userId: member.user.id, membershipCreated: true });
    const roles = await loadActor(getDb(), member.user, TODAY_IN_NZ);
    // Both memberships are current; the policy takes the senior role.
    expect(roles.rolesByGroup.get(groupId)).toBe("secretary");
  });

  it("lets a person listed without a sign-in set their password through the invitation", async () => {
    const invitation = await invite("priya.naidu@example.org");
    const found = await findInvitationByToken(getDb(), invitation.token, NOW);
    expect(found?.account).toMatchObject({ hasPassword: false, displayName: "Priya Naidu" });
    const accepted = await acceptWithNewAccount(invitation.token, "Priya Naidu", NOW);
    // She is already a current member: the record keeps her one membership row.
    expect(accepted).toMatchObject({ userId: found?.account?.id, membershipCreated: false });
    const user = await getDb().selectFrom("users").select("password_hash").where("email", "=", "priya.naidu@example.org").executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
  });

  it("finds nothing for a malformed or unknown token", async () => {
    expect(await findInvitationByToken(getDb(), "not-a-token", NOW)).toBeUndefined();
    expect(await findInvitationByToken(getDb(), crypto.randomBytes(32).toString("base64url"), NOW)).toBeUndefined();
    await expect(
      acceptInvitationWithNewAccount(getDb(), "x".repeat(43), { displayName: "No One", password: "a long enough passphrase" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("invitations over HTTP", () => {
  let server: TestServer;
  let dataDir: string;
  let groupId: string;
  let organisationId: string;

  beforeAll(async () => {
    dataDir = await makeTempDataDir();
    server = await startTestServer({ env: { DATA_DIR: dataDir } });
    const { group, organisation } = await seeded(server.services.db);
    groupId = group.id;
    organisationId = organisation.id;
  });
  afterAll(async () => {
    await server.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const post = (path: string, fields: Record<string, string>, cookie?: string, origin = server.origin) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: origin,
        ...(cookie ? { Cookie: cookie } : {}),
      },
      body: new URLSearchParams(fields),
    });

  it("walks from the invitation email to a signed-in member of the group", async () => {
    const secretary = await signIn(server, "secretary@example.org");
    const form = await fetch(`${server.url}/groups/${groupId}/invite`, { headers: { cookie: secretary } });
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(fieldByLabel(formHtml, "Email address")).toMatchObject({ name: "email" });
    expect(fieldByLabel(formHtml, "Organisation they represent")).toMatchObject({ name: "organisationId" });
    expect(formHtml).toContain("Te Puni Kōkiri");

    const sent = await post(
      `/groups/${groupId}/invite`,
      { intent: "invite", email: "Aroha.Walker@Example.org", role: "member", organisationId },
      secretary,
    );
    expect(sent.status).toBe(302);
    expect(sent.headers.get("location")).toBe(`/groups/${groupId}/invite?sent=1`);

    const listed = await (await fetch(`${server.url}/groups/${groupId}/invite?sent=1`, { headers: { cookie: secretary } })).text();
    expect(listed).toContain("Invitation sent.");
    expect(listed).toContain("aroha.walker@example.org");
    expect(listed).toContain('aria-label="Revoke the invitation for aroha.walker@example.org"');

    const [email] = await waitForMail(dataDir, (message) => message.to === "aroha.walker@example.org");
    expect(email?.subject).toBe("Invitation to join the Social Sector Commissioning Stewardship Group");
    const invitationPath = linkPath(email!.text, "/invitations/");

    const page = await fetch(`${server.url}${invitationPath}`);
    expect(page.status).toBe(200);
    const pageHtml = await page.text();
    expect(pageHtml).toContain("Join the Social Sector Commissioning Stewardship Group");
    expect(pageHtml).toContain("Member");
    expect(fieldByLabel(pageHtml, "Choose a password")).toMatchObject({ name: "password", type: "password" });

    const tooShort = await post(invitationPath, { intent: "create_account", displayName: "Aroha Walker", password: "short", confirmPassword: "short" });
    expect(tooShort.status).toBe(400);
    const tooShortHtml = await tooShort.text();
    expect(tooShortHtml).toContain("Use at least 12 characters");
    expect(descriptionsOf(tooShortHtml, "Choose a password")).toEqual(
      expect.arrayContaining([expect.stringContaining("A few words you will remember"), "Use at least 12 characters"]),
    );
    expect(tooShortHtml).toContain('value="Aroha Walker"');

    const accepted = await post(invitationPath, {
      intent: "create_account",
      displayName: "Aroha Walker",
      password: "kia kaha te reo māori",
      confirmPassword: "kia kaha te reo māori",
    });
    expect(accepted.status).toBe(302);
    expect(accepted.headers.get("location")).toBe(`/groups/${groupId}`);
    const cookie = accepted.headers.getSetCookie().find((value) => value.startsWith("stewardship_session="))?.split(";")[0];
    expect(cookie).toBeDefined();

    const home = await fetch(`${server.url}/groups/${groupId}`, { headers: { cookie: cookie! } });
    expect(home.status).toBe(200);
    const homeHtml = await home.text();
    expect(homeHtml).toContain("Aroha Walker");
    expect(homeHtml).toMatch(/Your role: <span class="tag">Member<\/span>/);

    const reused = await fetch(`${server.url}${invitationPath}`);
    expect(reused.status).toBe(410);
    expect(await reused.text()).toContain("already been used");
  });

  it("shows an expired link as gone, with what to do next", async () => {
    const { actor } = await actorFor(server.services.db, "chair@example.org");
    const old = await createInvitation(
      server.services.db,
      { outbox: server.services.jobs, publicUrl: server.url },
      actor,
      { groupId, email: "old.link@example.org", role: "member", organisationId },
      { now: new Date(Date.now() - INVITATION_LIFETIME_MS - MINUTE) },
    );
    const response = await fetch(`${server.url}/invitations/${old.token}`);
    expect(response.status).toBe(410);
    expect(await response.text()).toContain("This invitation link has expired. Ask the group&#x27;s secretary to send a new one.");
  });

  it("asks someone who already has an account to sign in, then joins with one button", async () => {
    const chair = await signIn(server, "chair@example.org");
    const sent = await post(
      `/groups/${groupId}/invite`,
      { intent: "invite", email: "ngo@example.org", role: "member", organisationId },
      chair,
    );
    expect(sent.status).toBe(302);
    const [email] = await waitForMail(dataDir, (message) => message.to === "ngo@example.org");
    const invitationPath = linkPath(email!.text, "/invitations/");

    const anonymous = await (await fetch(`${server.url}${invitationPath}`)).text();
    expect(anonymous).toContain(`href="/login?redirectTo=${encodeURIComponent(invitationPath)}"`);

    const ngo = await signIn(server, "ngo@example.org");
    const signedIn = await (await fetch(`${server.url}${invitationPath}`, { headers: { cookie: ngo } })).text();
    expect(signedIn).toContain("Join the group");
    const joined = await post(invitationPath, { intent: "join" }, ngo);
    expect(joined.status).toBe(302);
    expect(joined.headers.get("location")).toBe(`/groups/${groupId}`);
    const home = await (await fetch(`${server.url}/groups/${groupId}`, { headers: { cookie: ngo } })).text();
    expect(home).toMatch(/Your role: <span class="tag">Member<\/span>/);
  });

  it("revokes a pending invitation from the list", async () => {
    const chair = await signIn(server, "chair@example.org");
    await post(`/groups/${groupId}/invite`, { intent: "invite", email: "to.revoke@example.org", role: "observer", organisationId }, chair);
    const invitation = await server.services.db
      .selectFrom("invitations")
      .select("id")
      .where("email", "=", "to.revoke@example.org")
      .executeTakeFirstOrThrow();
    const revoked = await post(`/groups/${groupId}/invite`, { intent: "revoke", invitationId: invitation.id }, chair);
    expect(revoked.status).toBe(302);
    expect(revoked.headers.get("location")).toBe(`/groups/${groupId}/invite?revoked=1`);
    const path = linkPath((await waitForMail(dataDir, (message) => message.to === "to.revoke@example.org"))[0]!.text, "/invitations/");
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(410);
  });

  it("answers 400 with a message per field and keeps what was typed", async () => {
    const chair = await signIn(server, "chair@example.org");
    const response = await post(`/groups/${groupId}/invite`, { intent: "invite", email: "not an email", role: "overlord", organisationId: "" }, chair);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Enter an email address like name@example.org");
    expect(html).toContain("Choose the role they will have");
    expect(html).toContain("Choose the organisation they represent");
    expect(html).toContain('value="not an email"');
    expect(descriptionsOf(html, "Email address")).toEqual(["Enter an email address like name@example.org"]);
  });

  it("refuses the invite form to a member who is not the chair or secretary", async () => {
    const member = await signIn(server, "member@example.org");
    const page = await fetch(`${server.url}/groups/${groupId}/invite`, { headers: { cookie: member } });
    expect(page.status).toBe(403);
    const posted = await post(`/groups/${groupId}/invite`, { intent: "invite", email: "sneaky@example.org", role: "chair", organisationId }, member);
    expect(posted.status).toBe(403);
    const row = await server.services.db.selectFrom("invitations").select("id").where("email", "=", "sneaky@example.org").executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it("refuses an invitation posted from another site", async () => {
    const chair = await signIn(server, "chair@example.org");
    const response = await post(
      `/groups/${groupId}/invite`,
      { intent: "invite", email: "forged@example.org", role: "chair", organisationId },
      chair,
      "https://attacker.example",
    );
    expect(response.status).toBe(403);
    const row = await server.services.db.selectFrom("invitations").select("id").where("email", "=", "forged@example.org").executeTakeFirst();
    expect(row).toBeUndefined();
  });
});
