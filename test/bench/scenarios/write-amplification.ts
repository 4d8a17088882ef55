/**
 * What continuous typing costs PostgreSQL: editors type into a document of realistic length (about
 * 20k characters already written) for a while, then
 * everything the server writes later because of it (the last batch, a deferred rendering, a
 * debounced store) is given time to land. Counted between a quiet moment before and after:
 * transactions of our database (pg_stat_database), WAL written (the insert position, cluster-wide;
 * pg_stat_wal; and with pg_walinspect the records of our database alone), against the bytes of
 * the Yjs updates the editors sent. Transactions are counted from the WAL too (the writing
 * transactions of our database, one xid each): pg_stat_database reports up to ten seconds late.
 */
import type { LoadGenerator } from "../load-generator.js";
import { round } from "../statistics.js";
import type { Target, TargetKey } from "../targets.js";
import { sleep, waitForQuietServer } from "../timing.js";

export interface WriteAmplificationOptions {
  editors: number;
  ratePerEditor: number;
  typingMs: number;
  /** Before the first reading: long enough for what opening the document wrote to land. */
  quietMs: number;
  /** After typing stops: long enough for deferred writes (a rendering, a debounced store). */
  settleMs: number;
}

export interface WriteAmplificationResult {
  target: TargetKey;
  /** How the server stores (for the Hocuspocus variants). */
  storing: string;
  typingSeconds: number;
  keystrokes: number;
  updateBytes: number;
  /** Writing transactions of our database (from the WAL; pg_stat_database's count when pg_walinspect is missing). */
  transactions: number;
  transactionsPerSecond: number;
  /** Transactions per 50 ms of typing on the one document. */
  transactionsPer50ms: number;
  /** WAL between the two readings, whole cluster (insert position). */
  walBytesCluster: number;
  /** WAL records of our database alone (pg_walinspect), or null without it. */
  walBytesOurDatabase: number | null;
  /** pg_stat_wal's wal_bytes between the readings (cluster-wide). */
  walBytesStat: number;
  fullPageImages: number;
  /** WAL bytes per byte of Yjs update: our database's alone when known, else the cluster's. */
  walPerUpdateByte: number;
  walBytesPerSecond: number;
}

/** `documentName` already holds a document of realistic length, stored the server's way. */
export async function runWriteAmplification(
  target: Target,
  generator: LoadGenerator,
  documentName: string,
  storing: string,
  options: WriteAmplificationOptions,
): Promise<WriteAmplificationResult> {
  const monitor = target.database?.monitor;
  if (!monitor) throw new Error(`${target.label}: write amplification needs a PostgreSQL monitor`);
  const specs = Array.from({ length: options.editors }, (_, i) => target.client(documentName, { editor: true, slot: i, n: i }));
  await generator.open(specs, { paragraph: true });
  try {
    await sleep(options.quietMs);
    if (target.server) await waitForQuietServer(target.server);
    const before = await monitor.read();
    const started = performance.now();
    await generator.startWindow();
    await generator.startTyping(options.ratePerEditor);
    await sleep(options.typingMs);
    await generator.stopTyping();
    generator.endWindow();
    const typingSeconds = (performance.now() - started) / 1000;
    await sleep(options.settleMs);
    const after = await monitor.read();
    const counters = await generator.collect();
    const ourWal = await monitor.walOfOurDatabase(before.walPosition, after.walPosition);
    const walBytesOurDatabase = ourWal?.bytes ?? null;
    const walBytesCluster = after.walPosition - before.walPosition;
    const transactions = ourWal?.transactions ?? after.transactions - before.transactions;
    const wal = walBytesOurDatabase ?? walBytesCluster;
    return {
      target: target.key,
      storing,
      typingSeconds: round(typingSeconds, 2),
      keystrokes: counters.sentInWindow,
      updateBytes: counters.sentBytesInWindow,
      transactions,
      transactionsPerSecond: round(transactions / typingSeconds),
      transactionsPer50ms: round(transactions / (typingSeconds / 0.05), 2),
      walBytesCluster,
      walBytesOurDatabase,
      walBytesStat: after.walBytes - before.walBytes,
      fullPageImages: after.walFullPageImages - before.walFullPageImages,
      walPerUpdateByte: counters.sentBytesInWindow === 0 ? 0 : round(wal / counters.sentBytesInWindow, 2),
      walBytesPerSecond: round(wal / typingSeconds),
    };
  } finally {
    await generator.closeAll();
  }
}
