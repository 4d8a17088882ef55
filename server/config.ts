/**
 * The process configuration, read once from the environment and validated with Zod at boot.
 * A wrong value stops the process with one line naming the variable (see `loadConfigOrExit`).
 */
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { z } from "zod";

const emptyAsUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const postgresUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.hostname !== "";
    } catch {
      return false;
    }
  }, "must be a PostgreSQL URL like postgres://user@127.0.0.1:5432/stewardship");

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}, "must be an http:// or https:// URL");

/** A TCP port to listen on: 0 asks the system for a free one. */
const portNumber = z.coerce
  .number({ error: "must be a whole number from 0 to 65535" })
  .int("must be a whole number from 0 to 65535")
  .min(0, "must be a whole number from 0 to 65535")
  .max(65535, "must be a whole number from 0 to 65535");

const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.preprocess(
    emptyAsUndefined,
    portNumber.default(3000),
  ),
  HOST: z.preprocess(emptyAsUndefined, z.string().default("0.0.0.0")),
  DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default("./data")),
  PUBLIC_URL: z.preprocess(emptyAsUndefined, httpUrl.optional()),
  SESSION_SECRET: z.preprocess(
    emptyAsUndefined,
    z.string().min(32, "must be at least 32 characters").optional(),
  ),
  REDIS_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((value) => /^rediss?:\/\//.test(value), "must be a redis:// or rediss:// URL")
      .optional(),
  ),
  SMTP_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((value) => /^smtps?:\/\//.test(value), "must be an smtp:// or smtps:// URL")
      .optional(),
  ),
  EMAIL_FROM: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((value, context): EmailAddress => {
        const address = parseEmailAddress(value);
        if (address) return address;
        context.addIssue({ code: "custom", message: 'must be an email address, or a name and one: "Stewardship Group <hui@example.org>"' });
        return z.NEVER;
      })
      .optional(),
  ),
  INBOUND_SMTP_PORT: z.preprocess(
    emptyAsUndefined,
    portNumber.optional(),
  ),
  INBOUND_EMAIL_DOMAIN: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i, "must be a domain name, such as reply.example.org")
      .transform((value) => value.toLowerCase())
      .optional(),
  ),
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ),
  SEED_DEMO: z.preprocess(emptyAsUndefined, z.enum(["auto", "never"]).default("auto")),
  BENCH_FLOOR_ROUTE: z.preprocess(emptyAsUndefined, z.enum(["0", "1"], { error: "must be 0 or 1" }).default("0")),
  INSTANCE_ID: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[\w.:-]{1,64}$/, "must be 1 to 64 letters, digits, dots, colons, dashes or underscores")
      .optional(),
  ),
  DIGEST_CHECK_CRON: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\S+( \S+){4}$/, "must be a cron expression of five fields, such as 0 * * * *")
      .default("0 * * * *"),
  ),
  TRUST_PROXY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default("off")
      .transform((value, context): TrustProxy => {
        const trimmed = value.trim().toLowerCase();
        if (["off", "false", "no", "0"].includes(trimmed)) return { kind: "off" };
        if (/^\d+$/.test(trimmed)) {
          const hops = Number(trimmed);
          if (hops <= 10) return { kind: "hops", hops };
        }
        const addresses = trimmed.split(",").map((part) => part.trim()).filter(Boolean);
        if (addresses.length > 0 && addresses.every(isProxyAddress)) return { kind: "addresses", addresses };
        context.addIssue({
          code: "custom",
          message:
            "must be off, a number of proxies from 1 to 10, or addresses and subnets of trusted proxies (loopback, 10.0.0.0/8, …)",
        });
        return z.NEVER;
      }),
  ),
});

/**
 * Which proxies in front of the server may tell it the client's address, protocol and host
 * (X-Forwarded-For, -Proto, -Host). Off: none, and those headers are ignored, so nobody can claim
 * another address. Hops: that many proxies, counted from the server. Addresses: proxies at these
 * addresses or subnets (`loopback`, `linklocal`, `uniquelocal` are the usual names).
 */
export type TrustProxy =
  | { kind: "off" }
  | { kind: "hops"; hops: number }
  | { kind: "addresses"; addresses: string[] };

