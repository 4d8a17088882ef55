import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config.js";

describe("configuration", () => {
  it("uses the documented defaults", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/data$/);
    expect(config.publicUrl).toBe("http://localhost:3000");
  });

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ PORT: "-1" }, "PORT"],
    [{ DATABASE_URL: "mysql://localhost/db" }, "DATABASE_URL"],
    [{ DATABASE_URL: "not a url" }, "DATABASE_URL"],
    [{ PUBLIC_URL: "localhost:3000" }, "PUBLIC_URL"],
    [{ SESSION_SECRET: "short" }, "SESSION_SECRET"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ SMTP_URL: "mail.example.org" }, "SMTP_URL"],
    [{ TRUST_PROXY: "yes please" }, "TRUST_PROXY"],
    [{ REDIS_URL: "redis://127.0.0.1:6379" }, "REDIS_URL"],
    [{ TRUST_PROXY: "999" }, "TRUST_PROXY"],
    [{ TRUST_PROXY: "10.0.0.0/99" }, "TRUST_PROXY"],
    [{ EMAIL_FROM: "not an address" }, "EMAIL_FROM"],
    [{ EMAIL_FROM: "Hui <hui@>" }, "EMAIL_FROM"],
    [{ EMAIL_FROM: "hui@example.org\r\nBcc: everyone@example.org" }, "EMAIL_FROM"],
    [{ NODE_ENV: "production", SMTP_URL: "smtp://mail.example.org" }, "EMAIL_FROM"],
    [{ NODE_ENV: "production", PUBLIC_URL: "http://10.0.0.5:3000", INBOUND_SMTP_PORT: "2525" }, "EMAIL_FROM"],
    [{ INBOUND_SMTP_PORT: "lots" }, "INBOUND_SMTP_PORT"],
    [{ INBOUND_SMTP_PORT: "3000" }, "INBOUND_SMTP_PORT"],
    [{ INBOUND_EMAIL_DOMAIN: "not a domain" }, "INBOUND_EMAIL_DOMAIN"],
  ])("names the variable in one line when %o is wrong", (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(new RegExp(`^Configuration error: ${variable} `));
    expect((error as ConfigError).message).not.toContain("\n");
  });

  it("never prints a database password in the error", () => {
    expect(() => loadConfig({ DATABASE_URL: "mysql://user:secret@localhost/db" })).toThrow(/\*\*\*/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://user:secret@localhost/db" })).not.toThrow(/secret/);
  });

  it("trusts no proxy unless TRUST_PROXY names how many or which", () => {
    expect(loadConfig({}).trustProxy).toEqual({ kind: "off" });
    expect(loadConfig({ TRUST_PROXY: "off" }).trustProxy).toEqual({ kind: "off" });
    expect(loadConfig({ TRUST_PROXY: "1" }).trustProxy).toEqual({ kind: "hops", hops: 1 });
    expect(loadConfig({ TRUST_PROXY: "loopback, 10.0.0.0/8" }).trustProxy).toEqual({ kind: "addresses", addresses: ["loopback", "10.0.0.0/8"] });
  });

  it("takes EMAIL_FROM as an address or a name and one, and reply addresses on its domain unless told another", () => {
    expect(loadConfig({ EMAIL_FROM: "hui@kaitiaki.example.nz" }).emailFrom).toEqual({ name: "Stewardship Workspace", address: "hui@kaitiaki.example.nz" });
    expect(loadConfig({ EMAIL_FROM: '"Ngā Kaitiaki" <hui@kaitiaki.example.nz>' }).emailFrom).toEqual({ name: "Ngā Kaitiaki", address: "hui@kaitiaki.example.nz" });
    expect(loadConfig({ EMAIL_FROM: "Ngā Kaitiaki <hui@Kaitiaki.example.nz>" }).inboundEmailDomain).toBe("kaitiaki.example.nz");
    expect(loadConfig({ EMAIL_FROM: "hui@kaitiaki.example.nz", INBOUND_EMAIL_DOMAIN: "Reply.Kaitiaki.example.nz" }).inboundEmailDomain).toBe("reply.kaitiaki.example.nz");
    expect(loadConfig({}).inboundSmtpPort).toBeUndefined();
    expect(loadConfig({ INBOUND_SMTP_PORT: "2525" }).inboundSmtpPort).toBe(2525);
    // Production with a real domain needs no EMAIL_FROM.
    expect(loadConfig({ NODE_ENV: "production", PUBLIC_URL: "https://stewardship.example.nz", SESSION_SECRET: "x".repeat(32), SMTP_URL: "smtp://mail.example.nz" }).emailFrom.address).toBe("no-reply@stewardship.example.nz");
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: "" }).port).toBe(3000);
  });
});
