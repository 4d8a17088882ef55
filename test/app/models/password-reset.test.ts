import crypto from "node:crypto";
import fs from "node:fs/promises";
import { verify } from "@node-rs/argon2";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createAuth } from "../../../app/auth/lucia.server.js";
import {
  MAX_RESET_EMAILS_PER_HOUR,
  PASSWORD_RESET_LIFETIME_MS,
  passwordResetLinkState,
  requestPasswordReset,
  resetPassword,
} from "../../../app/models/password-reset.server.js";
import { attemptSignIn } from "../../../app/models/sign-in.server.js";
import { seedDemo } from "../../../server/seed-demo.js";
import { describeEachDatabase } from "../../support/database.js";
import { recordingOutbox } from "../../support/recording-outbox.js";
import { linkPath, makeTempDataDir, readOutbox } from "../../support/outbox.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";
import { descriptionsOf, fieldByLabel } from "../../support/form-html.js";

const NOW = new Date("2026-11-23T20:00:00Z");
const MINUTE = 60_000;
const PUBLIC_URL = "https://stewardship.example.govt.nz";
const outbox = recordingOutbox();
const emailing = { outbox, publicUrl: PUBLIC_URL };

function tokenOf(text: string): string {
  return linkPath(text, "/reset-password/").slice("/reset-password/".length);
}

