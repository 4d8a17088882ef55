/**
 * Builds the one HTTP server: Express serving static files, /healthz and the Remix app, with
 * Socket.io and the Yjs collaboration endpoint reached through the upgrade router.
 * `startServer` connects the database, migrates, seeds the demo on an empty embedded database and
 * listens; `shutdown` closes everything in order.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type ServerBuild, broadcastDevReady } from "@remix-run/node";
import express from "express";
import helmet from "helmet";
import { type DatabaseHandle, connectDatabase } from "../db/connect.js";
import { migrateToLatest } from "../db/migrate.js";
import { isDatabaseEmpty, seedDemo } from "./seed-demo.js";
import { createAuth } from "../app/auth/lucia.server.js";
import { loadActor } from "../app/models/actor.server.js";
import { findMeeting } from "../app/models/meetings.server.js";
import { meetingResource } from "../app/models/policy-resources.server.js";
import { meetingRoom, proposalRoom } from "../app/realtime/contract.js";
import { can } from "../app/policy/policy.js";
import { replyAddresses } from "../app/models/reply-tokens.server.js";
import { proposalReplyAddresses } from "../app/models/proposal-replies.server.js";
import { type InboundMail, startInboundMail } from "./email/inbound.js";
import { createMailer } from "./email/mailer.js";
import { CollaborationEndpoint } from "./collab/endpoint.js";
import type { CollabLimits } from "./collab/collab-limits.js";
import type { Config } from "./config.js";
import { healthCheck } from "./health.js";
import type { Logger } from "./logger.js";
import { runConsultationClosings } from "./consultation-closings.js";
import { runProposalJob } from "../app/models/proposal-closing.server.js";
import { mayFollowProposal } from "../app/models/proposals.server.js";
import { runDailyDigest } from "../app/models/digests.server.js";
import { JobQueue, type JobTimings } from "./jobs/job-queue.js";
import { createRealtime } from "./realtime.js";
import type { RequestContext, ServerServices } from "./services.js";
import { type SocketService, createSocketService } from "./socket.js";
import { createUpgradeRouter } from "./upgrade.js";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { Cluster } from "./cluster/cluster.js";
import { type BackupControl, startBackupControl } from "./backup-control.js";
import { compileTrust, createOriginRule } from "./http/origin.js";
import { createRemixHandler } from "./http/remix-handler.js";
import { precompressedAssets } from "./http/compression.js";
import { readBody, requestGuard, sendRefusal } from "./http/request-guard.js";

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const buildPath = path.join(rootDir, "build", "index.js");
const version = (JSON.parse(fs.readFileSync(path.join(rootDir, "package.json"), "utf8")) as { version: string })
  .version;

export class DatabaseUnreachableError extends Error {
  constructor(reason: string) {
    super(`the database could not be reached (${reason})`);
    this.name = "DatabaseUnreachableError";
  }
}

export interface RunningServer {
  httpServer: http.Server;
  services: ServerServices;
  sockets: SocketService;
  /** The URL the server listens on (with the real port when PORT=0). */
  url: string;
  /**
   * Resolves once the web app (the Remix build) is loaded; rejects if it cannot be. The server
   * listens before that, and loads the app at the first page request or `appLoadDelayMs` after
   * listening, whichever comes first (see `startServer`).
   */
  appLoaded: Promise<void>;
  /** The listener for replies by email, when INBOUND_SMTP_PORT is set. */
  inboundMail: InboundMail | undefined;
  shutdown(reason?: string): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  /** An already open database (tests); otherwise one is opened from the config. */
  database?: DatabaseHandle;
  /** The collaboration endpoint's limits where they differ from its defaults (tests). */
  collabLimits?: Partial<CollabLimits>;
  /** How long after listening the web app loads if no page has been asked for (default 2 s). */
  appLoadDelayMs?: number;
  /** The job queue's retries and polling where they differ from its defaults (tests). */
  jobTimings?: Partial<JobTimings>;
}

const defaultAppLoadDelayMs = 2_000;

