/**
 * The services one server process holds, created once at start and handed to Remix loaders
 * through the load context (docs/decisions/004-services-through-remix-load-context.md).
 */
import type { Kysely } from "kysely";
import type { Session } from "lucia";
import type { Auth, SessionUser } from "../app/auth/lucia.server.js";
import type { Mailer } from "../app/email/mailer.server.js";
import type { DatabaseHandle } from "../db/connect.js";
import type { Database } from "../db/database.js";
import type { CollaborationService } from "./collab/collaboration-service.js";
import type { Config } from "./config.js";
import type { Logger } from "./logger.js";
import type { RealtimeService } from "./realtime.js";

export interface AppServices {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  db: Kysely<Database>;
  auth: Auth;
  mailer: Mailer;
  /** The Yjs collaboration endpoint: flush, read and change documents' state, recheck access. */
  collaboration: CollaborationService;
  /** Live pushes to a person's open tabs over Socket.io (e.g. a new notification). */
  realtime: RealtimeService;
  /**
   * Call after anything that can take access away (membership ended or changed, account
   * disabled, sessions revoked): open websockets that are no longer allowed are closed, and
   * Socket.io connections whose session has gone are disconnected. No filter: everyone.
   */
  accessChanged(filter?: { userId?: string }): Promise<void>;
}

/** What every Remix loader and action receives as `context`. */
export interface RequestContext {
  services: AppServices;
  requestId: string;
  cspNonce: string;
  clientIp: string | null;
  user: SessionUser | null;
  session: Session | null;
}
