/**
 * The Yjs collaboration endpoint at /collab/<documentId> (y-websocket protocol on y-protocols).
 * The upgrade is authorised before any Yjs message is read: an unknown document is 404 and a
 * request without a session 401. The sync protocol itself arrives with the co-editing feature.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { DatabaseHandle } from "../../db/connect.js";
import type { Logger } from "../logger.js";
import { refuseUpgrade } from "../upgrade.js";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CollaborationEndpointOptions {
  database: DatabaseHandle;
  logger: Logger;
  /** Resolves the signed-in person from the upgrade request's cookie, or null. */
  authenticate(request: IncomingMessage): Promise<{ id: string } | null>;
}

export class CollaborationEndpoint {
  constructor(private readonly options: CollaborationEndpointOptions) {}

  async handleUpgrade(request: IncomingMessage, socket: Duplex, _head: Buffer, documentId: string): Promise<void> {
    const { database, logger } = this.options;
    try {
      if (!uuidPattern.test(documentId)) {
        refuseUpgrade(socket, 404, "DOCUMENT_NOT_FOUND");
        return;
      }
      const document = await database.db
        .selectFrom("documents")
        .select(["id"])
        .where("id", "=", documentId)
        .executeTakeFirst();
      if (!document) {
        refuseUpgrade(socket, 404, "DOCUMENT_NOT_FOUND");
        return;
      }
      const actor = await this.options.authenticate(request);
      if (!actor) {
        refuseUpgrade(socket, 401, "UNAUTHENTICATED");
        return;
      }
      refuseUpgrade(socket, 503, "COLLABORATION_UNAVAILABLE");
    } catch (error) {
      logger.error({ category: "collab", documentId, err: error }, "collaboration upgrade failed");
      refuseUpgrade(socket, 503, "COLLABORATION_UNAVAILABLE");
    }
  }

  /** Flushes pending writes and closes every connection with 1012 (server restarting). */
  async close(): Promise<void> {
    // No connections are held yet.
  }
}
