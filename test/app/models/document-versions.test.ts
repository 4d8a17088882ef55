/**
 * Named versions against the real server and its collaboration service: saving one over HTTP,
 * the history, the word comparison, restoring (a new change on top of the history, after saving
 * the current text), and the database refusing to change a version.
 */
import * as Y from "yjs";
import { describe, expect, it, vi } from "vitest";
import { COLLAB_FIELD, contentHash, renderText } from "../../../app/documents/content.js";
import { diffSummary, diffWords } from "../../../app/documents/word-diff.js";
import { restoreUpdate } from "../../../app/models/document-versions.server.js";
import { demoTermsServerForSuite } from "../../support/demo-terms-server.js";
import type { TestServer } from "../../support/server.js";
import { appendParagraph, connectClient } from "../../server/collab/collab-clients.js";

describe("the word comparison", () => {
  it("marks inserted and deleted words and keeps the rest", () => {
    const parts = diffWords("Meetings are held every two months.", "Meetings are held every month on a marae.");
    expect(parts).toEqual([
      { kind: "equal", text: "Meetings are held every " },
      { kind: "delete", text: "two months" },
      { kind: "insert", text: "month on a marae" },
      { kind: "equal", text: "." },
    ]);
    expect(diffSummary(parts)).toEqual({ inserted: 4, deleted: 2 });
  });

  it("rebuilds both texts exactly, macrons and new lines included", () => {
    const before = "Te Tiriti o Waitangi\nwhānau, hapū and iwi\nQuorum: half plus one";
    const after = "Te Tiriti o Waitangi\nwhānau, hapū, iwi and communities\nQuorum: half plus one\nReporting";
    const parts = diffWords(before, after);
    expect(parts.filter((part) => part.kind !== "insert").map((part) => part.text).join("")).toBe(before);
    expect(parts.filter((part) => part.kind !== "delete").map((part) => part.text).join("")).toBe(after);
  });

  it("treats punctuation apart from words, and words with macrons as whole words", () => {
    expect(diffWords("report back by mid-2027.", "report back by mid-2027, monthly.")).toEqual([
      { kind: "equal", text: "report back by mid-2027" },
      { kind: "insert", text: ", monthly" },
      { kind: "equal", text: "." },
    ]);
    expect(diffWords("whānau and hapū", "whānau, hapū")).toEqual([
      { kind: "equal", text: "whānau" },
      { kind: "delete", text: " and" },
      { kind: "insert", text: "," },
      { kind: "equal", text: " hapū" },
    ]);
  });

  it("says nothing changed for the same text", () => {
    expect(diffWords("same", "same")).toEqual([{ kind: "equal", text: "same" }]);
  });
});

describe("the restore update", () => {
  it("turns the current content into the version's as changes on top of the current history", () => {
    const doc = new Y.Doc();
    appendParagraph(doc, "First text");
    const versionState = Y.encodeStateAsUpdate(doc);
    doc.transact(() => doc.getXmlFragment(COLLAB_FIELD).delete(0, 1));
    appendParagraph(doc, "Second text");
    const before = Y.encodeStateVector(doc);

    const update = restoreUpdate(Y.encodeStateAsUpdate(doc), versionState);
    Y.applyUpdate(doc, update);
    expect(renderText(doc)).toBe("First text");
    // Every earlier change is still in the document's history.
    for (const [client, clock] of Y.decodeStateVector(before)) {
      expect(Y.getState(doc.store, client)).toBeGreaterThanOrEqual(clock);
    }
  });
});

