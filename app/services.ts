/**
 * What the app (loaders, actions, models) may ask of the server process, as interfaces: the
 * services one process holds, created once at start (server/app.ts) and handed to Remix loaders
 * through the load context (docs/decisions/004-services-through-remix-load-context.md). The
 * server implements them; the app never imports the server.
 */
import type { Kysely, Transaction } from "kysely";
import type { Logger } from "pino";
import type { Database } from "../db/database.js";
import type { Auth, Session, SessionUser } from "./auth/lucia.server.js";
import type { EmailMessage } from "./email/message.js";
import type { ServerEvent, ServerEventPayload } from "./realtime/contract.js";

export type { Logger };

/** The part of the configuration the app reads. */
export interface AppConfig {
  /** PUBLIC_URL: the address people use, for links in emails. */
  publicUrl: string;
}

/** Live pushes to people's open tabs over Socket.io (app/realtime/contract.ts names the events). */
export interface RealtimeService {
  /** Sends `event` to every tab the person has open; a no-op when nobody is connected. */
  emitToUser<E extends ServerEvent>(userId: string, event: E, payload: ServerEventPayload<E>): void;
  /** Sends `event` to every socket in a room (e.g. `documentRoom(id)`); a no-op when it is empty. */
  emitToRoom<E extends ServerEvent>(room: string, event: E, payload: ServerEventPayload<E>): void;
  /**
   * Disconnects the sockets (of one person, or everyone's) whose session is no longer valid:
   * after a sign-out everywhere, a password change or a disabled account.
   */
  disconnectInvalidSessions(
    userId: string | undefined,
    isValid: (cookieHeader: string | undefined) => Promise<boolean>,
  ): Promise<void>;
  /**
   * Takes sockets out of the rooms named `<prefix><id>` that their person may no longer be in
   * (e.g. a meeting room after their membership ended), asking `mayStay` once per person and room.
   */
  leaveRoomsNoLongerAllowed(prefix: string, mayStay: (user: SessionUser, id: string) => Promise<boolean>): Promise<void>;
}

/** What the app may ask of the Yjs collaboration endpoint. */
export interface CollaborationService {
  /** Commits the document's pending updates now. */
  flush(documentId: string): Promise<void>;
  /**
   * The document's full current state as one Yjs update: the loaded document after a flush, or
   * the snapshot plus the log tail from the database when nobody has it open. Throws an error with
   * code NOT_FOUND for an unknown document.
   */
  encodeState(documentId: string): Promise<Uint8Array>;
  /**
   * A change the server makes (restoring a version, for example): committed to the log and
   * relayed to everyone connected. Throws for an unknown document, or one that would be too large.
   */
  applyUpdate(documentId: string, update: Uint8Array): Promise<void>;
  /**
   * Asks the policy again for open connections (all, one person's, or one document's): closes
   * with 1008 those that may no longer read, and makes read-only those that may no longer edit
   * (and editable again those that may).
   */
  recheckAccess(filter?: { userId?: string; documentId?: string }): Promise<void>;
  /** Shutdown: commits everything pending, then closes every connection with 1012. */
  close(): Promise<void>;
}

/** An email that failed every retry (the job queue's dead letters), for the administrator. */
/** An email that failed every retry: who it was for and why, never its body (it may hold a link). */
export interface DeadLetter {
  id: string;
  to: string;
  subject: string;
  /** When the change that sent it queued it. */
  firstQueuedAt: Date;
  /** When its last attempt failed. */
  failedAt: Date;
  attempts: number;
  /** The mail server's last answer, if any. */
  lastError: string | null;
}

/** A proposal's work at a set time: closing it at its closing time, or the reminder the day before. */
export interface ProposalJob {
  kind: "close" | "remind";
  proposalId: string;
}

/** Background work on the durable job queue (server/jobs/job-queue.ts). */
export interface JobsService {
  /**
   * Runs a proposal's job at `at`, once the transaction `db` belongs to commits. The work itself
   * checks the proposal again, so a job made stale by a later closing time does nothing.
   */
  scheduleProposalJob(db: Kysely<Database> | Transaction<Database>, job: ProposalJob, at: Date): Promise<void>;
  /**
   * Sends an email once the transaction `db` belongs to commits (the job is written in it: a
   * rollback sends nothing), with retries until the mail server takes it.
   */
  sendEmail(db: Kysely<Database> | Transaction<Database>, message: EmailMessage): Promise<void>;
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  /** Tries a dead letter again from the start; false when there is no such dead letter. */
  resendDeadLetter(id: string): Promise<boolean>;
  /** Drops a dead letter; false when there is no such dead letter. */
  discardDeadLetter(id: string): Promise<boolean>;
}

/** What a model needs to send email: a place to put it, inside its own transaction. */
export type Outbox = Pick<JobsService, "sendEmail">;

/** What a command that sends email is given: the outbox, and the address its links point to. */
export interface Emailing {
  outbox: Outbox;
  publicUrl: string;
}

export interface AppServices {
  config: AppConfig;
  logger: Logger;
  db: Kysely<Database>;
  auth: Auth;
  /** The Yjs collaboration endpoint: flush, read and change documents' state, recheck access. */
  collaboration: CollaborationService;
  /** Live pushes to a person's open tabs over Socket.io (e.g. a new notification). */
  realtime: RealtimeService;
  /** The durable job queue: email and scheduled work. */
  jobs: JobsService;
  /**
   * Call after anything that can take access away (membership ended or changed, account
   * disabled, sessions revoked): open websockets that are no longer allowed are closed, and
   * Socket.io connections whose session has gone are disconnected. No filter: everyone.
   */
  accessChanged(filter?: { userId?: string }): Promise<void>;
  /**
   * When replies by email are on (INBOUND_SMTP_PORT): the Reply-To address of one person's email
   * about a comment thread (app/models/reply-tokens.server.ts). Absent: emails have no Reply-To.
   */
  replyAddress?: (trx: Transaction<Database>, recipient: { userId: string; threadId: string; documentId: string }) => Promise<string | undefined>;
  /**
   * The same for one person's email about a proposal they may take part in (opened, reminder):
   * answering it with a stance takes part (app/models/proposal-replies.server.ts).
   */
  proposalReplyAddress?: (trx: Transaction<Database>, recipient: { userId: string; proposalId: string }) => Promise<string | undefined>;
}

/** What every Remix loader and action receives as `context`. */
export interface RequestContext {
  services: AppServices;
  requestId: string;
  cspNonce: string;
  clientIp: string | null;
  user: SessionUser | null;
  session: Session | null;
  /**
   * What the loaders of one GET request share (the signed-in person's roles, the group): the root,
   * the layouts and the page each ask, and each used to query again (issue 21). Absent for form
   * posts, whose action may change what the loaders after it must see.
   */
  requestCache?: Map<string, Promise<unknown>>;
}
