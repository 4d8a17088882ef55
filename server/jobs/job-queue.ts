/**
 * Background work, done once and not lost (docs/decisions/016): a durable job queue on the
 * database, pg-boss, on PostgreSQL and on the embedded PGlite alike.
 *
 * - Email is never sent inline: the job that sends it is written in the same transaction as the
 *   change that causes it (`sendEmail(trx, message)`, the outbox), so a rollback sends nothing and
 *   a commit always sends. A worker delivers it with retries and back-off; after the last retry
 *   the job lands in the dead-letter queue, which the administrator sees (`deadLetters`).
 * - Schedules (the 7 am digest, the consultation-closing check) fire once across every process:
 *   pg-boss takes them with an advisory lock.
 *
 * On PostgreSQL pg-boss keeps a small pool of its own (schema `pgboss`, or `<schema>_jobs` beside a
 * test schema). On PGlite it goes through the server's one connection (db/pglite-thread.ts), in
 * turn with every other statement; its scripts (several statements at once) run with PGlite's exec.
 */
import { CompiledQuery, type Kysely, type Transaction } from "kysely";
import { PgBoss, fromKysely } from "pg-boss";
import type { EmailMessage } from "../../app/email/message.js";
import type { DeadLetter, JobsService, ProposalJob } from "../../app/services.js";
import type { DatabaseHandle } from "../../db/connect.js";
import type { Database } from "../../db/database.js";
import { scriptQuery } from "../../db/pglite-thread.js";
import type { Logger } from "../logger.js";

export const EMAIL_QUEUE = "email";
export const EMAIL_DEAD_LETTERS = "email-failed";
export const DIGEST_QUEUE = "daily-digest";
export const CONSULTATION_CLOSINGS_QUEUE = "consultation-closings";
export const PROPOSAL_QUEUE = "proposal-jobs";

export interface JobTimings {
  /** Seconds before the first retry of an email; doubles with each retry. */
  emailRetryDelaySeconds: number;
  /** Attempts of an email after the first, before it goes to the dead letters. */
  emailRetryLimit: number;
  /** The longest wait between retries of an email, in seconds. */
  emailRetryDelayMaxSeconds: number;
  /** How often idle workers look for work, in seconds. */
  pollingIntervalSeconds: number;
  /** When the digest check runs (cron, New Zealand time). */
  digestCheckCron: string;
}

export const defaultJobTimings: JobTimings = {
  emailRetryDelaySeconds: 30,
  emailRetryLimit: 50,
  // Waits of about 30 s, 1, 2, 4, 8, 16 min, then every 30 min: some 22 hours of trying before
  // the message goes to the dead letters for a person to look at.
  emailRetryDelayMaxSeconds: 30 * 60,
  pollingIntervalSeconds: 2,
  digestCheckCron: "0 * * * *",
};

export interface JobHandlers {
  sendEmail(message: EmailMessage): Promise<void>;
  /** The hourly check that sends the daily digest once, on the first run at or after 7 am. */
  dailyDigest(): Promise<void>;
  /** Consultations that reached their closing instant since the last check. */
  consultationClosings(): Promise<void>;
  /** A proposal's closing or reminder, at its time (app/models/proposal-closing.server.ts). */
  proposalJob?(job: ProposalJob): Promise<void>;
}

/** The queue's database connection: pg-boss's own pool on PostgreSQL, our one connection on PGlite. */
function queueDatabase(database: DatabaseHandle) {
  if (database.kind === "postgres") {
    const schema = database.schema && database.schema !== "public" ? `${database.schema}_jobs` : "pgboss";
    // LISTEN/NOTIFY wakes the email workers the moment a job commits; polling stays as the floor.
    return { connectionString: database.url!, max: 3, schema, useListenNotify: true };
  }
  return {
    schema: "pgboss",
    backend: "pglite",
    db: {
      executeSql: async (text: string, values?: unknown[]) => {
        if (values?.length) return { rows: [...(await database.db.executeQuery(CompiledQuery.raw(text, values))).rows] };
        // A script: several statements, maybe a transaction of its own. If one fails inside it,
        // the one connection must not stay in an aborted transaction for everyone after.
        return database.db.connection().execute(async (connection) => {
          try {
            return { rows: [...(await connection.executeQuery(scriptQuery(text))).rows] };
          } catch (error) {
            await connection.executeQuery(CompiledQuery.raw("rollback")).catch(() => undefined);
            throw error;
          }
        });
      },
    },
  };
}

export class JobQueue implements JobsService {
  private constructor(
    private readonly boss: PgBoss,
    private readonly logger: Logger,
    private readonly timings: JobTimings,
  ) {}

