/**
 * Batched reads: lookups by key that arrive close together go to the database as one query for
 * all their keys. Built on DataLoader (no cache: every lookup reads the database, so a revoked
 * session or a removed membership counts at once).
 *
 * A batch is sent at the end of the current turn of the event loop (`setImmediate`), so everything
 * read off the network in that turn shares it: when 500 people reconnect after a restart, their
 * upgrades are checked in a few queries rather than 2,000. One lookup on its own waits for nothing
 * but the end of its turn. See docs/decisions/011-batched-reads-at-the-upgrade.md.
 */
import DataLoader from "dataloader";

/** Keys per query at most (each is one bind parameter). */
const maxBatchSize = 500;

/**
 * `fetch` reads every key given (it may see a key twice) and returns what it found by key; a key
 * it leaves out is looked up as `undefined`. If it throws, every lookup in that batch fails with
 * its error.
 */
export function batchedReads<K, V>(fetch: (keys: readonly K[]) => Promise<Map<K, V>>): (key: K) => Promise<V | undefined> {
  const loader = new DataLoader<K, V | undefined>(
    async (keys) => {
      const found = await fetch(keys);
      return keys.map((key) => found.get(key));
    },
    { cache: false, maxBatchSize, batchScheduleFn: (send) => setImmediate(send) },
  );
  return (key) => loader.load(key);
}
