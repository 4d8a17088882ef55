/**
 * Group commit: documents' batches that are due together are appended in one statement, each
 * document's row gets its own id, and a batch that cannot be written fails alone.
 */
import crypto from "node:crypto";
import type { KyselyPlugin } from "kysely";
import { expect, it } from "vitest";
import * as Y from "yjs";
import { buildDoc, renderText } from "../../../app/documents/content.js";
import { CommitQueue } from "../../../server/collab/commit-queue.js";
import { applyStoredState, readStoredState } from "../../../server/collab/document-store.js";
import { describeEachDatabase } from "../../support/database.js";

describeEachDatabase("the commit queue", (getDb) => {
  async function newPapers(count: number): Promise<string[]> {
    const group = await getDb().selectFrom("groups").select("id").executeTakeFirst();
    const groupId =
      group?.id ??
      (await getDb().insertInto("groups").values({ name: "Commit queue", code: "CQ" }).returning("id").executeTakeFirstOrThrow()).id;
    const rows = await getDb()
      .insertInto("documents")
      .values(Array.from({ length: count }, (_, i) => ({ group_id: groupId, kind: "paper" as const, title: `Paper ${i}` })))
      .returning("id")
      .execute();
    return rows.map((row) => row.id);
  }

  /** The database, counting the statements sent through it. */
  function counted() {
    const counter = { statements: 0 };
    const plugin: KyselyPlugin = {
      transformQuery: (args) => {
        counter.statements++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    return { db: getDb().withPlugin(plugin), counter };
  }

  const text = (words: string) => Y.encodeStateAsUpdate(buildDoc([{ type: "paragraph", content: words }]));

  it("appends the batches of documents that are due together in one statement, with their renderings", async () => {
    const [first, second, third] = await newPapers(3);
    const { db, counter } = counted();
    const queue = new CommitQueue(db, 50);
    const ids = await Promise.all([
      queue.append(first!, text("Tuatahi"), { html: "<p>Tuatahi</p>", text: "Tuatahi", editorId: null }),
      queue.append(second!, text("Tuarua"), null),
      queue.append(third!, text("Tuatoru"), null),
    ]);
    expect(counter.statements).toBe(1);
    expect(new Set(ids).size).toBe(3);
    for (const [documentId, words] of [[first!, "Tuatahi"], [second!, "Tuarua"], [third!, "Tuatoru"]] as const) {
      const stored = await readStoredState(getDb(), documentId);
      expect(stored.tail.map((row) => row.id)).toEqual([ids[[first, second, third].indexOf(documentId)]]);
      expect(renderText(applyStoredState(stored))).toBe(words);
    }
    const rendered = await getDb().selectFrom("documents").select(["id", "content_text"]).where("id", "in", [first!, second!]).execute();
    expect(Object.fromEntries(rendered.map((row) => [row.id, row.content_text]))).toEqual({ [first!]: "Tuatahi", [second!]: "" });
  });

  it("fails only the batch that cannot be written when documents are appended together", async () => {
    const [kept] = await newPapers(1);
    const queue = new CommitQueue(getDb(), 50);
    const missing = crypto.randomUUID();
    const [keptResult, missingResult] = await Promise.allSettled([queue.append(kept!, text("Kept"), null), queue.append(missing, text("Lost"), null)]);
    expect(keptResult.status).toBe("fulfilled");
    expect(missingResult.status).toBe("rejected");
    expect(renderText(applyStoredState(await readStoredState(getDb(), kept!)))).toBe("Kept");
  });

  it("tries each batch on its own after a group failed, and commits every batch that can be written", async () => {
    const kept = await newPapers(12);
    const missing = [crypto.randomUUID(), crypto.randomUUID()];
    const queue = new CommitQueue(getDb(), 50);
    const results = await Promise.allSettled(
      [...kept, ...missing].map((documentId, i) => queue.append(documentId, text(`Paper ${i}`), null)),
    );
    expect(results.slice(0, kept.length).every((result) => result.status === "fulfilled")).toBe(true);
    expect(results.slice(kept.length).every((result) => result.status === "rejected")).toBe(true);
    for (const [i, documentId] of kept.entries()) {
      expect(renderText(applyStoredState(await readStoredState(getDb(), documentId)))).toBe(`Paper ${i}`);
    }
  });

  it("fails the rest of a group without a statement each when the first batches tried alone fail too", async () => {
    const { db, counter } = counted();
    const queue = new CommitQueue(db, 50);
    // Every batch refers to a document that does not exist: the database refuses them all.
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => queue.append(crypto.randomUUID(), text(`Lost ${i}`), null)),
    );
    expect(results.every((result) => result.status === "rejected")).toBe(true);
    // The group, then three on their own: not 41 statements.
    expect(counter.statements).toBe(4);
    const reasons = results.map((result) => (result as PromiseRejectedResult).reason as Error);
    expect(reasons.every((reason) => reason instanceof Error && /foreign key/i.test(reason.message))).toBe(true);
  });

  it("flushes every document that asked, once, one batch window after the first asked", async () => {
    const queue = new CommitQueue(getDb(), 20);
    const flushed: string[] = [];
    const document = (name: string) => ({ flush: async () => void flushed.push(name) });
    const first = document("first");
    const second = document("second");
    queue.schedule(first);
    queue.schedule(second);
    queue.schedule(first);
    expect(flushed).toEqual([]);
    await expect.poll(() => flushed).toEqual(["first", "second"]);
  });
});
