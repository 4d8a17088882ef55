/**
 * The search page and the header's search box over real HTTP, on the demo group: a member finds
 * the terms of reference's paragraph with its words highlighted; the consultee (no document open
 * to them) and the platform administrator find nothing of the group; signed out is sent to sign in.
 */
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { seedDemo } from "../../../server/seed-demo.js";
import { appendParagraph, connectClient, documentIdOfKind } from "../../server/collab/collab-clients.js";
import { describeEachDatabase } from "../../support/database.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";

describeEachDatabase("the search page", (getDb, getHandle) => {
  let server: TestServer;
  const cookies = new Map<string, string>();
  const get = (path: string, who?: string) =>
    fetch(`${server.url}${path}`, { redirect: "manual", headers: who ? { Cookie: cookies.get(who)! } : {} });

  beforeAll(async () => {
    await seedDemo(getDb());
    server = await startTestServer({ database: getHandle() });
    for (const who of ["member", "ngo", "admin", "minister"]) cookies.set(who, await signIn(server, `${who}@example.org`));
  });
  afterAll(async () => {
    await server?.close();
  });

  it("has a search landmark in the header of signed-in pages, and none signed out", async () => {
    const page = await (await get("/groups", "member")).text();
    expect(page).toMatch(/<form[^>]*role="search"[^>]*aria-label="Search everything"/);
    expect(page).toContain('aria-keyshortcuts="/"');
    const login = await (await get("/login")).text();
    expect(login).not.toContain('aria-label="Search everything"');
  });

  it("finds the paragraph for a member, with the matched words highlighted", async () => {
    const response = await get(`/search?q=${encodeURIComponent("whanau centred")}`, "member");
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toMatch(/href="\/groups\/[0-9a-f-]+\/documents\/[0-9a-f-]+#paragraph-\d+"/);
    expect(page).toContain("<mark>whānau</mark>");
    expect(page).toContain("<mark>centred</mark>");
  });

  it("finds nothing of the group for the consultee with no document open to them, nor for the administrator", async () => {
    for (const who of ["ngo", "admin"]) {
      const page = await (await get(`/search?q=${encodeURIComponent("whanau centred")}`, who)).text();
      expect(page).toContain("Nothing found");
      expect(page).not.toContain("<mark>");
    }
  });

  it("filters by kind", async () => {
    expect(await (await get(`/search?q=whanau&kind=document`, "member")).text()).toContain("#paragraph-");
    const comments = await (await get(`/search?q=whanau&kind=comment`, "member")).text();
    expect(comments).not.toContain("#paragraph-");
  });

  it("finds what was just typed into a document, once the endpoint has saved its rendering", async () => {
    const termsId = await documentIdOfKind(getDb(), "terms_of_reference");
    const client = connectClient(server.url, termsId, cookies.get("member")!);
    try {
      await vi.waitFor(() => expect(client.provider.synced).toBe(true), { timeout: 15_000 });
      appendParagraph(client.doc, "Kotahitanga is how the group works together.");
      await vi.waitFor(() => expect(client.savedClock()).toBeGreaterThanOrEqual(client.ownClock()), { timeout: 15_000 });
      const lines = client.text().split("\n").filter((line) => line.trim().length > 0).length;
      // The rendering is saved at most every 5 s while people type: that is the debounce.
      await vi.waitFor(
        async () => {
          const page = await (await get("/search?q=kotahitanga", "member")).text();
          expect(page).toContain(`/documents/${termsId}#paragraph-${lines}"`);
        },
        { timeout: 15_000, interval: 250 },
      );
      expect(await (await get("/search?q=kotahitanga", "ngo")).text()).toContain("Nothing found");
    } finally {
      client.destroy();
    }
  });

  it("sends a signed-out person to sign in", async () => {
    const response = await get("/search?q=whanau");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
  });
});
