/**
 * An email the product sends. Models never send one themselves: they hand it to the job queue in
 * the transaction of the change that causes it (`services.jobs.sendEmail(trx, message)`), and the
 * queue's worker delivers it (server/email/mailer.ts).
 */
export interface EmailMessage {
  to: string;
  subject: string;
  /** The plain-text body; every message has one. */
  text: string;
  html?: string;
  /** Where an answer goes: a reply address (`reply+<token>@…`) when the person may answer by email. */
  replyTo?: string;
}
