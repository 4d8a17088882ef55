/**
 * An outbox for model tests: records each email a model queues, in the order queued. (The real one
 * is the job queue, server/jobs/job-queue.ts, whose delivery has tests of its own.)
 */
import type { EmailMessage } from "../../app/email/message.js";
import type { Outbox } from "../../app/services.js";

export function recordingOutbox(): Outbox & { sent: EmailMessage[] } {
  const sent: EmailMessage[] = [];
  return {
    sent,
    sendEmail: async (_db, message) => {
      sent.push(message);
    },
  };
}
