/**
 * Delivering email: only the job queue's email worker calls this (server/jobs/job-queue.ts); the
 * app hands messages to the queue. With SMTP_URL set, messages go out through that SMTP server. Without it (on a
 * laptop, in tests, in a demo) each message is written as an RFC 822 file to DATA_DIR/outbox,
 * where it can be opened in any mail program. Every message comes from EMAIL_FROM (server/config.ts)
 * and carries its Reply-To when it has one. Only the recipient and subject are logged: the body
 * and the Reply-To carry single-use links and tokens.
 */
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import type { Logger } from "pino";
import type { EmailMessage } from "../../app/email/message.js";
import type { EmailAddress } from "../config.js";

export type { EmailMessage };

export interface Mailer {
  /** Resolves once the SMTP server accepted the message, or once it is written to the outbox. */
  send(message: EmailMessage): Promise<void>;
}

export interface MailerOptions {
  smtpUrl: string | undefined;
  /** DATA_DIR: without SMTP, messages are written to `<dataDir>/outbox`. */
  dataDir: string;
  logger: Logger;
  /** The From of every message (EMAIL_FROM); the Message-ID's domain is taken from it. */
  from: EmailAddress;
}

export const OUTBOX_FOLDER = "outbox";

export function createMailer({ smtpUrl, dataDir, logger, from }: MailerOptions): Mailer {
  // Quoted-printable keeps the outbox files readable by people, macrons and all.
  const messageDefaults = { from, textEncoding: "quoted-printable" as const };

  if (smtpUrl) {
    const transport = nodemailer.createTransport(smtpUrl);
    return {
      async send(message) {
        const info = await transport.sendMail({ ...messageDefaults, ...message });
        logger.info(
          { category: "email", to: message.to, subject: message.subject, messageId: info.messageId },
          "email sent",
        );
      },
    };
  }

  const outbox = path.join(dataDir, OUTBOX_FOLDER);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  return {
    async send(message) {
      const info = await transport.sendMail({ ...messageDefaults, ...message });
      await fs.mkdir(outbox, { recursive: true, mode: 0o700 });
      // Sortable by time; the random part keeps two messages in the same millisecond apart.
      const fileName = `${new Date().toISOString().replace(/[-:.]/g, "")}-${crypto.randomBytes(6).toString("hex")}.eml`;
      await fs.writeFile(path.join(outbox, fileName), info.message as Buffer, { flag: "wx", mode: 0o600 });
      logger.info({ category: "email", to: message.to, subject: message.subject, file: fileName }, "email written to the outbox");
    },
  };
}
