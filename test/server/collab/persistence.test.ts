/**
 * Durability of co-edited documents in the database, on PGlite and (with TEST_DATABASE_URL) on
 * PostgreSQL: what was acknowledged survives a restart, and compaction folds the update log into
 * the snapshot without changing the content or deleting a row it did not fold.
 */
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import * as Y from "yjs";
import { COLLAB_FIELD, buildDoc, renderText } from "../../../app/documents/content.js";
import {
  appendUpdate,
  applyStoredState,
  compactDocument,
  readStoredState,
} from "../../../server/collab/document-store.js";
import { describeEachDatabase } from "../../support/database.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";
import { type CollabClient, appendParagraph, connectClient, documentIdOfKind, storedText, typeCharacters } from "./collab-clients.js";

describeEachDatabase("collaboration persistence", (getDb, getHandle) => {
  let server: TestServer;
  let termsId: string;
  const clients: CollabClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ database: getHandle() });
    termsId = await documentIdOfKind(getDb(), "terms_of_reference");
  });

  afterAll(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await server.close();
  });

  function open(url: string, documentId: string, cookie: string): CollabClient {
    const client = connectClient(url, documentId, cookie);
    clients.push(client);
    return client;
  }

  async function newPaper(title: string): Promise<string> {
    const group = await getDb().selectFrom("groups").select("id").executeTakeFirstOrThrow();
    const row = await getDb()
      .insertInto("documents")
      .values({ group_id: group.id, kind: "paper", title })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  it("keeps what was acknowledged as saved across a server restart, and renders it into the document row", async () => {
    const cookie = await signIn(server, "member@example.org");
    const member = open(server.url, termsId, cookie);
    await vi.waitFor(() => expect(member.provider.synced).toBe(true), { timeout: 15_000 });
    appendParagraph(member.doc, "Kia ora koutou: te reo Māori round-trips, with macrons ā ē ī ō ū.");
    typeCharacters(member.doc, " Typed one letter at a time.");
    await vi.waitFor(() => expect(member.savedClock()).toBeGreaterThanOrEqual(member.ownClock()));
    const expected = member.text();
    member.provider.disconnect();

    await server.close();
    server = await startTestServer({ database: getHandle() });
    const later = open(server.url, termsId, await signIn(server, "chair@example.org"));
    await vi.waitFor(() => expect(later.provider.synced).toBe(true), { timeout: 15_000 });
    expect(later.text()).toBe(expected);
    expect(await storedText(getDb(), termsId)).toBe(expected);

    // The document row's renderings follow the content (written at unload during shutdown).
    const row = await getDb()
      .selectFrom("documents")
      .innerJoin("users", "users.id", "documents.updated_by")
      .select(["documents.content_text", "documents.content_html", "users.email"])
      .where("documents.id", "=", termsId)
      .executeTakeFirstOrThrow();
    expect(row.content_text).toBe(expected);
    expect(row.content_html).toContain("<p>Kia ora koutou: te reo Māori round-trips, with macrons ā ē ī ō ū. Typed one letter at a time.</p>");
    expect(row.email).toBe("member@example.org");
  });

  it("appends a batch with the document's rendering in one statement: both are written, or neither", async () => {
    const paperId = await newPaper("Appended with its rendering");
    const doc = buildDoc([{ type: "paragraph", content: "Kia ora, whānau" }]);
    const rendering = { html: "<p>Kia ora, whānau</p>", text: "Kia ora, whānau", editorId: null };
    const rowId = await appendUpdate(getDb(), paperId, Y.encodeStateAsUpdate(doc), rendering);
    const stored = await readStoredState(getDb(), paperId);
    expect(stored.tail.map((row) => row.id)).toEqual([rowId]);
    expect(renderText(applyStoredState(stored))).toBe("Kia ora, whānau");
    const rendered = () =>
      getDb().selectFrom("documents").select(["content_text", "content_html"]).where("id", "=", paperId).executeTakeFirstOrThrow();
    expect(await rendered()).toEqual({ content_text: "Kia ora, whānau", content_html: "<p>Kia ora, whānau</p>" });

    // The row cannot be written (no update): the rendering is not written either.
    const refused = { html: "<p>never</p>", text: "never", editorId: null };
    await expect(appendUpdate(getDb(), paperId, null as unknown as Uint8Array, refused)).rejects.toThrow();
    expect(await rendered()).toEqual({ content_text: "Kia ora, whānau", content_html: "<p>Kia ora, whānau</p>" });
    expect((await readStoredState(getDb(), paperId)).tail).toHaveLength(1);
  });

  it("compacts the log into the snapshot while edits keep arriving, deleting only the rows it folded", async () => {
    const paperId = await newPaper("Compaction while typing");
    // Realistic typing: one update per character at a moving cursor.
    const source = new Y.Doc();
    const text = new Y.XmlText();
    const paragraph = new Y.XmlElement("paragraph");
    paragraph.insert(0, [text]);
    source.getXmlFragment(COLLAB_FIELD).insert(0, [paragraph]);
    const updates: Uint8Array[] = [Y.encodeStateAsUpdate(source)];
    source.on("update", (update: Uint8Array) => updates.push(update));
    const sentence = "Whānau-centred commissioning, compacted while people type. ";
    for (let i = 0; i < 300; i++) text.insert(Math.floor(i / 3), sentence[i % sentence.length]!);

    for (const update of updates.slice(0, 250)) await appendUpdate(getDb(), paperId, update, null);
    // Compaction reads 250 rows; 51 more arrive while it works.
    let appended = 250;
    const appendRest = (async () => {
      for (const update of updates.slice(250)) {
        await appendUpdate(getDb(), paperId, update, null);
        appended++;
      }
    })();
    const result = await compactDocument(getDb(), paperId, () => null);
    await appendRest;
    expect(appended).toBe(updates.length);
    expect(result!.folded).toBeGreaterThanOrEqual(250);

    const snapshot = await getDb()
      .selectFrom("document_snapshots")
      .select("last_update_id")
      .where("document_id", "=", paperId)
      .executeTakeFirstOrThrow();
    const rows = await getDb().selectFrom("document_updates").select("id").where("document_id", "=", paperId).execute();
    expect(rows).toHaveLength(updates.length - result!.folded);
    for (const row of rows) expect(row.id).toBeGreaterThan(snapshot.last_update_id);

    const stored = applyStoredState(await readStoredState(getDb(), paperId));
    expect(renderText(stored)).toBe(renderText(source));
    expect(Y.encodeStateVector(stored)).toEqual(Y.encodeStateVector(source));

    // A second compaction folds the rest; the content is still the same.
    await compactDocument(getDb(), paperId, () => null);
    const state = await readStoredState(getDb(), paperId);
    expect(state.tail).toHaveLength(0);
    expect(renderText(applyStoredState(state))).toBe(renderText(source));
  });

  it("compacts by itself past 200 rows while two people type, and a new reader gets identical content", async () => {
    const paperId = await newPaper("Typed into by two people");
    const seed = buildDoc([{ type: "paragraph", content: "First: " }, { type: "paragraph", content: "Second: " }]);
    await server.services.collaboration.applyUpdate(paperId, Y.encodeStateAsUpdate(seed));
    const first = open(server.url, paperId, await signIn(server, "member@example.org"));
    const second = open(server.url, paperId, await signIn(server, "secretary@example.org"));
    await vi.waitFor(() => expect(first.provider.synced && second.provider.synced).toBe(true), { timeout: 15_000 });

    // The second person types in bursts the whole time.
    let typing = true;
    const burst = async () => {
      while (typing) {
        typeCharacters(second.doc, "abc");
        await new Promise<void>((resolve) => setImmediate(resolve));
        await vi.waitFor(() => expect(second.savedClock()).toBeGreaterThanOrEqual(second.ownClock()), {
          interval: 5,
          timeout: 10_000,
        });
      }
    };
    const bursts = burst();
    // The first person's every keystroke is committed on its own (flush), so the log grows past 200.
    const firstParagraph = () => (first.doc.getXmlFragment(COLLAB_FIELD).get(0) as Y.XmlElement).get(0) as Y.XmlText;
    for (let i = 0; i < 220; i++) {
      first.doc.transact(() => firstParagraph().insert(firstParagraph().length, String(i % 10)));
      await vi.waitFor(
        async () => {
          await server.services.collaboration.flush(paperId);
          expect(first.savedClock()).toBeGreaterThanOrEqual(first.ownClock());
        },
        { interval: 5, timeout: 10_000 },
      );
    }
    typing = false;
    await bursts;
    await vi.waitFor(() => {
      expect(first.text()).toBe(second.text());
      expect(second.savedClock()).toBeGreaterThanOrEqual(second.ownClock());
      expect(first.savedClock()).toBeGreaterThanOrEqual(first.ownClock());
    });

    const snapshot = await getDb()
      .selectFrom("document_snapshots")
      .select("last_update_id")
      .where("document_id", "=", paperId)
      .executeTakeFirstOrThrow();
    expect(snapshot.last_update_id).toBeGreaterThan(0);
    const rows = await getDb().selectFrom("document_updates").select("id").where("document_id", "=", paperId).execute();
    expect(rows.length).toBeLessThanOrEqual(200);
    for (const row of rows) expect(row.id).toBeGreaterThan(snapshot.last_update_id);
    expect(await storedText(getDb(), paperId)).toBe(first.text());

    const reader = open(server.url, paperId, await signIn(server, "minister@example.org"));
    await vi.waitFor(() => expect(reader.provider.synced).toBe(true), { timeout: 15_000 });
    expect(reader.text()).toBe(first.text());
    expect(first.text()).toMatch(/^First: (0123456789){22}\nSecond: (abc)+$/);
  });

  it("returns the full state from the database when nobody has the document open", async () => {
    const paperId = await newPaper("Read while closed");
    const built = buildDoc([{ type: "heading", level: 1, content: "Restored heading" }]);
    await server.services.collaboration.applyUpdate(paperId, Y.encodeStateAsUpdate(built));
    const state = await server.services.collaboration.encodeState(paperId);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state);
    expect(renderText(doc)).toBe("Restored heading");
  });
});
