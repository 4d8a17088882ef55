/** The collaboration endpoint's limits and timings, with their defaults (tests and the benchmark set their own). */

export interface CollabLimits {
  /** At most this long between an accepted update and the start of its batch's commit. */
  batchWindowMs: number;
  /** Compact once the log after the snapshot has more rows than this. */
  compactAfterRows: number;
  /** Rewrite documents.content_html/content_text at most this often while people type. */
  renderEveryMs: number;
  /** Largest encoded document state accepted; an update that would pass it is refused (4413). */
  maxDocumentBytes: number;
  /** Messages a document holds for its connections while it loads, before the sender is closed. */
  maxQueuedMessages: number;
  maxQueuedBytes: number;
  /**
   * Wait before retrying a batch whose commit failed; it doubles with each failure in a row, up to
   * `maxRetryAfterMs`, so a database that refuses writes is not asked again by every document every
   * second.
   */
  retryAfterMs: number;
  maxRetryAfterMs: number;
  /**
   * With several processes: how long an update another process accepted may wait for its
   * "committed" before this process stores it too (that process died, or cannot write).
   */
  peerGraceMs: number;
}

export const defaultLimits: CollabLimits = {
  batchWindowMs: 50,
  compactAfterRows: 200,
  renderEveryMs: 5_000,
  maxDocumentBytes: 5 * 1024 * 1024,
  maxQueuedMessages: 10_000,
  maxQueuedBytes: 16 * 1024 * 1024,
  retryAfterMs: 1_000,
  maxRetryAfterMs: 16_000,
  peerGraceMs: 3_000,
};
