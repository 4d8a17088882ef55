import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MAX_FAILURES_PER_ACCOUNT_AND_IP,
  MAX_FAILURES_PER_IP,
  SLOW_ACCOUNT_AFTER_FAILURES,
  accountSlowdownMs,
  attemptSignIn,
} from "../../../app/models/sign-in.server.js";
import { loadActor } from "../../../app/models/actor.server.js";
import { seedDemo } from "../../../server/seed-demo.js";
import { describeEachDatabase } from "../../support/database.js";
import { signIn, startTestServer, startTestServerForSuite, type TestServer } from "../../support/server.js";

describeEachDatabase("signing in", (getDb) => {
  beforeAll(async () => {
    await seedDemo(getDb());
  });

  it("accepts the right password and records the sign-in in the audit log", async () => {
    const result = await attemptSignIn(getDb(), { email: " Chair@Example.org ", password: "kia-ora-demo", ip: "10.0.0.1" });
    expect(result.ok).toBe(true);
    const audit = await getDb()
      .selectFrom("audit_log")
      .select(["action", "ip"])
      .where("action", "=", "auth.sign_in")
      .execute();
    expect(audit).toContainEqual({ action: "auth.sign_in", ip: "10.0.0.1" });
  });

  it("gives the same answer for an unknown email and a wrong password", async () => {
    const unknown = await attemptSignIn(getDb(), { email: "nobody@example.org", password: "kia-ora-demo", ip: "10.0.0.2" });
    const wrong = await attemptSignIn(getDb(), { email: "member@example.org", password: "not-it", ip: "10.0.0.2" });
    expect(unknown).toEqual({ ok: false, error: "INVALID_CREDENTIALS" });
    expect(wrong).toEqual(unknown);
    const failures = await getDb()
      .selectFrom("audit_log")
      .select(["actor_label"])
      .where("action", "=", "auth.sign_in_failed")
      .execute();
    expect(failures.map((row) => row.actor_label)).toEqual(expect.arrayContaining(["nobody@example.org", "member@example.org"]));
  });

  it("limits failed attempts per account and address, then says when to try again", async () => {
    const now = new Date("2026-11-23T01:00:00Z");
    const ip = "10.1.0.1";
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP; i++) {
      expect(await attemptSignIn(getDb(), { email: "secretary@example.org", password: "wrong", ip }, now)).toMatchObject({
        error: "INVALID_CREDENTIALS",
      });
    }
    // The address that guessed must wait, even with the right password.
    const limited = await attemptSignIn(getDb(), { email: "secretary@example.org", password: "kia-ora-demo", ip }, now);
    expect(limited).toMatchObject({ ok: false, error: "RATE_LIMITED" });
    expect(limited.ok === false && limited.error === "RATE_LIMITED" && limited.retryAfterSeconds).toBe(15 * 60);
    // The secretary at her own address is not locked out by it.
    expect(await attemptSignIn(getDb(), { email: "secretary@example.org", password: "kia-ora-demo", ip: "10.1.1.1" }, now)).toMatchObject({
      ok: true,
    });
    // After the window the guessing address may try again.
    const later = new Date(now.getTime() + 15 * 60 * 1000 + 1000);
    expect(await attemptSignIn(getDb(), { email: "secretary@example.org", password: "kia-ora-demo", ip }, later)).toMatchObject({
      ok: true,
    });
  });

  it("never refuses a correct password only because others guessed wrong (no lock-out of the Minister's office)", async () => {
    const now = new Date("2026-11-23T03:00:00Z");
    const waits: number[] = [];
    const wait = async (ms: number) => {
      waits.push(ms);
    };
    // Twenty wrong passwords, each from its own address: the account is attacked, not its owner.
    for (let i = 0; i < 20; i++) {
      await attemptSignIn(getDb(), { email: "minister@example.org", password: "guess", ip: `198.51.100.${i}` }, { now, wait });
    }
    for (const ip of ["203.0.113.1", "203.0.113.2"]) {
      expect(await attemptSignIn(getDb(), { email: "minister@example.org", password: "kia-ora-demo", ip }, { now, wait })).toMatchObject({
        ok: true,
      });
    }
    // The attempts were slowed once the account had had SLOW_ACCOUNT_AFTER_FAILURES failures.
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]).toBe(accountSlowdownMs(SLOW_ACCOUNT_AFTER_FAILURES));
  });

  it("slows an account guessed at from many addresses, doubling to at most 5 seconds", () => {
    expect(accountSlowdownMs(SLOW_ACCOUNT_AFTER_FAILURES - 1)).toBe(0);
    expect(accountSlowdownMs(SLOW_ACCOUNT_AFTER_FAILURES)).toBe(250);
    expect(accountSlowdownMs(SLOW_ACCOUNT_AFTER_FAILURES + 1)).toBe(500);
    expect(accountSlowdownMs(SLOW_ACCOUNT_AFTER_FAILURES + 30)).toBe(5_000);
  });

  it("limits failed attempts per IP address across accounts", async () => {
    const now = new Date("2026-11-23T02:00:00Z");
    for (let i = 0; i < MAX_FAILURES_PER_IP; i++) {
      await attemptSignIn(getDb(), { email: `guess${i}@example.org`, password: "wrong", ip: "10.9.9.9" }, now);
    }
    expect(await attemptSignIn(getDb(), { email: "minister@example.org", password: "kia-ora-demo", ip: "10.9.9.9" }, now)).toMatchObject({
      error: "RATE_LIMITED",
    });
    expect(await attemptSignIn(getDb(), { email: "minister@example.org", password: "kia-ora-demo", ip: "10.9.9.10" }, now)).toMatchObject({
      ok: true,
    });
  });

  it("refuses a disabled account with the same generic answer", async () => {
    await getDb().updateTable("users").set({ disabled_at: new Date() }).where("email", "=", "ngo@example.org").execute();
    expect(await attemptSignIn(getDb(), { email: "ngo@example.org", password: "kia-ora-demo", ip: "10.3.3.3" })).toEqual({
      ok: false,
      error: "INVALID_CREDENTIALS",
    });
  });

  it("keeps macrons exactly as stored", async () => {
    const chair = await getDb().selectFrom("users").select("display_name").where("email", "=", "chair@example.org").executeTakeFirstOrThrow();
    expect(chair.display_name).toBe("Rāwiri Te Awa");
    const organisation = await getDb()
      .selectFrom("organisations")
      .select("name")
      .where(sql<boolean>`name like 'Te Tūāpapa%'`)
      .executeTakeFirstOrThrow();
    expect(organisation.name).toBe("Te Tūāpapa Kura Kāinga – Ministry of Housing and Urban Development");
  });

  it("gives each person their roles on a date from the membership history", async () => {
    const hemi = await getDb().selectFrom("users").select(["id", "email", "display_name"]).where("email", "=", "hemi.walker@example.org").executeTakeFirstOrThrow();
    const user = { id: hemi.id, email: hemi.email, displayName: hemi.display_name, isPlatformAdmin: false };
    expect([...(await loadActor(getDb(), user, "2026-08-31")).rolesByGroup.values()]).toEqual(["member"]);
    expect((await loadActor(getDb(), user, "2026-09-01")).rolesByGroup.size).toBe(0);
  });
});

