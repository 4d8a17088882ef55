/**
 * Exports of a document version: the Word file is read back (unzipped with a small reader below,
 * so the test does not lean on the docx package's own dependencies) and its text, macrons, nested
 * numbering, classification marking in every header and footer, and approval block are checked;
 * over HTTP, who may download it, and the print view with the marking at the top and bottom.
 */
import zlib from "node:zlib";
import * as Y from "yjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLLAB_FIELD } from "../../../app/documents/content.js";
import { versionToDocx } from "../../../app/exports/docx.server.js";
import { exportFileName } from "../../../app/exports/version-export.server.js";
import { demoTermsOfReference } from "../../support/demo-records.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";

/** The files of a zip archive by name: enough of the format (central directory, stored or deflated). */
function unzip(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let end = archive.length - 22;
  while (end >= 0 && archive.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error("not a zip archive");
  const count = archive.readUInt16LE(end + 10);
  let entry = archive.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(entry) !== 0x02014b50) throw new Error("bad central directory entry");
    const method = archive.readUInt16LE(entry + 10);
    const compressedSize = archive.readUInt32LE(entry + 20);
    const nameLength = archive.readUInt16LE(entry + 28);
    const extraLength = archive.readUInt16LE(entry + 30);
    const commentLength = archive.readUInt16LE(entry + 32);
    const localHeader = archive.readUInt32LE(entry + 42);
    const name = archive.toString("utf8", entry + 46, entry + 46 + nameLength);
    const dataStart = localHeader + 30 + archive.readUInt16LE(localHeader + 26) + archive.readUInt16LE(localHeader + 28);
    const data = archive.subarray(dataStart, dataStart + compressedSize);
    files.set(name, method === 0 ? Buffer.from(data) : zlib.inflateRawSync(data));
    entry += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

/** The text of each paragraph (w:p) of a WordprocessingML part, in order. */
function paragraphs(xml: string): string[] {
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((match) =>
    [...match[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((text) => decodeXml(text[1]!)).join(""),
  );
}

function decodeXml(value: string): string {
  return value
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** The paragraph XML whose text is `text`. */
function paragraphXml(xml: string, text: string): string {
  const found = [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].find((match) => paragraphs(match[0])[0] === text);
  if (!found) throw new Error(`no paragraph "${text}"`);
  return found[0];
}

function element(name: string, attributes: Record<string, string | number>, children: (Y.XmlElement | Y.XmlText)[]) {
  const node = new Y.XmlElement(name);
  for (const [key, value] of Object.entries(attributes)) (node as Y.XmlElement<Record<string, string | number>>).setAttribute(key, value);
  node.insert(0, children);
  return node;
}
function text(value: string, attributes?: Record<string, object>) {
  const node = new Y.XmlText();
  node.insert(0, value, attributes);
  return node;
}
const paragraph = (value: string | Y.XmlText[]) => element("paragraph", {}, typeof value === "string" ? [text(value)] : value);
const item = (...children: Y.XmlElement[]) => element("listItem", {}, children);

/** Terms of reference with macrons, marks, and a numbered list nested three deep. */
function termsOfReference(): Uint8Array {
  const doc = new Y.Doc();
  doc.getXmlFragment(COLLAB_FIELD).insert(0, [
    element("heading", { level: 1 }, [text("Purpose")]),
    paragraph([text("The group supports "), text("whānau", { bold: {} }), text(" and "), text("Māori", { italic: {} }), text(" communities.")]),
    element("heading", { level: 2 }, [text("Membership")]),
    element("orderedList", { start: 1 }, [
      item(
        paragraph("Te Tūāpapa Kura Kāinga"),
        element("orderedList", { start: 1 }, [
          item(paragraph("Housing policy"), element("orderedList", { start: 1 }, [item(paragraph("Kāinga Ora liaison"))])),
          item(paragraph("Regional housing")),
        ]),
      ),
      item(paragraph("Te Puni Kōkiri")),
    ]),
    element("bulletList", {}, [item(paragraph("Meets every two months"), element("bulletList", {}, [item(paragraph("On a marae when it can"))]))]),
  ]);
  return Y.encodeStateAsUpdate(doc);
}

describe("the Word export of a version", () => {
  let files: Map<string, Buffer>;
  let body: string;

  beforeAll(async () => {
    const docx = await versionToDocx({
      title: "Terms of reference: Whānau Wellbeing Stewardship Group",
      groupName: "Social Sector Commissioning Stewardship Group",
      classification: "IN-CONFIDENCE",
      content: termsOfReference(),
      approval: { approvedOn: "2027-03-14", approvedBy: "the Lead Minister's office", hash: "ab12".repeat(16) },
    });
    files = unzip(docx);
    body = files.get("word/document.xml")!.toString("utf8");
  });

  it("is a Word document with the title, headings and text, macrons intact", () => {
    expect(files.has("[Content_Types].xml")).toBe(true);
    const lines = paragraphs(body);
    expect(lines[0]).toBe("Terms of reference: Whānau Wellbeing Stewardship Group");
    expect(lines).toContain("Social Sector Commissioning Stewardship Group");
    expect(lines).toContain("Purpose");
    expect(lines).toContain("The group supports whānau and Māori communities.");
    expect(lines).toContain("Te Tūāpapa Kura Kāinga");
    expect(lines).toContain("Kāinga Ora liaison");
    expect(paragraphXml(body, "Purpose")).toContain('<w:pStyle w:val="Heading1"/>');
    expect(paragraphXml(body, "Membership")).toContain('<w:pStyle w:val="Heading2"/>');
  });

  it("keeps bold and italic", () => {
    const purpose = paragraphXml(body, "The group supports whānau and Māori communities.");
    expect(purpose).toMatch(/<w:r><w:rPr><w:b\/><w:bCs\/><\/w:rPr><w:t[^>]*>whānau<\/w:t>/);
    expect(purpose).toMatch(/<w:r><w:rPr><w:i\/><w:iCs\/><\/w:rPr><w:t[^>]*>Māori<\/w:t>/);
  });

  it("numbers nested lists 1, 1.1, 1.1.1 and bullets nested bullets", () => {
    const level = (line: string) => /<w:ilvl w:val="(\d)"\/>/.exec(paragraphXml(body, line))?.[1];
    expect(level("Te Tūāpapa Kura Kāinga")).toBe("0");
    expect(level("Housing policy")).toBe("1");
    expect(level("Kāinga Ora liaison")).toBe("2");
    expect(level("Te Puni Kōkiri")).toBe("0");
    expect(level("On a marae when it can")).toBe("1");
    const numbering = files.get("word/numbering.xml")!.toString("utf8");
    expect(numbering).toContain('<w:lvlText w:val="%1."/>');
    expect(numbering).toContain('<w:lvlText w:val="%1.%2."/>');
    expect(numbering).toContain('<w:lvlText w:val="%1.%2.%3."/>');
    // The numbered and bulleted items use different numbering definitions.
    const numId = (line: string) => /<w:numId w:val="(\d+)"\/>/.exec(paragraphXml(body, line))?.[1];
    expect(numId("Housing policy")).toBe(numId("Te Tūāpapa Kura Kāinga"));
    expect(numId("On a marae when it can")).not.toBe(numId("Te Tūāpapa Kura Kāinga"));
  });

  it("marks the classification in the header and footer of every page", () => {
    const headers = [...files.keys()].filter((name) => /^word\/header\d*\.xml$/.test(name));
    const footers = [...files.keys()].filter((name) => /^word\/footer\d*\.xml$/.test(name));
    expect(headers.length).toBeGreaterThan(0);
    expect(footers.length).toBeGreaterThan(0);
    for (const part of [...headers, ...footers]) expect(paragraphs(files.get(part)!.toString("utf8"))).toContain("IN-CONFIDENCE");
    // The section's default header and footer apply to every page (no first-page exception).
    expect(body).toMatch(/<w:headerReference w:type="default"/);
    expect(body).toMatch(/<w:footerReference w:type="default"/);
    expect(body).not.toContain("<w:titlePg");
  });

  it("ends with the approval block: who, when and the content hash", () => {
    const lines = paragraphs(body);
    expect(lines.slice(-3)).toEqual([
      "Approval",
      "Approved by the Lead Minister's office on 14 March 2027",
      `Content hash (SHA-256): ${"ab12".repeat(16)}`,
    ]);
  });

  it("has no approval block for a version that is not approved", async () => {
    const docx = unzip(
      await versionToDocx({ title: "Draft", groupName: "Group", classification: "UNCLASSIFIED", content: termsOfReference() }),
    );
    expect(paragraphs(docx.get("word/document.xml")!.toString("utf8")).join("\n")).not.toContain("Approved by");
  });

  it("names the file safely", () => {
    expect(exportFileName("Terms of reference: Whānau \"Wellbeing\"/../x", 3, "docx")).toBe("terms-of-reference-whanau-wellbeing-x-v3.docx");
    expect(exportFileName("ā", 1, "docx")).toBe("a-v1.docx");
    expect(exportFileName("!!!", 1, "docx")).toBe("document-v1.docx");
  });
});

describe("exports over HTTP", () => {
  let server: TestServer;
  let base: string;
  const cookies = new Map<string, string>();
  const get = async (path: string, email: string) => {
    if (!cookies.has(email)) cookies.set(email, await signIn(server, email));
    return fetch(`${server.url}${path}`, { headers: { cookie: cookies.get(email)! }, redirect: "manual" });
  };

  beforeAll(async () => {
    server = await startTestServer();
    const terms = await demoTermsOfReference(server.services.db);
    base = `/groups/${terms.group_id}/documents/${terms.id}`;
    const cookie = await signIn(server, "member@example.org");
    cookies.set("member@example.org", cookie);
    const saved = await fetch(`${server.url}${base}/versions?index`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
      body: new URLSearchParams({ intent: "save", name: "For the Minister" }),
    });
    expect(await saved.text()).toContain("Saved as version 1");
  });
  afterAll(async () => {
    await server?.close();
  });

  it("downloads a version as a Word document for a member, with the marking in its header", async () => {
    const response = await get(`${base}/versions/1/export.docx`, "member@example.org");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="[a-z0-9-]+-v1\.docx"$/);
    expect(response.headers.get("cache-control")).toBe("private, no-cache");
    const files = unzip(Buffer.from(await response.arrayBuffer()));
    const header = [...files.entries()].find(([name]) => name.startsWith("word/header"))![1].toString("utf8");
    expect(paragraphs(header)).toContain("IN-CONFIDENCE");
  });

  it("refuses a consultee the document's exports as it refuses the document (not found)", async () => {
    expect((await get(`${base}/versions/1/export.docx`, "ngo@example.org")).status).toBe(404);
    expect((await get(`${base}/versions/1/print`, "ngo@example.org")).status).toBe(404);
  });

  it("answers not found for a version that does not exist", async () => {
    expect((await get(`${base}/versions/99/export.docx`, "member@example.org")).status).toBe(404);
    expect((await get(`${base}/versions/x/print`, "member@example.org")).status).toBe(404);
  });

  it("shows a print view with the classification marking at the top and bottom", async () => {
    const response = await get(`${base}/versions/1/print`, "member@example.org");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html.match(/data-classification="IN-CONFIDENCE"/g)).toHaveLength(2);
    expect(html).toContain("classification--top");
    expect(html).toContain("classification--bottom");
    expect(html).toContain("Print or save as PDF");
  });

  it("links the exports from the version page", async () => {
    const html = await (await get(`${base}/versions/1`, "member@example.org")).text();
    expect(html).toContain(`href="${base}/versions/1/export.docx"`);
    expect(html).toContain("Download Word document");
    expect(html).toContain(`href="${base}/versions/1/print"`);
  });
});