describe("document versions", () => {
  let server: TestServer;
  let groupId: string;
  let termsId: string;
  let cookies: Record<string, string>;

  demoTermsServerForSuite(["member", "minister", "secretary"], (opened) => {
    ({ server, groupId, termsId, cookies } = opened);
  });

  const base = () => `/groups/${groupId}/documents/${termsId}`;
  const get = (path: string, role = "member") => fetch(`${server.url}${path}`, { headers: { cookie: cookies[role]! } });
  function post(path: string, fields: Record<string, string>, role = "member") {
    return fetch(`${server.url}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.origin, cookie: cookies[role]! },
      body: new URLSearchParams(fields),
    });
  }

  /** The live text, through the collaboration service. */
  async function liveText(): Promise<string> {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, await server.services.collaboration.encodeState(termsId));
    return renderText(doc);
  }

  /** Replaces `from` with `to` in the first text node holding it. */
  function replaceText(fragment: Y.XmlFragment, from: string, to: string): void {
    for (const node of fragment.createTreeWalker((candidate) => candidate instanceof Y.XmlText)) {
      const text = node as Y.XmlText;
      const at = text.toString().indexOf(from);
      if (at >= 0) {
        text.delete(at, from.length);
        text.insert(at, to);
        return;
      }
    }
    throw new Error(`"${from}" is not in the document`);
  }

  const versionRows = () =>
    server.services.db
      .selectFrom("document_versions")
      .select(["id", "number", "name", "reason", "content_text", "content_html", "content_hash", "created_by"])
      .where("document_id", "=", termsId)
      .orderBy("number")
      .execute();

  it("saves the current text as version 1 with its rendering, hash and audit entry", async () => {
    const response = await post(`${base()}/versions?index`, { intent: "save", name: "Draft for the December hui" });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Saved as version 1");

    const [version] = await versionRows();
    expect(version).toMatchObject({ number: 1, name: "Draft for the December hui", reason: "manual" });
    expect(version!.content_text).toBe(await liveText());
    expect(version!.content_text).toContain("The group meets every two months");
    expect(version!.content_html).toContain("<h2>1. Purpose</h2>");
    expect(version!.content_hash).toBe(contentHash(version!.content_text));

    const audit = await server.services.db
      .selectFrom("audit_log")
      .select(["action", "actor_id", "details"])
      .where("subject_id", "=", termsId)
      .where("action", "=", "document.version_saved")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_id).toBe(version!.created_by);
    expect(audit[0]!.details).toMatchObject({ number: 1, reason: "manual", contentHash: version!.content_hash });
  });

  it("requires a name of at most 120 characters", async () => {
    const empty = await post(`${base()}/versions?index`, { intent: "save", name: "   " });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Enter a name for the version");
    const long = await post(`${base()}/versions?index`, { intent: "save", name: "x".repeat(121) });
    expect(long.status).toBe(400);
    expect(await long.text()).toContain("Keep the name to 120 characters or fewer");
    expect(await versionRows()).toHaveLength(1);
  });

  it("refuses a version from the Lead Minister's office, who may read but not edit", async () => {
    const response = await post(`${base()}/versions?index`, { intent: "save", name: "Minister's copy" }, "minister");
    expect(response.status).toBe(403);
    expect((await get(`${base()}/versions`, "minister")).status).toBe(200);
  });

  it("includes what is typed over the websocket up to the moment of saving", async () => {
    const client = connectClient(server.url, termsId, cookies.member);
    try {
      await vi.waitFor(() => expect(client.provider.synced).toBe(true));
      client.doc.transact(() => replaceText(client.doc.getXmlFragment(COLLAB_FIELD), "every two months", "every month"));
      appendParagraph(client.doc, "Hui may be held on a marae when the group agrees.");
      // Saved at once, not after the batch: the save flushes whatever is waiting.
      await vi.waitFor(async () => expect(await liveText()).toContain("Hui may be held on a marae"));
      const response = await post(`${base()}/versions?index`, { intent: "save", name: "After the hui" });
      expect(response.status).toBe(200);
      const versions = await versionRows();
      expect(versions.map((version) => version.number)).toEqual([1, 2]);
      expect(versions[1]!.content_text).toContain("The group meets every month");
      expect(versions[1]!.content_text).toContain("Hui may be held on a marae when the group agrees.");
    } finally {
      client.destroy();
    }
  });

  it("lists the versions with their number, name, who saved them and when", async () => {
    const html = await (await get(`${base()}/versions`)).text();
    expect(html).toContain("Draft for the December hui");
    expect(html).toContain("After the hui");
    expect(html).toContain("Tama Ngata");
    expect(html).toMatch(/(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} [A-Z][a-z]+ \d{4}, \d{1,2}:\d{2} [ap]m/);
  });

  it("shows a version read-only with the classification marking at the top and bottom", async () => {
    const html = await (await get(`${base()}/versions/1`, "minister")).text();
    expect(html).toContain("Version 1: Draft for the December hui");
    expect(html).toContain("The group meets every two months");
    expect(html.match(/<p class="classification classification--(top|bottom)"[^>]*>/g)).toHaveLength(2);
    expect(html).not.toContain("Restore this version</button>");
    expect((await get(`${base()}/versions/99`)).status).toBe(404);
    expect((await get(`${base()}/versions/abc`)).status).toBe(404);
  });

  it("compares two versions word by word with inserted and deleted words marked", async () => {
    const html = await (await get(`${base()}/versions/compare?from=1&to=2`)).text();
    expect(html).toMatch(/<del><span class="visually-hidden">\[deleted: <\/span>two months/);
    expect(html).toMatch(/<ins><span class="visually-hidden">\[inserted: <\/span>month/);
    expect(html).toMatch(/<ins><span class="visually-hidden">\[inserted: <\/span>[^<]*Hui may be held on a marae when the group agrees/);
    expect(html).toMatch(/\d+ words inserted and \d+ words deleted/);

    const same = await (await get(`${base()}/versions/compare?from=2&to=current`)).text();
    expect(same).toContain("The text is the same.");
    expect((await get(`${base()}/versions/compare?from=1&to=7`)).status).toBe(404);
  });

  it("restores version 1 as a new change, after saving the current text, and keeps the history", async () => {
    const listener = connectClient(server.url, termsId, cookies.secretary);
    try {
      await vi.waitFor(() => expect(listener.provider.synced).toBe(true));
      const beforeState = await server.services.collaboration.encodeState(termsId);
      const textBefore = await liveText();

      const response = await post(`${base()}/versions/1`, { intent: "restore" });
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(`${base()}?restored=1`);

      const versions = await versionRows();
      expect(versions.map((version) => [version.number, version.reason, version.name])).toEqual([
        [1, "manual", "Draft for the December hui"],
        [2, "manual", "After the hui"],
        [3, "restore", "Before restoring version 1"],
      ]);
      expect(versions[2]!.content_text).toBe(textBefore);

      // The live document reads as version 1 did, for the server and for someone editing.
      expect(await liveText()).toBe(versions[0]!.content_text);
      await vi.waitFor(() => expect(listener.text()).toBe(versions[0]!.content_text));

      // A change on top: everything that was in the document before is still in its history.
      const afterDoc = new Y.Doc();
      Y.applyUpdate(afterDoc, await server.services.collaboration.encodeState(termsId));
      for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(beforeState))) {
        expect(Y.getState(afterDoc.store, client)).toBeGreaterThanOrEqual(clock);
      }

      const audit = await server.services.db
        .selectFrom("audit_log")
        .select(["action", "details"])
        .where("subject_id", "=", termsId)
        .where("action", "in", ["document.version_saved", "document.version_restored"])
        .orderBy("id")
        .execute();
      expect(audit.map((entry) => entry.action)).toEqual([
        "document.version_saved",
        "document.version_saved",
        "document.version_saved",
        "document.version_restored",
      ]);
      expect(audit[3]!.details).toMatchObject({ number: 1, savedBeforeRestoreNumber: 3 });
    } finally {
      listener.destroy();
    }
  });

  it("refuses to change or delete a saved version in the database", async () => {
    const db = server.services.db;
    await expect(db.updateTable("document_versions").set({ name: "Rewritten" }).where("document_id", "=", termsId).execute()).rejects.toThrow(
      /immutable/,
    );
    await expect(db.deleteFrom("document_versions").where("document_id", "=", termsId).execute()).rejects.toThrow(/immutable/);
    const versions = await versionRows();
    expect(versions.map((version) => version.name)).toEqual(["Draft for the December hui", "After the hui", "Before restoring version 1"]);
  });
});