const namedSubnets = new Set(["loopback", "linklocal", "uniquelocal"]);
function isProxyAddress(value: string): boolean {
  if (namedSubnets.has(value)) return true;
  const [address, bits, ...rest] = value.split("/");
  if (rest.length > 0 || !address || net.isIP(address) === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (net.isIP(address) === 4 ? 32 : 128);
}

/** An email address with the name shown beside it. */
export interface EmailAddress {
  name: string;
  address: string;
}

const DEFAULT_SENDER_NAME = "Stewardship Workspace";

/** "hui@example.org" or "Name <hui@example.org>" (the name may be quoted); undefined otherwise. */
export function parseEmailAddress(value: string): EmailAddress | undefined {
  const trimmed = value.trim();
  const named = /^(.*?)\s*<([^<>]+)>$/.exec(trimmed);
  const name = named ? named[1]!.replace(/^"(.*)"$/, "$1").trim() : "";
  const address = (named ? named[2]! : trimmed).trim();
  // One @, a local part, a domain of labels; no spaces, brackets, quotes or control characters.
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  if (!/^[^\s@<>"(),;:\\[\]\u0000-\u001f\u007f]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(address)) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  if (/[<>"\u0000-\u001f\u007f]/.test(name) || name.length > 100) return undefined;
  return { name: name || DEFAULT_SENDER_NAME, address };
}

/** A host name that can carry mail: has a dot, is not an IP address and not localhost. */
function isMailDomain(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host.includes(".") && net.isIP(host.replace(/^\[|\]$/g, "")) === 0 && host !== "localhost" && !host.endsWith(".localhost");
}

/**
 * Without EMAIL_FROM: `no-reply@` the host of PUBLIC_URL when it is a real domain name. When it
 * is not (localhost, an address), a production server sending by SMTP must be told EMAIL_FROM;
 * anywhere else (a laptop, tests, the outbox) mail comes from `no-reply@localhost.invalid`, a
 * domain reserved never to exist (RFC 2606), so it can never pass for a real sender.
 */
export const UNCONFIGURED_SENDER_DOMAIN = "localhost.invalid";

export type Config = {
  nodeEnv: "development" | "production" | "test";
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** PUBLIC_URL, or the server's own address when it is unset (set once listening when PORT=0). */
  publicUrl: string;
  /** Whether PUBLIC_URL was given; if not, the address the server listens on stands for it. */
  publicUrlGiven: boolean;
  sessionSecret: string | undefined;
  redisUrl: string | undefined;
  smtpUrl: string | undefined;
  /** The From of every email: EMAIL_FROM, or `no-reply@` PUBLIC_URL's domain (see above). */
  emailFrom: EmailAddress;
  /** INBOUND_SMTP_PORT: where replies by email are taken (server/email/inbound.ts); unset: off. */
  inboundSmtpPort: number | undefined;
  /** The domain of reply addresses (`reply+<token>@<domain>`): INBOUND_EMAIL_DOMAIN, or EMAIL_FROM's. */
  inboundEmailDomain: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  seedDemo: "auto" | "never";
  /** BENCH_FLOOR_ROUTE=1: GET /bench/floor answers a constant page, the floor `npm run bench:pages` compares pages with. */
  benchFloorRoute: boolean;
  trustProxy: TrustProxy;
  /** This process's name among several (logs, Redis messages): INSTANCE_ID, or host and pid. */
  instanceId: string;
  /**
   * When the daily digest check runs (cron, New Zealand time; hourly by default): the first run at
   * or after 7 am sends that morning's digests.
   */
  digestCheckCron: string;
};

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`Configuration error: ${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment; throws a ConfigError naming the first variable that is wrong. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue?.path[0] ?? "environment");
    const value = env[variable];
    // eslint-disable-next-line no-control-regex -- control characters are shown escaped, on one line
    const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f]/g, (char) => JSON.stringify(char).slice(1, -1));
    const shown = value === undefined ? "" : ` (got "${variable === "SESSION_SECRET" ? "…" : printable(redact(value))}")`;
    throw new ConfigError(variable, `${issue?.message ?? "is invalid"}${shown}`);
  }
  const parsed = result.data;
  if (parsed.REDIS_URL && !parsed.DATABASE_URL) {
    throw new ConfigError(
      "REDIS_URL",
      "needs DATABASE_URL: several processes share one PostgreSQL database; the embedded database serves one process",
    );
  }
  if (parsed.NODE_ENV === "production" && parsed.PUBLIC_URL?.startsWith("https:") && !parsed.SESSION_SECRET) {
    throw new ConfigError("SESSION_SECRET", "must be set when PUBLIC_URL is https (at least 32 characters)");
  }
  const publicUrl = (parsed.PUBLIC_URL ?? `http://localhost:${parsed.PORT === 0 ? 3000 : parsed.PORT}`).replace(/\/$/, "");
  const publicHost = new URL(publicUrl).hostname;
  let emailFrom = parsed.EMAIL_FROM;
  if (!emailFrom) {
    if (isMailDomain(publicHost)) {
      emailFrom = { name: DEFAULT_SENDER_NAME, address: `no-reply@${publicHost.toLowerCase()}` };
    } else if (parsed.NODE_ENV === "production" && (parsed.SMTP_URL || parsed.INBOUND_SMTP_PORT !== undefined)) {
      throw new ConfigError("EMAIL_FROM", `must be set when email goes out by SMTP and PUBLIC_URL has no domain name (its host is "${publicHost}")`);
    } else {
      emailFrom = { name: DEFAULT_SENDER_NAME, address: `no-reply@${UNCONFIGURED_SENDER_DOMAIN}` };
    }
  }
  const inboundEmailDomain = parsed.INBOUND_EMAIL_DOMAIN ?? emailFrom.address.slice(emailFrom.address.lastIndexOf("@") + 1).toLowerCase();
  if (parsed.INBOUND_SMTP_PORT !== undefined && parsed.INBOUND_SMTP_PORT === parsed.PORT && parsed.PORT !== 0) {
    throw new ConfigError("INBOUND_SMTP_PORT", `must differ from PORT (both are ${parsed.PORT})`);
  }
  return {
    nodeEnv: parsed.NODE_ENV,
    port: parsed.PORT,
    host: parsed.HOST,
    databaseUrl: parsed.DATABASE_URL,
    dataDir: path.resolve(parsed.DATA_DIR),
    publicUrl,
    publicUrlGiven: parsed.PUBLIC_URL !== undefined,
    sessionSecret: parsed.SESSION_SECRET,
    redisUrl: parsed.REDIS_URL,
    smtpUrl: parsed.SMTP_URL,
    emailFrom,
    inboundSmtpPort: parsed.INBOUND_SMTP_PORT,
    inboundEmailDomain,
    logLevel: parsed.LOG_LEVEL,
    seedDemo: parsed.SEED_DEMO,
    benchFloorRoute: parsed.BENCH_FLOOR_ROUTE === "1",
    trustProxy: parsed.TRUST_PROXY,
    instanceId: parsed.INSTANCE_ID ?? `${os.hostname()}:${process.pid}`,
    digestCheckCron: parsed.DIGEST_CHECK_CRON,
  };
}

/** Hides the password part of a URL so a config error never prints a secret. */
function redact(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return value;
  }
}
