/**
 * When the database refuses writes to the update log: nothing typed is acknowledged as saved or
 * lost, the document asks again less and less often (not every document every second), and once
 * the database takes writes again the waiting typing is committed and acknowledged.
 */
import type { KyselyPlugin, RootOperationNode } from "kysely";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import * as Y from "yjs";
import { sql } from "kysely";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";
import { openTestDatabase } from "../../support/database.js";
import type { DatabaseHandle } from "../../../db/connect.js";
import { type CollabClient, appendParagraph, connectClient, storedDoc, storedText, typeCharacters } from "./collab-clients.js";

let server: TestServer;
let database: DatabaseHandle;
let cookie: string;
/** Statements the server sent that append to the update log. */
let appends = 0;

/** Does this statement append to the update log? (As written by server/collab/document-store.ts.) */
function writesToLog(node: RootOperationNode): boolean {
  const text = JSON.stringify(node, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value)).toLowerCase();
  return text.includes("document_updates") && text.includes("insert");
}

beforeAll(async () => {
  database = await openTestDatabase("pglite");
  const counting: KyselyPlugin = {
    transformQuery: (args) => {
      if (writesToLog(args.node)) appends++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  server = await startTestServer({
    database: { ...database, db: database.db.withPlugin(counting) },
    collabLimits: { retryAfterMs: 50, maxRetryAfterMs: 200 },
  });
  cookie = await signIn(server, "member@example.org");
});

afterAll(async () => {
  await server.close();
  await database.close();
});

it("keeps typing it could not store, retries less and less often, and saves it once the database takes writes again", async () => {
  const group = await database.db.selectFrom("groups").select("id").executeTakeFirstOrThrow();
  const { id: paperId } = await database.db
    .insertInto("documents")
    .values({ group_id: group.id, kind: "paper", title: "When the database refuses writes" })
    .returning("id")
    .executeTakeFirstOrThrow();
  const member: CollabClient = connectClient(server.url, paperId, cookie);
  try {
    await vi.waitFor(() => expect(member.provider.synced).toBe(true), { timeout: 15_000 });
    await vi.waitFor(() => expect(member.saved.length).toBeGreaterThan(0));

    await sql`alter table document_updates add constraint test_store_fails check (false) not valid`.execute(database.db);
    const appendsBefore = appends;
    appendParagraph(member.doc, "");
    typeCharacters(member.doc, "Kei te pēhea koe?");
    // Typing goes on while the commits fail: it waits for the retry rather than asking again.
    await new Promise((resolve) => setTimeout(resolve, 600));
    typeCharacters(member.doc, " Kei te pai.");
    await new Promise((resolve) => setTimeout(resolve, 600));
    const attempts = appends - appendsBefore;
    // Retries after about 50, 100, 200, 200… ms: six or seven in 1.2 s. Every 50 ms would be 24.
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(12);
    // Nothing was acknowledged as saved, and nothing of it is stored.
    expect(member.savedClock()).toBeLessThan(member.ownClock());
    const during = await storedDoc(database.db, paperId);
    expect(Y.getState(during.store, member.doc.clientID)).toBe(0);
    during.destroy();

    await sql`alter table document_updates drop constraint test_store_fails`.execute(database.db);
    // The next retry, at most 200 ms (and a tenth) away, commits everything typed.
    await vi.waitFor(() => expect(member.savedClock()).toBe(member.ownClock()), { timeout: 5_000 });
    expect(await storedText(database.db, paperId)).toContain("Kei te pēhea koe? Kei te pai.");
  } finally {
    member.destroy();
  }
});
