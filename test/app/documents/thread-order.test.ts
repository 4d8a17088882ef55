/**
 * The comments panel lists threads in the order their words appear in the document, not the
 * order they were started: a thread on the last paragraph started first still comes after one on
 * the first paragraph. Threads whose words were deleted come last, oldest first.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import * as Y from "yjs";
import { bytesToBase64, encodeAnchor } from "../../../app/documents/comment-anchors.js";
import { describeEachDatabase } from "../../support/database.js";
import { demoTermsOfReference } from "../../support/demo-records.js";
import { textsInDocumentOrder } from "../../support/document-texts.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";

describeEachDatabase("comment threads in document order", (getDb, getHandle) => {
  let server: TestServer;
  let groupId: string;
  let documentId: string;
  let cookie: string;

  beforeAll(async () => {
    server = await startTestServer({ database: getHandle() });
    const terms = await demoTermsOfReference(getDb());
    documentId = terms.id;
    groupId = terms.group_id;
    cookie = await signIn(server, "member@example.org");
  });
  afterAll(async () => {
    await server?.close();
  });

  const pagePath = () => `/groups/${groupId}/documents/${documentId}`;

  /** Every text in the document holding enough words for an anchor, in document order. */
  async function textsInOrder() {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, await server.services.collaboration.encodeState(documentId));
    const texts = textsInDocumentOrder(doc);
    return texts.filter((text) => text.length > 20);
  }

  async function startThreadOn(text: Y.XmlText, body: string) {
    const plain = text.toDelta().map((op: { insert?: unknown }) => (typeof op.insert === "string" ? op.insert : "")).join("");
    const response = await fetch(`${server.url}${pagePath()}/comments`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.origin, cookie },
      body: new URLSearchParams({
        intent: "create",
        anchorStart: bytesToBase64(encodeAnchor(Y.createRelativePositionFromTypeIndex(text, 1, 0))),
        anchorEnd: bytesToBase64(encodeAnchor(Y.createRelativePositionFromTypeIndex(text, 11, -1))),
        quote: plain.slice(1, 11),
        body,
      }),
    });
    expect(response.status).toBe(200);
  }

  it("lists the threads by where their words are, whatever order they were started in", async () => {
    const texts = await textsInOrder();
    expect(texts.length).toBeGreaterThanOrEqual(3);
    await startThreadOn(texts[texts.length - 1]!, "Thread on the last paragraph");
    await startThreadOn(texts[0]!, "Thread on the first paragraph");
    await startThreadOn(texts[Math.floor(texts.length / 2)]!, "Thread on a middle paragraph");

    const response = await fetch(`${server.url}${pagePath()}`, { headers: { cookie } });
    expect(response.status).toBe(200);
    const html = await response.text();
    const positions = ["first", "middle", "last"].map((where) => html.indexOf(`Thread on ${where === "middle" ? "a middle" : `the ${where}`} paragraph`));
    expect(positions.every((position) => position > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });
});
