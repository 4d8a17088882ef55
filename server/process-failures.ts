/**
 * What the process does when a failure escapes every door (docs/decisions/013): a door (a request,
 * an upgrade, a websocket or Socket.io handler, a timer, a job) catches its own failures, so an
 * exception that reaches the process is a bug whose effects we cannot bound. It is logged at
 * fatal, the server shuts down as it does on SIGTERM (stops accepting, flushes the documents'
 * pending updates, tells clients to reconnect) and the process exits with status 1, so a
 * supervisor (systemd, the container runtime) starts a fresh one.
 *
 * An unhandled promise rejection is logged at error and the process goes on: it did not unwind
 * any synchronous state, and stopping everyone's editing for a forgotten `.catch` costs more.
 */
import type { Logger } from "./logger.js";

/** How long the graceful shutdown after a fatal error may take before the process exits anyway. */
const fatalShutdownMs = 10_000;

export function installProcessFailureHandlers(options: {
  logger: Logger;
  shutdown(reason: string): Promise<void>;
  exit?: (code: number) => void;
}): void {
  const { logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let failing = false;
  process.on("uncaughtException", (error, origin) => {
    logger.fatal({ category: "process", err: error, origin }, "uncaught exception; shutting down");
    if (failing) return;
    failing = true;
    const deadline = setTimeout(() => exit(1), fatalShutdownMs);
    deadline.unref();
    options
      .shutdown("uncaught exception")
      .catch((shutdownError: unknown) => logger.error({ category: "process", err: shutdownError }, "shutdown after the exception failed"))
      .finally(() => {
        clearTimeout(deadline);
        exit(1);
      });
  });
  process.on("unhandledRejection", (reason) => {
    logger.error({ category: "process", err: reason }, "unhandled promise rejection");
  });
}