describe("the sign-in page", () => {
  let server: TestServer;
  beforeAll(async () => {
    // As behind one proxy on this machine, so each test can speak for its own client address.
    server = await startTestServer({ env: { TRUST_PROXY: "loopback" } });
  });
  afterAll(async () => {
    await server.close();
  });

  const post = (body: Record<string, string>, ip = "203.0.113.5") =>
    fetch(`${server.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url, "X-Forwarded-For": ip },
      body: new URLSearchParams(body),
    });

  it("answers 400 with field messages and keeps the typed email", async () => {
    const response = await post({ email: "not-an-email", password: "" });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Enter an email address like name@example.org");
    expect(html).toContain("Enter your password");
    expect(html).toContain('value="not-an-email"');
  });

  it("answers a wrong password with one generic message", async () => {
    const response = await post({ email: "member@example.org", password: "wrong-password" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("That email and password do not match an account");
  });

  it("answers 429 with Retry-After once an address has too many failures on an account", async () => {
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP; i++) await post({ email: "observer-test@example.org", password: "x" });
    const response = await post({ email: "observer-test@example.org", password: "x" });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await response.text()).toContain("Too many sign-in attempts");
  });

  it("sets an HttpOnly, SameSite=Lax session cookie and follows only same-site redirects", async () => {
    const response = await post({ email: "chair@example.org", password: "kia-ora-demo", redirectTo: "//evil.example/x" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/groups");
    const cookie = response.headers.getSetCookie().find((value) => value.startsWith("stewardship_session="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it("signs out on POST /logout and the old cookie no longer works", async () => {
    const cookie = await signIn(server, "member@example.org");
    const out = await fetch(`${server.url}/logout`, { method: "POST", redirect: "manual", headers: { cookie, Origin: server.url } });
    expect(out.status).toBe(302);
    const after = await fetch(`${server.url}/groups`, { redirect: "manual", headers: { cookie } });
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toContain("/login");
  });
});

describe("the sign-in page with no trusted proxy (TRUST_PROXY off, the default)", () => {
  const server = startTestServerForSuite();

  it("ignores X-Forwarded-For, so a client cannot dodge the limit by claiming other addresses", async () => {
    const post = (ip: string) =>
      fetch(`${server.url}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url, "X-Forwarded-For": ip },
        body: new URLSearchParams({ email: "member@example.org", password: "wrong" }),
      });
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP; i++) expect((await post(`192.0.2.${i}`)).status).toBe(400);
    expect((await post("192.0.2.200")).status).toBe(429);
  });
});
