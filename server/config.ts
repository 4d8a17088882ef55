/**
 * The process configuration, read once from the environment and validated with Zod at boot.
 * A wrong value stops the process with one line naming the variable (see `loadConfigOrExit`).
 */
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

const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: "must be a whole number from 0 to 65535" })
      .int("must be a whole number from 0 to 65535")
      .min(0, "must be a whole number from 0 to 65535")
      .max(65535, "must be a whole number from 0 to 65535")
      .default(3000),
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
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ),
  SEED_DEMO: z.preprocess(emptyAsUndefined, z.enum(["auto", "never"]).default("auto")),
});

export type Config = {
  nodeEnv: "development" | "production" | "test";
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  publicUrl: string;
  sessionSecret: string | undefined;
  redisUrl: string | undefined;
  smtpUrl: string | undefined;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  seedDemo: "auto" | "never";
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
    const shown = value === undefined ? "" : ` (got "${variable === "SESSION_SECRET" ? "…" : redact(value)}")`;
    throw new ConfigError(variable, `${issue?.message ?? "is invalid"}${shown}`);
  }
  const parsed = result.data;
  if (parsed.NODE_ENV === "production" && parsed.PUBLIC_URL?.startsWith("https:") && !parsed.SESSION_SECRET) {
    throw new ConfigError("SESSION_SECRET", "must be set when PUBLIC_URL is https (at least 32 characters)");
  }
  return {
    nodeEnv: parsed.NODE_ENV,
    port: parsed.PORT,
    host: parsed.HOST,
    databaseUrl: parsed.DATABASE_URL,
    dataDir: path.resolve(parsed.DATA_DIR),
    publicUrl: (parsed.PUBLIC_URL ?? `http://localhost:${parsed.PORT === 0 ? 3000 : parsed.PORT}`).replace(/\/$/, ""),
    sessionSecret: parsed.SESSION_SECRET,
    redisUrl: parsed.REDIS_URL,
    smtpUrl: parsed.SMTP_URL,
    logLevel: parsed.LOG_LEVEL,
    seedDemo: parsed.SEED_DEMO,
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
