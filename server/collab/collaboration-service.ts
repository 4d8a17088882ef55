/**
 * What the rest of the server (Remix loaders and actions through `services.collaboration`) may ask
 * of the Yjs collaboration endpoint.
 */
export interface CollaborationService {
  /** Commits the document's pending updates now. */
  flush(documentId: string): Promise<void>;
  /**
   * The document's full current state as one Yjs update: the loaded document after a flush, or
   * the snapshot plus the log tail from the database when nobody has it open. Throws
   * DocumentNotFoundError (code NOT_FOUND) for an unknown document.
   */
  encodeState(documentId: string): Promise<Uint8Array>;
  /**
   * A change the server makes (restoring a version, for example): committed to the log and
   * relayed to everyone connected. Throws DocumentNotFoundError, or DocumentTooLargeError.
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
