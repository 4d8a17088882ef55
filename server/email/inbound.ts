/**
 * Replies by email, the door: an SMTP listener (smtp-server) on INBOUND_SMTP_PORT, to which the
 * mail provider hands messages for `reply+<token>@<domain>` (by MX or a forwarding rule; see the
 * README). It takes a message only for a live reply address, reads it with mailparser, keeps the
 * person's own words (server/email/reply-text.ts) and posts them through
 * app/models/reply-tokens.server.ts, which asks the same policy as the web form. A reply to a
 * proposal's email goes to app/models/proposal-replies.server.ts instead, which takes a stance.
 *
 * | case | answer |
 * | --- | --- |
 * | RCPT TO anything but a live reply address | 550, saying nothing of why |
 * | (a consultee's address that ran out with the consultation passes, to be refused below) | |
 * | more than one recipient | 452 |
 * | over the size limit (1 MB) | 552 |
 * | MIME it cannot read, no From | 554 |
 * | nothing left once quotes and signature are cut | 550 no text |
 * | the token spent by another message, or expired since RCPT | 550 |
 * | the person may no longer comment (a consultation closed: told by email) | 550 |
 * | the same message again | 250, posted once |
 * | our own failure (the database) | 451, so the sender's server tries again |
 * | a proposal's address: a stance taken (or the same message again) | 250 |
 * | a proposal's address: not one stance, the proposal closed, the stance refused (told by email once) | 550 |
 *
 * Every failure answers that one conversation and is logged; none reaches the process. Logs carry
 * the outcome and ids, never the words, the addresses or the token.
 */
import crypto from "node:crypto";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import { type ProposalReplyOutcome, isLiveProposalReplyToken, takeProposalEmailReply } from "../../app/models/proposal-replies.server.js";
import type { ProposalServices } from "../../app/models/proposals.server.js";
import { type EmailReplyServices, isLiveReplyToken, postEmailReply, replyTokenFromAddress } from "../../app/models/reply-tokens.server.js";
import type { Logger } from "../logger.js";
import { replyText } from "./reply-text.js";

/** The largest message taken, in bytes: a reply is words, not attachments. */
export const INBOUND_MAX_BYTES = 1024 * 1024;

export interface InboundMailOptions {
  port: number;
  host: string;
  /** The domain of reply addresses (INBOUND_EMAIL_DOMAIN). */
  domain: string;
  services: EmailReplyServices & ProposalServices;
  logger: Logger;
  maxBytes?: number;
}

export interface InboundMail {
  /** The port it listens on (the real one when asked for 0). */
  port: number;
  close(): Promise<void>;
}

/** An SMTP answer: the code, and a line that says nothing the sender should not learn. */
class SmtpRefusal extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

const NO_SUCH_ADDRESS = () => new SmtpRefusal(550, "5.1.1 No such recipient here");
const TRY_LATER = () => new SmtpRefusal(451, "4.3.0 Please try again later");
const NOT_POSTED = () => new SmtpRefusal(550, "5.7.1 This reply could not be posted");