describeEachDatabase("password reset", (getDb) => {
  beforeAll(async () => {
    await seedDemo(getDb());
  });

  const userId = async (email: string) =>
    (await getDb().selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
  /** The token of the reset link emailed now to `email`. */
  const resetTokenFor = async (email: string) => tokenOf((await requestPasswordReset(getDb(), emailing, { email }, { now: NOW }))!.text);
  /** Whether `email`'s stored password is `password`. */
  const passwordIs = async (email: string, password: string) => {
    const user = await getDb().selectFrom("users").select("password_hash").where("email", "=", email).executeTakeFirstOrThrow();
    return verify(user.password_hash!, password);
  };

  it("sends nothing, and stores nothing, for an email no account uses", async () => {
    const message = await requestPasswordReset(getDb(), emailing, { email: "nobody@example.org" }, { now: NOW });
    expect(message).toBeNull();
    const rows = await getDb().selectFrom("password_resets").select("id").execute();
    expect(rows).toHaveLength(0);
  });

  it("emails a link whose token is stored only as its SHA-256 and expires in an hour", async () => {
    const message = await requestPasswordReset(getDb(), emailing, { email: " Member@Example.org" }, { now: NOW });
    expect(message?.to).toBe("member@example.org");
    // Queued, in the transaction that stored the link.
    expect(outbox.sent.at(-1)).toEqual(message);
    expect(message?.text).toContain(`${PUBLIC_URL}/reset-password/`);
    const token = tokenOf(message!.text);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await getDb()
      .selectFrom("password_resets")
      .selectAll()
      .where("user_id", "=", await userId("member@example.org"))
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(crypto.createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expires_at.getTime()).toBe(NOW.getTime() + PASSWORD_RESET_LIFETIME_MS);
    const audit = await getDb().selectFrom("audit_log").selectAll().where("action", "=", "auth.password_reset_requested").execute();
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it("sends at most three reset emails per account per hour, silently", async () => {
    const email = "minister@example.org";
    const sent = [];
    for (let i = 0; i < MAX_RESET_EMAILS_PER_HOUR + 2; i++) {
      sent.push(await requestPasswordReset(getDb(), emailing, { email }, { now: new Date(NOW.getTime() + i * MINUTE) }));
    }
    expect(sent.map((message) => message !== null)).toEqual([true, true, true, false, false]);
    const anHourLater = new Date(NOW.getTime() + 60 * MINUTE + 1);
    expect(await requestPasswordReset(getDb(), emailing, { email }, { now: anHourLater })).not.toBeNull();
  });

  it("sets the new password, ends every session and records it", async () => {
    const db = getDb();
    const auth = createAuth(db, { secureCookies: false });
    const id = await userId("secretary@example.org");
    const laptop = await auth.lucia.createSession(id, {});
    const phone = await auth.lucia.createSession(id, {});
    const message = await requestPasswordReset(db, emailing, { email: "secretary@example.org" }, { now: NOW });
    const other = await requestPasswordReset(db, emailing, { email: "secretary@example.org" }, { now: NOW });

    const result = await resetPassword(
      db,
      auth,
      { token: tokenOf(message!.text), password: "a brand new passphrase" },
      { ip: "10.2.0.1", now: new Date(NOW.getTime() + 10 * MINUTE) },
    );
    expect(result).toEqual({ ok: true, userId: id });

    expect((await auth.lucia.validateSession(laptop.id)).session).toBeNull();
    expect((await auth.lucia.validateSession(phone.id)).session).toBeNull();
    expect(await db.selectFrom("sessions").select("id").where("user_id", "=", id).execute()).toHaveLength(0);

    const user = await db.selectFrom("users").select("password_hash").where("id", "=", id).executeTakeFirstOrThrow();
    expect(await verify(user.password_hash!, "a brand new passphrase")).toBe(true);
    expect((await attemptSignIn(db, { email: "secretary@example.org", password: "kia-ora-demo", ip: "10.2.0.1" })).ok).toBe(false);
    expect((await attemptSignIn(db, { email: "secretary@example.org", password: "a brand new passphrase", ip: "10.2.0.1" })).ok).toBe(true);

    const audit = await db.selectFrom("audit_log").select(["actor_id", "ip"]).where("action", "=", "auth.password_reset").execute();
    expect(audit).toEqual([{ actor_id: id, ip: "10.2.0.1" }]);

    // The other link sent before the reset no longer works either.
    expect(await passwordResetLinkState(db, tokenOf(other!.text), NOW)).toBe("used");
  });

  it("works once: the same link cannot reset the password again", async () => {
    const auth = createAuth(getDb(), { secureCookies: false });
    const token = await resetTokenFor("chair@example.org");
    expect((await resetPassword(getDb(), auth, { token, password: "first new passphrase" }, { now: NOW })).ok).toBe(true);
    expect(await passwordResetLinkState(getDb(), token, NOW)).toBe("used");
    expect(await resetPassword(getDb(), auth, { token, password: "second new passphrase" }, { now: NOW })).toEqual({
      ok: false,
      error: "RESET_LINK_USED",
    });
    expect(await passwordIs("chair@example.org", "first new passphrase")).toBe(true);
  });

  it("expires an hour after it was sent", async () => {
    const auth = createAuth(getDb(), { secureCookies: false });
    const token = await resetTokenFor("ngo@example.org");
    const justBefore = new Date(NOW.getTime() + PASSWORD_RESET_LIFETIME_MS - 1);
    const atExpiry = new Date(NOW.getTime() + PASSWORD_RESET_LIFETIME_MS);
    expect(await passwordResetLinkState(getDb(), token, justBefore)).toBe("valid");
    expect(await passwordResetLinkState(getDb(), token, atExpiry)).toBe("expired");
    expect(await resetPassword(getDb(), auth, { token, password: "too late passphrase" }, { now: atExpiry })).toEqual({
      ok: false,
      error: "RESET_LINK_EXPIRED",
    });
    expect(await passwordIs("ngo@example.org", "kia-ora-demo")).toBe(true);
  });

  it("rejects malformed and unknown tokens", async () => {
    const auth = createAuth(getDb(), { secureCookies: false });
    expect(await passwordResetLinkState(getDb(), "nope", NOW)).toBe("not_found");
    expect(await passwordResetLinkState(getDb(), crypto.randomBytes(32).toString("base64url"), NOW)).toBe("not_found");
    expect(await resetPassword(getDb(), auth, { token: "nope", password: "whatever passphrase" })).toEqual({
      ok: false,
      error: "RESET_LINK_NOT_FOUND",
    });
  });
});

describe("password reset over HTTP", () => {
  let server: TestServer;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await makeTempDataDir();
    server = await startTestServer({ env: { DATA_DIR: dataDir } });
  });
  afterAll(async () => {
    await server.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const post = (path: string, fields: Record<string, string>, origin = server.origin) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
      body: new URLSearchParams(fields),
    });

  it("answers the same whether or not an account uses the email", async () => {
    const unknown = await post("/forgot-password", { email: "nobody@example.org" });
    const real = await post("/forgot-password", { email: "member@example.org" });
    for (const response of [unknown, real]) {
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe("/forgot-password?sent=1");
      expect(response.headers.get("set-cookie")).toBeNull();
      expect(await response.text()).toBe("");
    }
    const page = await (await fetch(`${server.url}/forgot-password?sent=1`)).text();
    expect(page).toContain("If an account uses that email, we have sent a link");
    // Only the real account gets an email.
    await vi.waitFor(async () => expect((await readOutbox(dataDir)).map((message) => message.to)).toEqual(["member@example.org"]));
  });

  it("labels the email field and explains a malformed address", async () => {
    const page = await (await fetch(`${server.url}/forgot-password`)).text();
    expect(fieldByLabel(page, "Email address")).toMatchObject({ name: "email", type: "email" });
    const response = await post("/forgot-password", { email: "not an email" });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Enter an email address like name@example.org");
    expect(descriptionsOf(html, "Email address")).toEqual(["Enter an email address like name@example.org"]);
  });

  it("resets the password from the emailed link and signs the person out everywhere", async () => {
    const oldSession = await signIn(server, "secretary@example.org");
    expect((await post("/forgot-password", { email: "secretary@example.org" })).status).toBe(302);
    const email = await vi.waitFor(async () => {
      const found = (await readOutbox(dataDir)).find((message) => message.to === "secretary@example.org");
      if (!found) throw new Error("no email yet");
      return found;
    });
    expect(email.subject).toBe("Reset your Stewardship Workspace password");
    const resetPath = linkPath(email.text, "/reset-password/");

    const form = await fetch(`${server.url}${resetPath}`);
    expect(form.status).toBe(200);
    expect(fieldByLabel(await form.text(), "New password")).toMatchObject({ name: "password", type: "password" });

    const mismatch = await post(resetPath, { password: "a brand new passphrase", confirmPassword: "a different passphrase" });
    expect(mismatch.status).toBe(400);
    const mismatchHtml = await mismatch.text();
    expect(mismatchHtml).toContain("The two passwords do not match");
    expect(descriptionsOf(mismatchHtml, "Type the new password again")).toEqual(["The two passwords do not match"]);

    const done = await post(resetPath, { password: "a brand new passphrase", confirmPassword: "a brand new passphrase" });
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe("/login?reset=1");

    const afterReset = await fetch(`${server.url}/groups`, { redirect: "manual", headers: { cookie: oldSession } });
    expect(afterReset.status).toBe(302);
    expect(afterReset.headers.get("location")).toMatch(/^\/login/);
    await expect(signIn(server, "secretary@example.org")).rejects.toThrow();
    await signIn(server, "secretary@example.org", "a brand new passphrase");

    const reused = await fetch(`${server.url}${resetPath}`);
    expect(reused.status).toBe(410);
    expect(await reused.text()).toContain("already been used");
    const reusedPost = await post(resetPath, { password: "yet another passphrase", confirmPassword: "yet another passphrase" });
    expect(reusedPost.status).toBe(410);
  });

  it("refuses a reset request posted from another site", async () => {
    const response = await post("/forgot-password", { email: "chair@example.org" }, "https://attacker.example");
    expect(response.status).toBe(403);
  });
});