export async function startServer({
  config,
  logger,
  database: givenDatabase,
  collabLimits,
  appLoadDelayMs = defaultAppLoadDelayMs,
  jobTimings,
}: StartOptions): Promise<RunningServer> {
  // The web app (the Remix build) is most of start-up's CPU: about two thirds of a second here.
  // After a restart the first to arrive are the open editors and Socket.io clients reconnecting,
  // who need the database, not the app; loading it first would hold each of them up. So the server
  // listens without it, and loads it at the first page request, or `appLoadDelayMs` after
  // listening, whichever comes first. A missing build still stops the start at once.
  assertBuilt();
  let startLoading!: () => void;
  const buildLoading = new Promise<ServerBuild>((resolve) => {
    startLoading = () => resolve(importBuild());
  });
  buildLoading.catch(() => undefined);
  let loadRequested = false;
  const loadApp = (): Promise<ServerBuild> => {
    if (!loadRequested) {
      loadRequested = true;
      startLoading();
    }
    return buildLoading;
  };
  const database =
    givenDatabase ??
    (await connectDatabase(
      config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir },
    ));
  try {
    await database.ping();
  } catch (error) {
    await database.close().catch(() => undefined);
    throw new DatabaseUnreachableError(error instanceof Error ? error.message : String(error));
  }
  // One process or several: claimed before anything is written, refused with one line if it cannot be.
  let cluster: Cluster;
  try {
    cluster = await Cluster.join(config, database, logger);
  } catch (error) {
    if (!givenDatabase) await database.close().catch(() => undefined);
    throw error;
  }
  // The embedded database's backup door, once this process has claimed DATA_DIR (docs/decisions/017).
  let backupControl: BackupControl | null = null;
  if (!config.databaseUrl && database.dump) {
    const dump = database.dump.bind(database);
    // A door that cannot open is logged, not fatal: the app serves people without it.
    backupControl = await startBackupControl({ dataDir: config.dataDir, dump, logger }).catch((error: unknown) => {
      logger.error({ category: "backup", err: error }, "the backup socket could not be opened: npm run backup will not reach this server");
      return null;
    });
  }
  const applied = await migrateToLatest(database.db);
  if (applied.length > 0) logger.info({ category: "db", migrations: applied }, "applied migrations");

  if (!config.databaseUrl && config.seedDemo === "auto" && (await isDatabaseEmpty(database.db))) {
    const accounts = await seedDemo(database.db);
    printDemoAccounts(accounts, logger);
  }

  const auth = createAuth(database.db, { secureCookies: config.publicUrl.startsWith("https:") });
  // The one origin rule, and the one reading of forwarded headers, for every door.
  const origins = createOriginRule({ publicUrl: () => config.publicUrl, trustProxy: config.trustProxy });
  const mailer = createMailer({ smtpUrl: config.smtpUrl, dataDir: config.dataDir, logger, from: config.emailFrom });
  const collaboration = new CollaborationEndpoint({
    database,
    logger,
    authenticate: (cookieHeader) => auth.userFromCookieHeader(cookieHeader),
    fanout: cluster.fanout,
    ...(collabLimits ? { limits: collabLimits } : {}),
  });
  // Sockets exist only once the HTTP server does; the realtime service is bound to them below.
  const realtime = createRealtime();
  // The durable job queue (email, the digest, the consultation-closing check), on this database.
  const jobs = await JobQueue.start({
    database,
    logger,
    timings: { digestCheckCron: config.digestCheckCron, ...jobTimings },
  });
  const services: ServerServices = {
    config,
    logger,
    database,
    db: database.db,
    auth,
    collaboration,
    realtime,
    jobs,
    // Every process rechecks its own open connections; the others are told on the bus.
    accessChanged: async (filter = {}) => {
      cluster.tellOthersAccessChanged(filter.userId ? { userId: filter.userId } : {});
      await recheckOpenConnections(filter.userId).catch((error: unknown) =>
        logger.error({ category: "access", err: error }, "rechecking open connections failed"),
      );
    },
    // Replies by email: each comment notification email gets its own reply address.
    ...(config.inboundSmtpPort !== undefined
      ? { replyAddress: replyAddresses(config.inboundEmailDomain), proposalReplyAddress: proposalReplyAddresses(config.inboundEmailDomain) }
      : {}),
  };
  await jobs.work({
    sendEmail: (message) => mailer.send(message),
    dailyDigest: async () => {
      await runDailyDigest(services);
    },
    consultationClosings: async () => {
      await runConsultationClosings(services);
    },
    proposalJob: async (job) => {
      await runProposalJob(services, job);
    },
  });
  cluster.onAccessChange((change) => {
    void recheckOpenConnections(change.userId).catch((error: unknown) =>
      logger.error({ category: "access", err: error }, "rechecking open connections failed"),
    );
  });
  /** Closes this process's connections that are no longer allowed (collaboration and Socket.io). */
  async function recheckOpenConnections(userId: string | undefined): Promise<void> {
    await collaboration.recheckAccess(userId ? { userId } : {});
    await realtime.disconnectInvalidSessions(userId, async (cookie) => (await auth.userFromCookieHeader(cookie)) !== null);
    // Meeting rooms carry only "something changed", but nobody stays in one they may no longer see.
    await realtime.leaveRoomsNoLongerAllowed(meetingRoom(""), async (user, meetingId) => {
      const meeting = await findMeeting(database.db, meetingId);
      if (!meeting) return false;
      const actor = await loadActor(database.db, user);
      return can(actor, "meeting.view", meetingResource(actor, meeting));
    });
    await realtime.leaveRoomsNoLongerAllowed(proposalRoom(""), async (user, proposalId) => mayFollowProposal(database.db, await loadActor(database.db, user), proposalId));
  }

  const app = express();
  app.disable("x-powered-by");
  // Forwarded headers count only from the proxies TRUST_PROXY names (off by default).
  app.set("trust proxy", compileTrust(config.trustProxy));

  app.use((request, response, next) => {
    const given = request.get("x-request-id");
    const requestId = given && /^[\w-]{8,64}$/.test(given) ? given : crypto.randomUUID();
    response.locals.requestId = requestId;
    response.locals.cspNonce = crypto.randomBytes(16).toString("base64");
    response.setHeader("X-Request-Id", requestId);
    const started = process.hrtime.bigint();
    response.on("finish", () => {
      if (request.path.startsWith("/build/") || request.path === "/healthz") return;
      logger.info(
        {
          category: "http",
          requestId,
          method: request.method,
          // Invitation, reset, unsubscribe and calendar feed links carry a secret token: never log it.
          path: request.path.replace(/^\/(invitations|reset-password|unsubscribe|calendar)\/[^/]+/, "/$1/:token"),
          status: response.statusCode,
          ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
        },
        "request",
      );
    });
    next();
  });

  // Bad input stops here with a 4xx: hosts, percent-encodings, body sizes and types.
  app.use(requestGuard());

  const https = config.publicUrl.startsWith("https:");
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          "default-src": ["'self'"],
          "script-src": [
            "'self'",
            (_request, response) => `'nonce-${(response as express.Response).locals.cspNonce as string}'`,
          ],
          "style-src": ["'self'"],
          // The editor colours each person's caret with a style attribute.
          "style-src-attr": ["'unsafe-inline'"],
          "img-src": ["'self'", "data:"],
          "font-src": ["'self'"],
          "connect-src": ["'self'", ...(config.nodeEnv === "development" ? ["ws://localhost:3001"] : [])],
          "form-action": ["'self'"],
          "frame-ancestors": ["'none'"],
          "base-uri": ["'self'"],
          "object-src": ["'none'"],
          ...(https ? { "upgrade-insecure-requests": [] } : {}),
        },
      },
      strictTransportSecurity: https ? { maxAge: 15552000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
      referrerPolicy: { policy: "same-origin" },
    }),
  );

  app.get("/healthz", healthCheck({ database, cluster, version }));

  // Hashed assets: their brotli or gzip copy, written at build time, cached for a year (ADR 022).
  const assetsDir = path.join(rootDir, "public", "build");
  app.use("/build", precompressedAssets(assetsDir), express.static(assetsDir, { immutable: true, maxAge: "1y" }), notFound);
  // The few unhashed files (favicons) all have an extension; pages never do, so they skip the
  // file system look-up that serve-static made on every page request (npm run bench:pages).
  const publicFiles = express.static(path.join(rootDir, "public"), { maxAge: "1h" });
  app.use((request, response, next) => (path.posix.extname(request.path) ? publicFiles(request, response, next) : next()));

  // Cross-site request forgery: state-changing requests must come from our own origin
  // (SameSite=Lax cookies are the second line). The same rule guards both websocket doors.
  app.use((request, response, next) => {
    if (["GET", "HEAD", "OPTIONS"].includes(request.method)) return next();
    if (origins.isOwnOrigin(request, "refuse")) return next();
    logger.warn(
      { category: "csrf", requestId: response.locals.requestId, origin: request.get("origin") ?? null, referer: request.get("referer") ? "present" : null },
      "refused cross-origin request",
    );
    response.locals.refusal = "FORBIDDEN_ORIGIN";
    sendRefusal(request, response, {
      status: 403,
      code: "FORBIDDEN_ORIGIN",
      message: "This form came from another site, so it was refused. Please go back, reload the page and try again.",
    });
  });

  // Who is asking: the session cookie, validated once per request; a refreshed cookie is sent back.
  app.use((request, response, next) => {
    services.auth
      .validateCookieHeader(request.headers.cookie)
      .then(({ session, user, setCookie }) => {
        if (setCookie) response.append("Set-Cookie", setCookie);
        response.locals.session = session;
        response.locals.user = user;
        next();
      })
      .catch(next);
  });

  // The body is read here, within the limit, before the web app sees the request.
  app.use(readBody());

  // The benchmark's floor (npm run bench:pages): everything a page goes through but the web app.
  if (config.benchFloorRoute) {
    const floorPage = `<!doctype html><html lang="en-NZ"><head><meta charset="utf-8"><title>Floor</title></head><body>${"<p>Kia ora. This page is the same every time.</p>".repeat(40)}</body></html>`;
    app.get("/bench/floor", (_request, response) => {
      response.setHeader("Cache-Control", "no-store");
      response.type("html").send(floorPage);
    });
  }

  const remixHandlerFor = (serverBuild: ServerBuild) =>
    createRemixHandler({
      build: serverBuild,
      mode: config.nodeEnv === "production" ? "production" : "development",
      origins,
      getLoadContext: (request, response) => ({
        services,
        requestId: response.locals.requestId as string,
        cspNonce: response.locals.cspNonce as string,
        clientIp: origins.source(request).clientIp,
        user: (response.locals.user as RequestContext["user"]) ?? null,
        session: (response.locals.session as RequestContext["session"]) ?? null,
        ...(request.method === "GET" || request.method === "HEAD" ? { requestCache: new Map<string, Promise<unknown>>() } : {}),
      }),
    });
  let remixHandler = buildLoading.then(remixHandlerFor);
  remixHandler.catch(() => undefined);
  app.all("*", (request, response, next) => {
    void loadApp();
    remixHandler.then((handler) => handler(request, response, next)).catch(next);
  });
  app.use((error: unknown, request: express.Request, response: express.Response, _next: express.NextFunction) => {
    logger.error({ category: "http", requestId: response.locals.requestId, err: error }, "unhandled request error");
    if (!response.headersSent) response.status(500).type("text/plain").send("Something went wrong on our side.");
  });

  const httpServer = http.createServer(app);
  httpServer.keepAliveTimeout = 65_000;
  const sockets = createSocketService(httpServer, {
    logger,
    origins,
    auth,
    db: database.db,
    ...(cluster.bus ? { adapter: createAdapter(await cluster.bus.adapterClient()) } : {}),
  });
  realtime.attach(sockets.io);
  httpServer.on(
    "upgrade",
    createUpgradeRouter(
      {
        socketIo: sockets.handleUpgrade,
        collaboration: (request, socket, head, documentId, query) =>
          void collaboration.handleUpgrade(request, socket, head, documentId, query),
      },
      logger,
      origins,
    ),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const address = httpServer.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  // Without PUBLIC_URL, the address the server really listens on stands for it (PORT=0: any port).
  if (!config.publicUrlGiven) config.publicUrl = url;

  let inboundMail: InboundMail | undefined;
  if (config.inboundSmtpPort !== undefined) {
    try {
      inboundMail = await startInboundMail({ port: config.inboundSmtpPort, host: config.host, domain: config.inboundEmailDomain, services, logger });
    } catch (error) {
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await sockets.close();
      await collaboration.close();
      await jobs.stop();
      await cluster.close();
      if (!givenDatabase) await database.close();
      const inUse = (error as NodeJS.ErrnoException).code === "EADDRINUSE";
      throw new Error(inUse ? `port ${config.inboundSmtpPort} is already in use (set INBOUND_SMTP_PORT to another port)` : `the inbound mail listener could not start (${String(error)})`);
    }
  }

  const appLoadTimer = setTimeout(() => void loadApp(), appLoadDelayMs);
  if (config.nodeEnv === "development") {
    await broadcastDevReady(await loadApp());
    watchBuild(async () => {
      assertBuilt();
      const build = await importBuild();
      remixHandler = Promise.resolve(remixHandlerFor(build));
      await broadcastDevReady(build);
    });
  }



  let closing: Promise<void> | undefined;
  const shutdown = (reason = "shutdown") => {
    closing ??= (async () => {
      logger.info({ category: "server", reason }, "shutting down");
      clearTimeout(appLoadTimer);
      // Replies by email first: a sender's server told 421 tries again later.
      await inboundMail?.close();
      // 1. Stop accepting new connections; 2. close websockets (1012 server restarting) after
      // flushing pending writes; 3. end idle keep-alive connections; 4. close the database.
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await collaboration.close();
      realtime.detach();
      await sockets.close();
      await jobs.stop();
      await backupControl?.close();
      httpServer.closeIdleConnections();
      const forceAfter = setTimeout(() => httpServer.closeAllConnections(), 5_000);
      await stopped;
      clearTimeout(forceAfter);
      await cluster.close();
      if (!givenDatabase) await database.close();
      logger.info({ category: "server" }, "stopped");
    })();
    return closing;
  };

  return { httpServer, services, sockets, url, appLoaded: buildLoading.then(() => undefined), inboundMail, shutdown };
}

