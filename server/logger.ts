/**
 * The one logger factory: pino, JSON in production, pretty in development.
 * Log categories and ids, never document content, passwords, cookies or tokens.
 */
import pino, { type Logger } from "pino";
import type { Config } from "./config.js";

export type { Logger };

export function createLogger(config: Pick<Config, "nodeEnv" | "logLevel">): Logger {
  const pretty = config.nodeEnv === "development" && process.stdout.isTTY;
  return pino({
    level: config.nodeEnv === "test" && config.logLevel === "info" ? "silent" : config.logLevel,
    base: { service: "stewardship" },
    redact: {
      paths: [
        "password",
        "*.password",
        "req.headers.cookie",
        "req.headers.authorization",
        "headers.cookie",
        "token",
        "*.token",
        "databaseUrl",
      ],
      censor: "[redacted]",
    },
    ...(pretty
      ? { transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname,service" } } }
      : {}),
  });
}