export async function startInboundMail(options: InboundMailOptions): Promise<InboundMail> {
  const logger = options.logger.child({ category: "email-in" });
  const maxBytes = options.maxBytes ?? INBOUND_MAX_BYTES;

  const server = new SMTPServer({
    name: options.domain,
    banner: "Stewardship Workspace replies",
    // Behind the mail provider, which speaks TLS to the world; nobody signs in here.
    disabledCommands: ["AUTH", "STARTTLS"],
    authOptional: true,
    size: maxBytes,
    rejectOversized: true,
    maxClients: 50,
    socketTimeout: 60_000,
    // At shutdown, a conversation still open after this is cut; the sender's server tries again.
    closeTimeout: 5_000,
    logger: false,
    onRcptTo(address, session, callback) {
      void (async () => {
        if (session.envelope.rcptTo.length > 0) throw new SmtpRefusal(452, "4.5.3 One recipient at a time");
        const token = replyTokenFromAddress(address.address, options.domain);
        if (!token || !((await isLiveReplyToken(options.services.db, token)) || (await isLiveProposalReplyToken(options.services.db, token)))) {
          logger.info({ session: session.id, outcome: "unknown address" }, "reply refused");
          throw NO_SUCH_ADDRESS();
        }
      })().then(
        () => callback(),
        (error: unknown) => callback(answer(error, logger, session)),
      );
    },
    onData(stream, session, callback) {
      readMessage(stream, maxBytes)
        .then((raw) => (raw ? takeReply(raw, session) : undefined))
        .then(
          () => callback(),
          (error: unknown) => callback(answer(error, logger, session)),
        );
    },
  });
  // A socket's failure is that connection's; without a listener it would be thrown.
  server.on("error", (error: Error) => logger.warn({ err: error }, "inbound mail connection error"));

  async function takeReply(raw: Buffer, session: SMTPServerSession): Promise<void> {
    const rcpt = session.envelope.rcptTo[0];
    const token = rcpt ? replyTokenFromAddress(rcpt.address, options.domain) : undefined;
    if (!token) throw NO_SUCH_ADDRESS();
    const parsed = await readMime(raw);
    const body = replyText(parsed.text ?? "");
    if (body === "") {
      logger.info({ session: session.id, outcome: "no text" }, "reply refused");
      throw new SmtpRefusal(550, "5.6.0 The message has no text to post");
    }
    const messageId = (parsed.messageId ?? "").slice(0, 500) || `sha256:${crypto.createHash("sha256").update(raw).digest("hex")}`;
    const stance = await takeProposalEmailReply(options.services, { token, messageId, body });
    if (stance.outcome !== "not_ours") return answerStance(stance, session);
    const result = await postEmailReply(options.services, { token, messageId, body });
    logger.info({ session: session.id, outcome: result.outcome, ...(result.outcome === "posted" ? { commentId: result.commentId } : {}) }, "reply by email");
    switch (result.outcome) {
      case "posted":
      case "duplicate":
        return;
      case "busy":
        throw TRY_LATER();
      case "too_long":
        throw new SmtpRefusal(550, "5.3.4 The reply is too long to post as a comment");
      case "not_allowed":
        throw result.told ? new SmtpRefusal(550, "5.7.1 This reply could not be posted; we have emailed you why") : NOT_POSTED();
      case "refused":
        throw NOT_POSTED();
    }
  }

  /** The SMTP answer for a reply to a proposal email (app/models/proposal-replies.server.ts). */
  function answerStance(result: Exclude<ProposalReplyOutcome, { outcome: "not_ours" }>, session: SMTPServerSession): void {
    logger.info({ session: session.id, outcome: result.outcome }, "stance by email");
    const told = "told" in result && result.told ? "; we have emailed you why" : "";
    switch (result.outcome) {
      case "took_part":
      case "duplicate":
        return;
      case "busy":
        throw TRY_LATER();
      case "not_understood":
        throw new SmtpRefusal(550, `5.6.0 This reply was not counted: reply with only your stance, as the proposal's email says${told}`);
      case "closed":
        throw new SmtpRefusal(550, `5.7.1 This reply was not counted: the proposal has closed${told}`);
      case "not_taken":
        throw new SmtpRefusal(550, `5.7.1 This reply was not counted${told}`);
      case "refused":
        throw NOT_POSTED();
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  logger.info({ port, domain: options.domain }, "taking replies by email");
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The whole message, or undefined when it went over the limit (smtp-server answers 552 itself). */
function readMessage(stream: SMTPServerDataStream, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped: the conversation must reach its end.
      if (size <= maxBytes) chunks.push(chunk);
    });
    stream.on("error", reject);
    stream.on("end", () => {
      if (stream.sizeExceeded || size > maxBytes) return reject(new SmtpRefusal(552, "5.3.4 The message is too big"));
      resolve(Buffer.concat(chunks));
    });
  });
}

/** The parsed message, or a 554 for MIME it cannot make sense of. */
async function readMime(raw: Buffer): Promise<ParsedMail> {
  const unreadable = () => new SmtpRefusal(554, "5.6.0 The message could not be read");
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  } catch {
    throw unreadable();
  }
  // Every message has a From (RFC 5322); a multipart one needs its boundary.
  if (!parsed.from || parsed.from.value.length === 0) throw unreadable();
  const contentType = parsed.headers.get("content-type") as { value?: string; params?: Record<string, string> } | undefined;
  if (contentType?.value?.toLowerCase().startsWith("multipart/") && !contentType.params?.boundary) throw unreadable();
  return parsed;
}

/** The SMTP answer for a failure: ours as it is, anything else a 451 (and logged as an error). */
function answer(error: unknown, logger: Logger, session: SMTPServerSession): Error {
  if (error instanceof SmtpRefusal) return error;
  logger.error({ session: session.id, err: error }, "taking a reply by email failed");
  return TRY_LATER();
}
