/**
 * Anchored comments over HTTP against the real server, on PGlite and PostgreSQL: starting a
 * thread on the selected words, replying, editing and deleting one's own comment only, resolving
 * and reopening, the open/resolved filter, comments shown as text (never HTML), who may comment,
 * @mentions notifying people, and the body's length limits. The anchors are real Yjs relative
 * positions into the document's current state, made the way the editor makes them.
 */
import { beforeAll, expect, it } from "vitest";
import * as Y from "yjs";
import { COLLAB_FIELD } from "../../../app/documents/content.js";
import { bytesToBase64, encodeAnchor } from "../../../app/documents/comment-anchors.js";
import { loadActor } from "../../../app/models/actor.server.js";
import { listThreads } from "../../../app/models/comment-threads.server.js";
import { createThread } from "../../../app/models/comments.server.js";
import { demoTermsServerForSuite } from "../../support/demo-terms-server.js";
import { describeEachDatabase } from "../../support/database.js";
import { textsInDocumentOrder } from "../../support/document-texts.js";
import { type TestServer, postFormAs } from "../../support/server.js";
import { AppError } from "../../../app/errors.js";

type Role = "chair" | "secretary" | "member" | "minister" | "ngo" | "observer";

describeEachDatabase("anchored comments", (getDb, getHandle) => {
  let server: TestServer;
  let groupId: string;
  let documentId: string;
  let cookies: Record<Role, string>;
  const userIds = {} as Record<Role, string>;

  // Priya Naidu (no sign-in in the demo) becomes an observer who can sign in.
  demoTermsServerForSuite<Role>(
    ["chair", "secretary", "member", "minister", "ngo", "observer"],
    (opened) => {
      ({ server, groupId, termsId: documentId, cookies } = opened);
    },
    { database: getHandle },
  );
  beforeAll(async () => {
    const users = await getDb().selectFrom("users").select(["id", "email"]).execute();
    for (const role of ["chair", "secretary", "member", "minister", "ngo"] as const) {
      userIds[role] = users.find((user) => user.email === `${role}@example.org`)!.id;
    }
    userIds.observer = users.find((user) => user.email === "priya.naidu@example.org")!.id;
  });

  const pagePath = () => `/groups/${groupId}/documents/${documentId}`;
  const commentsPath = () => `${pagePath()}/comments`;

  const post = (role: Role, fields: Record<string, string>) => postFormAs(server, commentsPath(), cookies[role], fields);
  const page = async (role: Role, query = "") => {
    const response = await fetch(`${server.url}${pagePath()}${query}`, { headers: { cookie: cookies[role] } });
    expect(response.status).toBe(200);
    return response.text();
  };

  async function currentDoc(): Promise<Y.Doc> {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, await server.services.collaboration.encodeState(documentId));
    return doc;
  }

  /** The first paragraph-level text holding some words, and an anchor over `length` of them. */
  async function anchorOverSomeWords(length = 12) {
    const doc = await currentDoc();
    const texts = textsInDocumentOrder(doc);
    const text = texts.find((candidate) => candidate.length > length + 4)!;
    const plain = text.toDelta().map((op: { insert?: unknown }) => (typeof op.insert === "string" ? op.insert : "")).join("");
    return {
      doc,
      text,
      quote: plain.slice(2, 2 + length),
      anchorStart: bytesToBase64(encodeAnchor(Y.createRelativePositionFromTypeIndex(text, 2, 0))),
      anchorEnd: bytesToBase64(encodeAnchor(Y.createRelativePositionFromTypeIndex(text, 2 + length, -1))),
    };
  }

  async function startThread(role: Role, body: string): Promise<string> {
    const { quote, anchorStart, anchorEnd } = await anchorOverSomeWords();
    const response = await post(role, { intent: "create", anchorStart, anchorEnd, quote, body });
    expect(response.status).toBe(200);
    const result = (await response.json()) as { ok: boolean; threadId: string };
    expect(result.ok).toBe(true);
    return result.threadId;
  }

  async function commentsOf(threadId: string) {
    return getDb().selectFrom("comments").selectAll().where("thread_id", "=", threadId).orderBy("created_at").execute();
  }

  it("starts a thread on the selected words with its first comment, audited without the words", async () => {
    const threadId = await startThread("member", "Should this say fortnightly?");
    const thread = await getDb().selectFrom("comment_threads").selectAll().where("id", "=", threadId).executeTakeFirstOrThrow();
    expect(thread).toMatchObject({ document_id: documentId, status: "open", created_by: userIds.member });
    expect(await commentsOf(threadId)).toMatchObject([{ author_id: userIds.member, body: "Should this say fortnightly?" }]);
    const audit = await getDb()
      .selectFrom("audit_log")
      .select(["action", "actor_id", "group_id", "details"])
      .where("action", "=", "comment.created")
      .where("subject_id", "=", documentId)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: userIds.member, group_id: groupId, details: { threadId } });
    expect(JSON.stringify(audit[0]!.details)).not.toContain("fortnightly");

    const html = await page("chair");
    expect(html).toContain("Should this say fortnightly?");
    expect(html).toContain(thread.quote);
  });

  it("lets anyone who may comment reply, and only the author edit or delete a comment", async () => {
    const threadId = await startThread("secretary", "First thought from the secretary");
    expect((await post("chair", { intent: "reply", threadId, body: "Agreed, with a change" })).status).toBe(200);
    const [first, second] = await commentsOf(threadId);

    const notMine = await post("chair", { intent: "edit", commentId: first!.id, body: "Rewritten by someone else" });
    expect(notMine.status).toBe(403);
    expect(await notMine.json()).toMatchObject({ ok: false, error: "FORBIDDEN" });
    expect((await post("member", { intent: "delete", commentId: first!.id })).status).toBe(403);

    expect((await post("secretary", { intent: "edit", commentId: first!.id, body: "Second thought from the secretary" })).status).toBe(200);
    expect((await post("chair", { intent: "delete", commentId: second!.id })).status).toBe(200);
    const after = await commentsOf(threadId);
    expect(after[0]).toMatchObject({ body: "Second thought from the secretary" });
    expect(after[0]!.edited_at).not.toBeNull();
    expect(after[1]!.deleted_at).not.toBeNull();
    // A deleted comment cannot be edited again.
    expect((await post("chair", { intent: "edit", commentId: second!.id, body: "Back again" })).status).toBe(404);

    const html = await page("member", "?comments=all");
    expect(html).toContain("Second thought from the secretary");
    expect(html).toContain("(edited)");
    expect(html).toContain("Comment deleted");
    expect(html).not.toContain("Agreed, with a change");
    const listed = await listThreads(getDb(), documentId, { status: "all", collaboration: server.services.collaboration });
    const deleted = listed.find((thread) => thread.id === threadId)!.comments[1]!;
    expect(deleted).toMatchObject({ deleted: true, body: null });
  });

  it("resolves and reopens a thread, and filters the panel by open and resolved", async () => {
    const threadId = await startThread("member", "A thread to resolve");
    expect((await post("chair", { intent: "resolve", threadId })).status).toBe(200);
    const resolved = await getDb().selectFrom("comment_threads").selectAll().where("id", "=", threadId).executeTakeFirstOrThrow();
    expect(resolved).toMatchObject({ status: "resolved", resolved_by: userIds.chair });

    expect(await page("member")).not.toContain("A thread to resolve");
    expect(await page("member", "?comments=resolved")).toContain("A thread to resolve");
    const open = await listThreads(getDb(), documentId, { status: "open", collaboration: server.services.collaboration });
    expect(open.map((thread) => thread.id)).not.toContain(threadId);

    expect((await post("member", { intent: "reopen", threadId })).status).toBe(200);
    const reopened = await getDb().selectFrom("comment_threads").selectAll().where("id", "=", threadId).executeTakeFirstOrThrow();
    expect(reopened).toMatchObject({ status: "open", resolved_by: null, resolved_at: null });
    expect(await page("member")).toContain("A thread to resolve");
    const actions = await getDb()
      .selectFrom("audit_log")
      .select("action")
      .where("action", "in", ["comment.resolved", "comment.reopened"])
      .where("subject_id", "=", documentId)
      .execute();
    expect(actions.map((row) => row.action).sort()).toEqual(["comment.reopened", "comment.resolved"]);
  });

  it("shows HTML typed in a comment as text, and links only http(s) addresses", async () => {
    await startThread("member", '<script>alert("x")</script> <img src=x onerror=alert(1)> see https://example.org/a?b=1 or javascript:alert(2)');
    const html = await page("chair");
    expect(html).not.toContain('<script>alert("x")</script>');
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toMatch(/<a href="https:\/\/example\.org\/a\?b=1" rel="noopener noreferrer nofollow ugc" target="_blank">https:\/\/example\.org\/a\?b=1<\/a>/);
    expect(html).not.toContain('href="javascript:');
  });

  it("lets the Lead Minister's office comment", async () => {
    const threadId = await startThread("minister", "The office suggests a wording change");
    expect(await commentsOf(threadId)).toMatchObject([{ author_id: userIds.minister }]);
  });

  it("refuses an observer (403) and a consultee without an open consultation (404, as if absent)", async () => {
    const { quote, anchorStart, anchorEnd } = await anchorOverSomeWords();
    const fields = { intent: "create", anchorStart, anchorEnd, quote, body: "May I comment?" };
    const observer = await post("observer", fields);
    expect(observer.status).toBe(403);
    expect(await observer.json()).toMatchObject({ ok: false, error: "FORBIDDEN" });
    expect((await post("ngo", fields)).status).toBe(404);

    // The same answers from the command itself, whatever the transport.
    const { doc, text } = await anchorOverSomeWords();
    const input = {
      documentId,
      anchorStart: encodeAnchor(Y.createRelativePositionFromTypeIndex(text, 0, 0)),
      anchorEnd: encodeAnchor(Y.createRelativePositionFromTypeIndex(text, 3, -1)),
      quote: "abc",
      body: "May I comment?",
    };
    doc.destroy();
    for (const [role, code] of [
      ["observer", "FORBIDDEN"],
      ["ngo", "NOT_FOUND"],
    ] as const) {
      const user = await getDb().selectFrom("users").select(["id", "email", "display_name"]).where("id", "=", userIds[role]).executeTakeFirstOrThrow();
      const actor = await loadActor(getDb(), { id: user.id, email: user.email, displayName: user.display_name, isPlatformAdmin: false });
      const error = await createThread(getDb(), server.services, actor, input).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe(code);
    }
    const bodies = await getDb().selectFrom("comments").select("body").where("body", "=", "May I comment?").execute();
    expect(bodies).toHaveLength(0);
  });

  it("notifies the group members @mentioned by their display name", async () => {
    const before = await getDb().selectFrom("notifications").select("id").where("kind", "=", "comment.mentioned").execute();
    expect(before).toHaveLength(0);
    await startThread("member", "@Sophie Lin and @rāwiri te awa, can you check this? (@Nobody Here)");
    await expect
      .poll(async () =>
        (await getDb().selectFrom("notifications").select(["user_id", "link"]).where("kind", "=", "comment.mentioned").execute())
          .map((row) => row.user_id)
          .sort(),
      )
      .toEqual([userIds.secretary, userIds.chair].sort());
    const rows = await getDb().selectFrom("notifications").select(["link", "title"]).where("kind", "=", "comment.mentioned").execute();
    // The link opens the thread itself, with the resolved threads shown too.
    expect(rows[0]!.link).toMatch(new RegExp(`^${pagePath()}\\?comments=all#thread-[0-9a-f-]{36}$`));
    expect(rows[0]!.title).toContain("Tama Ngata mentioned you");
  });

  it("answers an empty or too long comment with 400 and a field message", async () => {
    const { quote, anchorStart, anchorEnd } = await anchorOverSomeWords();
    const empty = await post("member", { intent: "create", anchorStart, anchorEnd, quote, body: "   " });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ ok: false, error: "INVALID_INPUT", fieldErrors: { body: "Enter a comment" } });
    const long = await post("member", { intent: "create", anchorStart, anchorEnd, quote, body: "x".repeat(4001) });
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({ fieldErrors: { body: "Keep the comment to 4000 characters or fewer" } });
    expect((await post("member", { intent: "create", anchorStart, anchorEnd, quote, body: "x".repeat(4000) })).status).toBe(200);

    const threadId = await startThread("member", "To be edited");
    const [comment] = await commentsOf(threadId);
    const tooLongEdit = await post("member", { intent: "edit", commentId: comment!.id, body: "y".repeat(4001) });
    expect(tooLongEdit.status).toBe(400);
    const badAnchor = await post("member", { intent: "create", anchorStart: "not base64!", anchorEnd, quote, body: "Hello" });
    expect(badAnchor.status).toBe(400);
    expect(await badAnchor.json()).toMatchObject({ fieldErrors: { anchor: "Select the words to comment on again" } });
  });

  it("keeps a thread whose words were deleted, marked as on deleted text with its original quote", async () => {
    // Words that occur nowhere else: a thread is found again by its quote wherever the same words still are.
    const words = "Kākāpō recovery figures are due in the spring report.";
    const seeded = await currentDoc();
    const seededBefore = Y.encodeStateVector(seeded);
    const paragraph = new Y.XmlElement("paragraph");
    const added = new Y.XmlText();
    paragraph.insert(0, [added]);
    seeded.getXmlFragment(COLLAB_FIELD).push([paragraph]);
    added.insert(0, `Noted. ${words} Thanks.`);
    await server.services.collaboration.applyUpdate(documentId, Y.encodeStateAsUpdate(seeded, seededBefore));
    const response = await post("member", {
      intent: "create",
      anchorStart: bytesToBase64(encodeAnchor(Y.createRelativePositionFromTypeIndex(added, 7, 0))),
      anchorEnd: bytesToBase64(encodeAnchor(Y.createRelativePositionFromTypeIndex(added, 7 + words.length, -1))),
      quote: words,
      body: "About words that will go",
    });
    expect(response.status).toBe(200);
    const { threadId } = (await response.json()) as { threadId: string };
    const listedBefore = await listThreads(getDb(), documentId, { status: "open", collaboration: server.services.collaboration });
    const thread = listedBefore.find((candidate) => candidate.id === threadId)!;
    expect(thread.onDeletedText).toBe(false);

    // Someone deletes the anchored words (and a little around them) in the shared document.
    const doc = await currentDoc();
    const before = Y.encodeStateVector(doc);
    const held = doc.getXmlFragment(COLLAB_FIELD).get(doc.getXmlFragment(COLLAB_FIELD).length - 1) as Y.XmlElement;
    (held.get(0) as Y.XmlText).delete(5, words.length + 4);
    await server.services.collaboration.applyUpdate(documentId, Y.encodeStateAsUpdate(doc, before));

    const listedAfter = await listThreads(getDb(), documentId, { status: "open", collaboration: server.services.collaboration });
    const orphan = listedAfter.find((candidate) => candidate.id === threadId)!;
    expect(orphan).toMatchObject({ onDeletedText: true, quote: words });
    const html = await page("member");
    expect(html).toContain("On deleted text");
    expect(html).toContain("About words that will go");
  });

  it("lets a reader follow and stop following the document, and refuses the rest", async () => {
    const postPage = (role: Role, fields: Record<string, string>) =>
      fetch(`${server.url}${pagePath()}?index`, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.origin, cookie: cookies[role] },
        body: new URLSearchParams(fields),
      });
    expect(await page("member")).toContain(">Follow<");
    expect((await postPage("member", { intent: "follow" })).status).toBe(200);
    expect(await page("member")).toContain(">Following<");
    expect((await postPage("member", { intent: "unfollow" })).status).toBe(200);
    expect(await page("member")).toContain(">Follow<");
    // The chair follows without asking; the observer may read, so may follow.
    expect(await page("chair")).toContain(">Following<");
    expect((await postPage("observer", { intent: "follow" })).status).toBe(200);
    // A consultee cannot read the terms of reference: told nothing about it.
    expect((await postPage("ngo", { intent: "follow" })).status).toBe(404);
    // An intent the page does not know.
    expect((await postPage("member", { intent: "follow!" })).status).toBe(400);
  });

  it("takes the @ list's picks by id, ignores ids that are not people who may read, and offers the list", async () => {
    const html = await page("member");
    // The @ list's hint shows where there are people to mention.
    expect(html).toContain("Type @ and a name to mention someone who can read this document.");
    const { quote, anchorStart, anchorEnd } = await anchorOverSomeWords();
    const body = new URLSearchParams({ intent: "create", anchorStart, anchorEnd, quote, body: "@Sophie Lin, see this" });
    body.append("mention", userIds.secretary);
    body.append("mention", userIds.ngo);
    body.append("mention", "not-an-id");
    const response = await fetch(`${server.url}${commentsPath()}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.origin, cookie: cookies.member },
      body,
    });
    expect(response.status).toBe(200);
    const { threadId } = (await response.json()) as { threadId: string };
    const mentions = await getDb()
      .selectFrom("comment_mentions")
      .innerJoin("comments", "comments.id", "comment_mentions.comment_id")
      .select("comment_mentions.user_id")
      .where("comments.thread_id", "=", threadId)
      .execute();
    expect(mentions.map((row) => row.user_id)).toEqual([userIds.secretary]);
  });
});
