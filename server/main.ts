/**
 * The process entry point: validated config, logger, server; graceful shutdown on SIGTERM/SIGINT.
 */
import { DatabaseUnreachableError, startServer } from "./app.js";
import { createLogger } from "./logger.js";
import { exitOnConfigError } from "./exit-on-config-error.js";
import { installProcessFailureHandlers } from "./process-failures.js";
import { StartRefusedError } from "./cluster/cluster.js";

const config = exitOnConfigError();
const logger = createLogger(config);

let server: Awaited<ReturnType<typeof startServer>> | undefined;
// A failure that escaped every door: fatal, graceful shutdown, exit 1 (docs/decisions/013).
installProcessFailureHandlers({ logger, shutdown: async (reason) => server?.shutdown(reason) });
try {
  server = await startServer({ config, logger });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") {
    process.stderr.write(`Cannot start: port ${config.port} is already in use (set PORT to another port).\n`);
  } else if (error instanceof StartRefusedError) {
    process.stderr.write(`Cannot start: ${message}.\n`);
  } else if (error instanceof DatabaseUnreachableError) {
    const where = config.databaseUrl ? "the database in DATABASE_URL" : `the embedded database in ${config.dataDir}`;
    process.stderr.write(`Cannot start: ${where} could not be reached (${message.replace(/^the database could not be reached \((.*)\)$/, "$1")}).\n`);
  } else {
    process.stderr.write(`Cannot start: ${message}\n`);
    logger.debug({ err: error }, "start-up failure");
  }
  process.exit(1);
}

logger.info(
  { category: "server", url: server.url, database: server.services.database.kind, ...(server.inboundMail ? { inboundSmtpPort: server.inboundMail.port } : {}) },
  "listening",
);
process.stdout.write(`Stewardship Workspace is ready at ${server.url} (database: ${server.services.database.kind})\n`);
// The web app finishes loading after the server listens: if it cannot, nothing can be served.
server.appLoaded.catch((error: unknown) => {
  process.stderr.write(`Cannot start: the app could not be loaded (${error instanceof Error ? error.message : String(error)}).\n`);
  logger.debug({ err: error }, "app load failure");
  void server.shutdown("the app could not be loaded").finally(() => process.exit(1));
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    server
      .shutdown(signal)
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      });
  });
}
