/**
 * The reanchor command over HTTP against the real server, on PGlite and PostgreSQL: after a
 * paragraph with a thread's words becomes a heading (ProseMirror replaces it, and the thread's
 * relative positions with it), the server still lists the thread as on its words, takes the new
 * positions the editor found for them, and from then on they are exact. It refuses positions that
 * do not cover those words, answers malformed forms 400, and asks as commenting asks: anyone who
 * may comment may store it, an observer is refused (403) and someone who may not read the
 * document is told nothing (404).
 */
import { setBlockType } from "@tiptap/pm/commands";
import { expect, it } from "vitest";
import * as Y from "yjs";
import { bytesToBase64, resolveThreadAnchor, type StoredAnchor } from "../../../app/documents/comment-anchors.js";
import { listThreads, storedAnchor } from "../../../app/models/comment-threads.server.js";
import { demoTermsServerForSuite } from "../../support/demo-terms-server.js";
import { describeEachDatabase } from "../../support/database.js";
import { type TestServer, postFormAs } from "../../support/server.js";
import { Replica, anchorOver, schema } from "../documents/prosemirror-replica.js";

type Role = "chair" | "member" | "minister" | "ngo" | "observer";

describeEachDatabase("re-anchoring comment threads", (getDb, getHandle) => {
  let server: TestServer;
  let groupId: string;
  let documentId: string;
  let cookies: Record<Role, string>;

  demoTermsServerForSuite<Role>(
    ["chair", "member", "minister", "ngo", "observer"],
    (opened) => {
      ({ server, groupId, termsId: documentId, cookies } = opened);
    },
    { database: getHandle },
  );

  const commentsPath = () => `/groups/${groupId}/documents/${documentId}/comments`;
  const post = (role: Role, fields: Record<string, string>) => postFormAs(server, commentsPath(), cookies[role], fields);

  /** The server's document in a headless editor. */
  async function editorOnServerState(): Promise<Replica> {
    return new Replica(await server.services.collaboration.encodeState(documentId));
  }

  /** Runs an edit in a headless editor and sends the server what it changed. */
  async function editOnServer(edit: (editor: Replica) => void): Promise<Replica> {
    const editor = await editorOnServerState();
    const before = Y.encodeStateVector(editor.doc);
    edit(editor);
    await server.services.collaboration.applyUpdate(documentId, Y.encodeStateAsUpdate(editor.doc, before));
    return editor;
  }

  /** A new paragraph with `words` in it, and a thread on them started as the editor starts one. */
  async function threadOnNewParagraph(words: string): Promise<{ threadId: string; stored: StoredAnchor }> {
    const editor = await editOnServer((replica) =>
      replica.change((tr, state) =>
        tr.insert(state.doc.content.size, schema.nodes.paragraph!.create(null, schema.text(`Background. ${words} Noted.`))),
      ),
    );
    const stored = anchorOver(editor.doc, words);
    const response = await post("member", {
      intent: "create",
      anchorStart: bytesToBase64(stored.anchorStart),
      anchorEnd: bytesToBase64(stored.anchorEnd),
      quote: words,
      quotePosition: String(stored.selector.position),
      quotePrefix: stored.selector.prefix!,
      quoteSuffix: stored.selector.suffix!,
      body: "Is this right?",
    });
    expect(response.status).toBe(200);
    const { threadId } = (await response.json()) as { threadId: string };
    return { threadId, stored };
  }

  async function threadRow(threadId: string) {
    return getDb().selectFrom("comment_threads").selectAll().where("id", "=", threadId).executeTakeFirstOrThrow();
  }

  async function onDeletedText(threadId: string): Promise<boolean> {
    const threads = await listThreads(getDb(), documentId, { status: "all", collaboration: server.services.collaboration });
    return threads.find((thread) => thread.id === threadId)!.onDeletedText;
  }

  /** Makes the paragraph holding `words` a heading; returns the positions the editor would store. */
  async function headingOver(words: string, stored: StoredAnchor) {
    const editor = await editOnServer((replica) => replica.run(setBlockType(schema.nodes.heading!, { level: 2 }), replica.find(words).from));
    const found = resolveThreadAnchor(editor.doc, stored);
    if (found.state !== "moved") throw new Error(`expected the words to have moved, not ${found.state}`);
    return { anchorStart: bytesToBase64(found.anchor.anchorStart), anchorEnd: bytesToBase64(found.anchor.anchorEnd) };
  }

  it("keeps the context with a new thread, lists it on its words after its paragraph becomes a heading, and stores the new anchor", async () => {
    const words = "Pest control on the Miramar Peninsula continues.";
    const { threadId, stored } = await threadOnNewParagraph(words);
    expect(await threadRow(threadId)).toMatchObject({ quote: words, quote_prefix: stored.selector.prefix, quote_suffix: " Noted.", quote_position: stored.selector.position });
    const moved = await headingOver(words, stored);
    expect(await onDeletedText(threadId)).toBe(false);

    const response = await post("member", { intent: "reanchor", threadId, ...moved });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, intent: "reanchor", changed: true });
    const row = await threadRow(threadId);
    expect(bytesToBase64(row.anchor_start)).toBe(moved.anchorStart);
    const editor = await editorOnServerState();
    expect(resolveThreadAnchor(editor.doc, storedAnchor(row)).state).toBe("exact");
    expect(row.quote).toBe(words);

    // A second browser posting the same positions changes nothing.
    const again = await post("chair", { intent: "reanchor", threadId, ...moved });
    expect(await again.json()).toEqual({ ok: true, intent: "reanchor", changed: false });
  });

  it("lets anyone who may comment store a new anchor, refuses an observer (403) and someone who may not read the document (404)", async () => {
    const words = "Volunteers meet at the Karori reservoir gate.";
    const { threadId, stored } = await threadOnNewParagraph(words);
    const moved = await headingOver(words, stored);
    const observer = await post("observer", { intent: "reanchor", threadId, ...moved });
    expect(observer.status).toBe(403);
    expect(await observer.json()).toMatchObject({ ok: false, error: "FORBIDDEN" });
    const ngo = await post("ngo", { intent: "reanchor", threadId, ...moved });
    expect(ngo.status).toBe(404);
    expect(bytesToBase64((await threadRow(threadId)).anchor_start)).toBe(bytesToBase64(stored.anchorStart));
    const minister = await post("minister", { intent: "reanchor", threadId, ...moved });
    expect(minister.status).toBe(200);
    expect(await minister.json()).toMatchObject({ ok: true, changed: true });
  });

  it("refuses positions that do not cover the thread's words, and leaves the anchor as it was", async () => {
    const words = "Water quality samples are taken each month.";
    const { threadId, stored } = await threadOnNewParagraph(words);
    await headingOver(words, stored);
    const editor = await editorOnServerState();
    const elsewhere = anchorOver(editor.doc, "Background.");
    const wrong = await post("member", { intent: "reanchor", threadId, anchorStart: bytesToBase64(elsewhere.anchorStart), anchorEnd: bytesToBase64(elsewhere.anchorEnd) });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ ok: false, error: "INVALID_INPUT", fieldErrors: { anchor: expect.stringContaining("Reload the page") } });
    // The old positions, which point at the replaced paragraph.
    const stale = await post("member", { intent: "reanchor", threadId, anchorStart: bytesToBase64(stored.anchorStart), anchorEnd: bytesToBase64(stored.anchorEnd) });
    expect(stale.status).toBe(400);
    expect(bytesToBase64((await threadRow(threadId)).anchor_start)).toBe(bytesToBase64(stored.anchorStart));
  });

  it("refuses to re-anchor a thread whose words are gone", async () => {
    const words = "Track closures are posted on the noticeboard.";
    const { threadId, stored } = await threadOnNewParagraph(words);
    await editOnServer((replica) => {
      const held = replica.find(words);
      replica.change((tr) => tr.delete(held.from, held.to));
    });
    expect(await onDeletedText(threadId)).toBe(true);
    const response = await post("member", { intent: "reanchor", threadId, anchorStart: bytesToBase64(stored.anchorStart), anchorEnd: bytesToBase64(stored.anchorEnd) });
    expect(response.status).toBe(400);
  });

  it("answers malformed reanchor forms with 400, and a thread of no document with 404", async () => {
    const editor = await editorOnServerState();
    const some = anchorOver(editor.doc, "Terms of reference");
    const anchors = { anchorStart: bytesToBase64(some.anchorStart), anchorEnd: bytesToBase64(some.anchorEnd) };
    for (const fields of <Record<string, string>[]>[
      { intent: "reanchor" },
      { intent: "reanchor", threadId: "not-a-uuid", ...anchors },
      { intent: "reanchor", threadId: "00000000-0000-4000-8000-000000000000", anchorStart: "not base64!", anchorEnd: anchors.anchorEnd },
      { intent: "reanchor", threadId: "00000000-0000-4000-8000-000000000000", anchorStart: anchors.anchorStart },
      { intent: "reanchor", threadId: "00000000-0000-4000-8000-000000000000", anchorStart: "A".repeat(5000), anchorEnd: anchors.anchorEnd },
    ]) {
      const response = await post("member", fields);
      expect(response.status, JSON.stringify(fields).slice(0, 80)).toBe(400);
      expect(await response.json()).toMatchObject({ ok: false });
    }
    const missing = await post("member", { intent: "reanchor", threadId: "00000000-0000-4000-8000-000000000000", ...anchors });
    expect(missing.status).toBe(404);
  });
});