/** Throws when there is no Remix build to load. */
function assertBuilt(): void {
  if (!fs.existsSync(buildPath)) {
    throw new Error("The app is not built yet: run `npm run build` (or `npm start`, which builds first).");
  }
}

async function importBuild(): Promise<ServerBuild> {
  const stamp = fs.statSync(buildPath).mtimeMs;
  return (await import(`${pathToFileURL(buildPath).href}?t=${stamp}`)) as ServerBuild;
}

/** A static file that does not exist: a plain 404, not a page of the web app (and no stack in the log). */
function notFound(_request: express.Request, response: express.Response): void {
  response.status(404).type("text/plain").send("Not found\n");
}

function watchBuild(onChange: () => Promise<void>): void {
  let timer: NodeJS.Timeout | undefined;
  fs.watch(path.dirname(buildPath), () => {
    clearTimeout(timer);
    timer = setTimeout(() => void onChange(), 100);
  });
}

function printDemoAccounts(accounts: { email: string; role: string }[], logger: Logger): void {
  logger.info({ category: "seed" }, "seeded the demo Stewardship Group");
  const lines = [
    "",
    "Demo accounts (password: kia-ora-demo)",
    ...accounts.map((account) => `  ${account.email.padEnd(24)} ${account.role}`),
    "",
  ];
  if (process.env.NODE_ENV !== "test") process.stdout.write(`${lines.join("\n")}\n`);
}

export { version };
