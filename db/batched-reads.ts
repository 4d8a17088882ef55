/**
 * Batched reads: lookups by key that arrive close together go to the database as one query for
 * all their keys. Built on DataLoader (no cache: every lookup reads the database, so a revoked
 * session or a removed membership counts at once).
 *
 * When the loader is idle, a batch is sent at the end of the current turn of the event loop
 * (`setImmediate`): one lookup on its own waits for nothing more. When the previous batch went out
 * moments ago, the server is busy, and the next batch waits `batchWindowMs` to fill: a busy server
 * takes in one new connection per turn of its event loop (libuv accepts one at a time), so when
 * 500 people reconnect after a restart, their upgrades are checked in a few dozen queries rather
 * than 2,000. See docs/decisions/011-batched-reads-at-the-upgrade.md.
 */
import DataLoader from "dataloader";

/** Keys per query at most (each is one bind parameter). */
const maxBatchSize = 500;
/** How long a batch waits to fill while the loader is busy (unless told otherwise). */
const defaultBatchWindowMs = 2;
/** Busy: the previous batch went out less than this long ago. */
const busyWithinMs = 20;

/**
 * `fetch` reads every key given (it may see a key twice) and returns what it found by key; a key
 * it leaves out is looked up as `undefined`. If it throws, every lookup in that batch fails with
 * its error.
 */
export function batchedReads<K, V>(
  fetch: (keys: readonly K[]) => Promise<Map<K, V>>,
  { batchWindowMs = defaultBatchWindowMs }: { batchWindowMs?: number } = {},
): (key: K) => Promise<V | undefined> {
  let lastSentAt = Number.NEGATIVE_INFINITY;
  const schedule = (send: () => void) => {
    const busy = performance.now() - lastSentAt < busyWithinMs;
    const sendNow = () => {
      lastSentAt = performance.now();
      send();
    };
    if (busy) setTimeout(sendNow, batchWindowMs);
    else setImmediate(sendNow);
  };
  const loader = new DataLoader<K, V | undefined>(
    async (keys) => {
      const found = await fetch(keys);
      return keys.map((key) => found.get(key));
    },
    { cache: false, maxBatchSize, batchScheduleFn: schedule },
  );
  return (key) => loader.load(key);
}