  /** Connects and creates the queues: jobs can be sent from here on; none is worked until `work`. */
  static async start(options: {
    database: DatabaseHandle;
    logger: Logger;
    timings?: Partial<JobTimings>;
  }): Promise<JobQueue> {
    const timings = { ...defaultJobTimings, ...options.timings };
    const logger = options.logger.child({ category: "jobs" });
    const boss = new PgBoss({ ...queueDatabase(options.database), openTelemetry: { enabled: false } } as ConstructorParameters<typeof PgBoss>[0]);
    // pg-boss reports its own failures here; without a listener they would be thrown.
    boss.on("error", (error: Error) => logger.error({ err: error }, "job queue error"));
    await boss.start();
    // Created if missing, and brought up to date if not: createQueue leaves an existing queue alone.
    const ensureQueue = async (name: string, queueOptions: Parameters<PgBoss["updateQueue"]>[1] & object) => {
      await boss.createQueue(name, queueOptions as Parameters<PgBoss["createQueue"]>[1]);
      await boss.updateQueue(name, queueOptions);
    };
    await ensureQueue(EMAIL_DEAD_LETTERS, { retentionSeconds: 90 * 86_400 });
    await ensureQueue(EMAIL_QUEUE, {
      retryLimit: timings.emailRetryLimit,
      retryDelay: timings.emailRetryDelaySeconds,
      retryBackoff: true,
      retryDelayMax: timings.emailRetryDelayMaxSeconds,
      deadLetter: EMAIL_DEAD_LETTERS,
      notify: true,
      // Long enough for every retry; after that it is a dead letter.
      retentionSeconds: 3 * 86_400,
    });
    await ensureQueue(DIGEST_QUEUE, { retryLimit: 3, retryDelay: 60 });
    await ensureQueue(CONSULTATION_CLOSINGS_QUEUE, { retryLimit: 0 });
    // A proposal's closing is retried if the database was away; closing twice is refused by the
    // proposal's own state, so a retry never closes it again.
    await ensureQueue(PROPOSAL_QUEUE, { retryLimit: 5, retryDelay: 30, retryBackoff: true, retentionSeconds: 30 * 86_400 });
    logger.info({ database: options.database.kind }, "job queue started");
    return new JobQueue(boss, logger, timings);
  }

  /** Starts this process's workers and the schedules (which fire once across all processes). */
  async work(handlers: JobHandlers): Promise<void> {
    // NOTIFY wakes a worker for a new job, but not for a retry coming due: keep polling at the
    // same pace while NOTIFY is active, so a retry waits for its delay and no longer.
    const polling = {
      pollingIntervalSeconds: this.timings.pollingIntervalSeconds,
      notifyPollingIntervalSeconds: this.timings.pollingIntervalSeconds,
    };
    await this.boss.work<EmailMessage>(EMAIL_QUEUE, polling, async ([job]) => {
      if (job) await handlers.sendEmail(job.data);
    });
    await this.boss.work(DIGEST_QUEUE, polling, async () => {
      await handlers.dailyDigest();
    });
    await this.boss.work(CONSULTATION_CLOSINGS_QUEUE, polling, async () => {
      await handlers.consultationClosings();
    });
    const proposalJob = handlers.proposalJob;
    if (proposalJob) {
      await this.boss.work<ProposalJob>(PROPOSAL_QUEUE, polling, async ([job]) => {
        if (job) await proposalJob(job.data);
      });
    }
    // pg-boss's scheduler takes an advisory lock for each tick, so each fires once in all.
    await this.boss.schedule(DIGEST_QUEUE, this.timings.digestCheckCron, null, { tz: "Pacific/Auckland" });
    await this.boss.schedule(CONSULTATION_CLOSINGS_QUEUE, "* * * * *", null);
  }

  async sendEmail(db: Kysely<Database> | Transaction<Database>, message: EmailMessage): Promise<void> {
    await this.boss.send(EMAIL_QUEUE, message, { db: fromKysely(db) });
  }

  async scheduleProposalJob(db: Kysely<Database> | Transaction<Database>, job: ProposalJob, at: Date): Promise<void> {
    await this.boss.send(PROPOSAL_QUEUE, { kind: job.kind, proposalId: job.proposalId }, { db: fromKysely(db), startAfter: at });
  }

  /** Emails that failed every retry, newest first, for the administrator. */
  async deadLetters(limit = 100): Promise<DeadLetter[]> {
    const jobs = await this.boss.findJobs<EmailMessage>(EMAIL_DEAD_LETTERS, { queued: true });
    return jobs
      .sort((a, b) => b.createdOn.getTime() - a.createdOn.getTime())
      .slice(0, limit)
      .map((job) => ({
        id: job.id,
        to: job.data.to,
        subject: job.data.subject,
        firstQueuedAt: job.sourceCreatedOn ?? job.createdOn,
        failedAt: job.createdOn,
        attempts: (job.sourceRetryCount ?? 0) + 1,
        lastError: errorText(job.sourceOutput),
      }));
  }

  /** Puts a dead letter back on the email queue, to be tried again from the start. */
  async resendDeadLetter(id: string): Promise<boolean> {
    return (await this.boss.redrive(EMAIL_DEAD_LETTERS, { ids: [id], destination: EMAIL_QUEUE })) > 0;
  }

  /** Removes a dead letter the administrator has dealt with some other way. */
  async discardDeadLetter(id: string): Promise<boolean> {
    const found = await this.boss.findJobs(EMAIL_DEAD_LETTERS, { id, queued: true });
    if (found.length === 0) return false;
    await this.boss.deleteJob(EMAIL_DEAD_LETTERS, id);
    return true;
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 10_000 }).catch((error: unknown) => this.logger.warn({ err: error }, "stopping the job queue"));
  }
}

/** The mail server's answer from a failed job's output (pg-boss keeps the error's message there). */
function errorText(output: object | null): string | null {
  if (!output) return null;
  const message = (output as { message?: unknown }).message;
  return typeof message === "string" ? message.slice(0, 500) : JSON.stringify(output).slice(0, 500);
}
