/**
 * Batched reads: lookups close together share one fetch; each gets its own answer (or undefined),
 * a failed fetch fails every lookup in it, and nothing is cached.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { expect, it } from "vitest";
import { batchedReads } from "../../db/batched-reads.js";

/** A lookup over a fixed table that records each fetch's keys. */
function recordingLookup(table: Record<string, string>) {
  const fetches: string[][] = [];
  // A wide window, so a slow machine still gets its three turns in before the batch goes.
  const lookup = batchedReads(
    async (keys: readonly string[]) => {
      fetches.push([...keys]);
      return new Map(keys.filter((key) => key in table).map((key) => [key, table[key]!]));
    },
    { batchWindowMs: 200 },
  );
  return { lookup, fetches };
}

it("answers the lookups of one turn with one fetch, each with its own value or undefined", async () => {
  const { lookup, fetches } = recordingLookup({ a: "Aroha", b: "Whānau" });
  const answers = await Promise.all([lookup("a"), lookup("b"), lookup("missing"), lookup("a")]);
  expect(answers).toEqual(["Aroha", "Whānau", undefined, "Aroha"]);
  expect(fetches).toHaveLength(1);
  expect(new Set(fetches[0])).toEqual(new Set(["a", "b", "missing"]));
});

it("waits a moment to fill a batch while busy, so lookups arriving one turn at a time share it", async () => {
  const { lookup, fetches } = recordingLookup({ a: "1", b: "2", c: "3", d: "4" });
  await lookup("a"); // idle: sent at the end of its turn, alone
  expect(fetches).toEqual([["a"]]);
  // Right after a batch the loader counts as busy: three lookups, one turn of the event loop apart.
  const pending = [lookup("b")];
  await nextTurn();
  pending.push(lookup("c"));
  await nextTurn();
  pending.push(lookup("d"));
  expect(await Promise.all(pending)).toEqual(["2", "3", "4"]);
  expect(fetches.slice(1)).toEqual([["b", "c", "d"]]);
});

it("reads again for every lookup (no cache), and fails every lookup of a batch whose fetch fails", async () => {
  let value = "before";
  let failing = false;
  const fetched: string[] = [];
  const lookup = batchedReads(async (keys: readonly string[]) => {
    fetched.push(...keys);
    if (failing) throw new Error("the database is away");
    return new Map(keys.map((key) => [key, value]));
  });
  expect(await lookup("k")).toBe("before");
  value = "after";
  expect(await lookup("k")).toBe("after");
  failing = true;
  const results = await Promise.allSettled([lookup("x"), lookup("y")]);
  expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
  expect(fetched).toEqual(["k", "k", "x", "y"]);
});
