/**
 * The durable job queue (server/jobs/job-queue.ts) on each database: an email is sent exactly when
 * the transaction that queued it commits; a failing delivery is retried with back-off and then
 * delivered once; one that never succeeds becomes a dead letter, which can be sent again or
 * discarded.
 */
import pino from "pino";
import { afterEach, expect, it } from "vitest";
import type { EmailMessage } from "../../../app/email/message.js";
import { JobQueue, type JobHandlers } from "../../../server/jobs/job-queue.js";
import { describeEachDatabase } from "../../support/database.js";

const logger = pino({ level: "silent" });
const message = (subject: string): EmailMessage => ({ to: "aroha@example.org", subject, text: "Kia ora" });
const until = async (check: () => boolean, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describeEachDatabase("the job queue", (getDb, getHandle) => {
  let queue: JobQueue | undefined;
  afterEach(async () => {
    await queue?.stop();
    queue = undefined;
  });

  async function startQueue(sendEmail: JobHandlers["sendEmail"], timings = {}) {
    queue = await JobQueue.start({
      database: getHandle(),
      logger,
      timings: { pollingIntervalSeconds: 0.5, emailRetryDelaySeconds: 1, emailRetryDelayMaxSeconds: 2, ...timings },
    });
    await queue.work({ sendEmail, dailyDigest: async () => undefined, consultationClosings: async () => undefined });
    return queue;
  }

  it("sends an email queued in a transaction that commits, and never one whose transaction rolled back", async () => {
    const delivered: string[] = [];
    const jobs = await startQueue(async (email) => {
      delivered.push(email.subject);
    });
    await getDb()
      .transaction()
      .execute(async (trx) => {
        await jobs.sendEmail(trx, message("rolled back"));
        throw new Error("the change failed");
      })
      .catch(() => undefined);
    await getDb()
      .transaction()
      .execute(async (trx) => {
        await jobs.sendEmail(trx, message("committed"));
      });
    await until(() => delivered.includes("committed"));
    // Well past the polling interval: the rolled-back one never turns up.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(delivered).toEqual(["committed"]);
  });

  it("retries a delivery that fails, then delivers it once", async () => {
    let attempts = 0;
    const delivered: string[] = [];
    const jobs = await startQueue(async (email) => {
      attempts += 1;
      if (attempts <= 2) throw new Error("421 Service not available");
      delivered.push(email.subject);
    });
    await jobs.sendEmail(getDb(), message("after two refusals"));
    await until(() => delivered.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect({ attempts, delivered }).toEqual({ attempts: 3, delivered: ["after two refusals"] });
    expect(await jobs.deadLetters()).toEqual([]);
  });

  it("keeps what fails every retry as a dead letter, which can be sent again or discarded", async () => {
    let refusing = true;
    const delivered: string[] = [];
    const jobs = await startQueue(
      async (email) => {
        if (refusing) throw new Error("550 5.1.1 mailbox unavailable");
        delivered.push(email.subject);
      },
      { emailRetryLimit: 1 },
    );
    await jobs.sendEmail(getDb(), message("to send again"));
    await jobs.sendEmail(getDb(), message("to discard"));
    let letters = await jobs.deadLetters();
    while (letters.length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      letters = await jobs.deadLetters();
    }
    expect(letters.map((letter) => letter.subject).sort()).toEqual(["to discard", "to send again"]);
    const again = letters.find((letter) => letter.subject === "to send again")!;
    expect(again).toMatchObject({ to: "aroha@example.org", attempts: 2, lastError: "550 5.1.1 mailbox unavailable" });
    expect(delivered).toEqual([]);

    refusing = false;
    expect(await jobs.resendDeadLetter(again.id)).toBe(true);
    await until(() => delivered.length > 0);
    const discard = letters.find((letter) => letter.subject === "to discard")!;
    expect(await jobs.discardDeadLetter(discard.id)).toBe(true);
    expect(await jobs.discardDeadLetter(discard.id)).toBe(false);
    expect(await jobs.resendDeadLetter(again.id)).toBe(false);
    expect(await jobs.deadLetters()).toEqual([]);
    expect(delivered).toEqual(["to send again"]);
  }, 60_000);
});
