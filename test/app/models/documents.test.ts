/**
 * Documents over HTTP against the real server: creating one (with the classification the platform
 * may hold), renaming, archiving (never deleting), who may do each, and the audit entries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";

describe("documents", () => {
  let server: TestServer;
  let groupId: string;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    const group = await server.services.db.selectFrom("groups").select("id").where("code", "=", "SSCSG").executeTakeFirstOrThrow();
    groupId = group.id;
    for (const role of ["chair", "secretary", "member", "minister", "ngo"]) {
      cookies[role] = await signIn(server, `${role}@example.org`);
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  function post(path: string, role: string, fields: Record<string, string>) {
    return fetch(`${server.url}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.origin, cookie: cookies[role]! },
      body: new URLSearchParams(fields),
    });
  }
  const get = (path: string, role: string) => fetch(`${server.url}${path}`, { headers: { cookie: cookies[role]! } });
  const documentsPath = () => `/groups/${groupId}/documents`;

  async function createAs(role: string, fields: Record<string, string>): Promise<string> {
    const response = await post(documentsPath(), role, fields);
    expect(response.status).toBe(302);
    const location = response.headers.get("location") ?? "";
    const id = new RegExp(`^/groups/${groupId}/documents/([0-9a-f-]{36})$`).exec(location)?.[1];
    expect(id).toBeDefined();
    return id!;
  }

  async function auditFor(documentId: string) {
    return server.services.db
      .selectFrom("audit_log")
      .select(["action", "actor_id", "group_id", "details"])
      .where("subject_type", "=", "document")
      .where("subject_id", "=", documentId)
      .orderBy("id")
      .execute();
  }

  it("lists the group's documents with kind, status, classification and an NZ date", async () => {
    const response = await get(documentsPath(), "member");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Terms of reference");
    expect(html).toMatch(/Agenda: [A-Z][a-z]+ \d{4} hui/);
    expect(html).toContain("IN-CONFIDENCE");
    expect(html).toContain("Draft");
    // formatNzDateTime: "Monday 23 November 2026, 10:00 am"
    expect(html).toMatch(/(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} [A-Z][a-z]+ \d{4}, \d{1,2}:\d{2} [ap]m/);
    expect(html).toContain("Start a new document");
  });

  it("creates a document as a member with its kind and classification, and audits it", async () => {
    const id = await createAs("member", { title: "Paper: whānau-centred commissioning", kind: "paper", classification: "SENSITIVE" });
    const row = await server.services.db.selectFrom("documents").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      group_id: groupId,
      title: "Paper: whānau-centred commissioning",
      kind: "paper",
      classification: "SENSITIVE",
      status: "draft",
      archived_at: null,
    });
    const audit = await auditFor(id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "document.created", actor_id: row.created_by, group_id: groupId });
    expect(audit[0]!.details).toMatchObject({ kind: "paper", classification: "SENSITIVE" });

    const page = await (await get(`/groups/${groupId}/documents/${id}`, "member")).text();
    expect(page).toContain("Paper: whānau-centred commissioning");
    // The marking at the top and the bottom of the page.
    expect(page.match(/<p class="classification classification--(top|bottom)"[^>]*>/g)).toHaveLength(2);
    expect(page).toContain('data-classification="SENSITIVE"');
  });

  it("defaults the classification to IN-CONFIDENCE", async () => {
    const id = await createAs("secretary", { title: "Notes from the wānanga", kind: "notes" });
    const row = await server.services.db.selectFrom("documents").select("classification").where("id", "=", id).executeTakeFirstOrThrow();
    expect(row.classification).toBe("IN-CONFIDENCE");
  });

  it("refuses a classification above SENSITIVE with a field error, keeping what was typed", async () => {
    const before = await server.services.db.selectFrom("documents").select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow();
    const response = await post(documentsPath(), "secretary", { title: "Cabinet paper draft", kind: "paper", classification: "SECRET" });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("This platform cannot hold material above SENSITIVE");
    // Each radio button is described by the classification's message.
    expect(html).toMatch(/name="classification"[^>]*aria-describedby="[^"]*classification-error|aria-describedby="[^"]*classification-error[^"]*"[^>]*name="classification"/);
    expect(html).toContain('value="Cabinet paper draft"');
    const after = await server.services.db.selectFrom("documents").select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow();
    expect(Number(after.count)).toBe(Number(before.count));
  });

  it("answers a missing title and kind with 400 and a message for each field", async () => {
    const response = await post(documentsPath(), "secretary", { title: "  ", kind: "minutes", classification: "UNCLASSIFIED" });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Enter a title");
    expect(html).toContain("Choose what kind of document this is");
    expect(html).toMatch(/name="title"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*name="title"/);
  });

  it("refuses the Lead Minister's office creating a document with 403", async () => {
    const response = await post(documentsPath(), "minister", { title: "Not allowed", kind: "notes", classification: "UNCLASSIFIED" });
    expect(response.status).toBe(403);
    const html = await (await get(documentsPath(), "minister")).text();
    expect(html).not.toContain("Start a new document");
  });

  it("does not show a consultee the documents of a group or a document not opened to them", async () => {
    expect((await get(documentsPath(), "ngo")).status).toBe(403);
    const terms = await server.services.db.selectFrom("documents").select("id").where("kind", "=", "terms_of_reference").executeTakeFirstOrThrow();
    expect((await get(`/groups/${groupId}/documents/${terms.id}`, "ngo")).status).toBe(404);
  });

  it("shows a reader who may not edit why the document is read-only", async () => {
    const terms = await server.services.db.selectFrom("documents").select("id").where("kind", "=", "terms_of_reference").executeTakeFirstOrThrow();
    const html = await (await get(`/groups/${groupId}/documents/${terms.id}`, "minister")).text();
    expect(html).toContain("You can read this document; your role does not include editing");
    const editorHtml = await (await get(`/groups/${groupId}/documents/${terms.id}`, "member")).text();
    expect(editorHtml).not.toContain("your role does not include editing");
  });

  it("renames a document and audits the old and new titles", async () => {
    const id = await createAs("member", { title: "Draft agenda", kind: "agenda", classification: "IN-CONFIDENCE" });
    const response = await post(`/groups/${groupId}/documents/${id}?index`, "member", { intent: "rename", title: "Agenda: February 2027 hui" });
    expect(response.status).toBe(302);
    const row = await server.services.db.selectFrom("documents").select("title").where("id", "=", id).executeTakeFirstOrThrow();
    expect(row.title).toBe("Agenda: February 2027 hui");
    const audit = await auditFor(id);
    expect(audit.map((entry) => entry.action)).toEqual(["document.created", "document.renamed"]);
    expect(audit[1]!.details).toEqual({ from: "Draft agenda", to: "Agenda: February 2027 hui" });

    const empty = await post(`/groups/${groupId}/documents/${id}?index`, "member", { intent: "rename", title: "" });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Enter a title");
    const minister = await post(`/groups/${groupId}/documents/${id}?index`, "minister", { intent: "rename", title: "Mine now" });
    expect(minister.status).toBe(403);
  });

  it("archives a document without deleting it, lists it separately and keeps it read-only", async () => {
    const id = await createAs("member", { title: "Old working notes", kind: "notes", classification: "UNCLASSIFIED" });

    const byMember = await post(`/groups/${groupId}/documents/${id}?index`, "member", { intent: "archive" });
    expect(byMember.status).toBe(403);

    const response = await post(`/groups/${groupId}/documents/${id}?index`, "secretary", { intent: "archive" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(new RegExp(`^/groups/${groupId}/documents\\?archived=`));

    const row = await server.services.db.selectFrom("documents").select(["title", "archived_at"]).where("id", "=", id).executeTakeFirstOrThrow();
    expect(row.title).toBe("Old working notes");
    expect(row.archived_at).toBeInstanceOf(Date);

    const audit = await auditFor(id);
    expect(audit.map((entry) => entry.action)).toEqual(["document.created", "document.archived"]);

    const list = await (await get(documentsPath(), "member")).text();
    const archivedSection = list.slice(list.indexOf('id="archived-documents-heading"'));
    const currentSection = list.slice(0, list.indexOf('id="archived-documents-heading"'));
    expect(archivedSection).toContain("Old working notes");
    expect(currentSection).not.toContain("Old working notes");

    const page = await (await get(`/groups/${groupId}/documents/${id}`, "member")).text();
    expect(page).toContain("Archived documents are kept read-only for the record");

    const rename = await post(`/groups/${groupId}/documents/${id}?index`, "member", { intent: "rename", title: "Revived" });
    expect(rename.status).toBe(409);
    const again = await post(`/groups/${groupId}/documents/${id}?index`, "secretary", { intent: "archive" });
    expect(again.status).toBe(409);
    const still = await server.services.db.selectFrom("documents").select("title").where("id", "=", id).executeTakeFirstOrThrow();
    expect(still.title).toBe("Old working notes");
  });

  it("keeps a document submitted for approval editable (its submitted version is frozen apart), but not archivable", async () => {
    const id = await createAs("secretary", { title: "Terms of reference (for submission)", kind: "terms_of_reference" });
    // The status as submitForApproval (app/models/approval-commands.server.ts) leaves it.
    await server.services.db.updateTable("documents").set({ status: "submitted" }).where("id", "=", id).execute();
    const page = await (await get(`/groups/${groupId}/documents/${id}`, "member")).text();
    expect(page).not.toContain("Read only.");
    expect(page).toContain("Submitted for approval");
    const rename = await post(`/groups/${groupId}/documents/${id}?index`, "member", { intent: "rename", title: "Changed after submission" });
    expect(rename.status).toBe(302);
    const archive = await post(`/groups/${groupId}/documents/${id}?index`, "secretary", { intent: "archive" });
    expect(archive.status).toBe(409);
    expect(await archive.text()).toContain("cannot be archived until it is decided");
  });

  it("links each document from the group home and offers all documents", async () => {
    const html = await (await get(`/groups/${groupId}`, "member")).text();
    expect(html).toMatch(new RegExp(`href="/groups/${groupId}/documents/[0-9a-f-]{36}"`));
    expect(html).toContain(`href="/groups/${groupId}/documents"`);
    expect(html).toContain("All documents");
  });
});
