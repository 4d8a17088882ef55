/**
 * Journey 1 in a real browser (docs/DOMAIN.md): the chair, the secretary and a member open the
 * draft terms of reference, type at once, see each other's names, and end with the same text;
 * the member loses the network, keeps typing, and everything merges when it returns.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { expectNoAxeViolations, launchBrowser, openGroup, screenshot, signInAs } from "./support/browser.js";

const baseUrl = inject("baseUrl");

interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
}

/** The editor's text without other people's caret labels (which sit inside it). */
function editorText(page: Page): Promise<string> {
  return page.getByRole("textbox", { name: "Document text" }).evaluate((element) => {
    const copy = element.cloneNode(true) as HTMLElement;
    for (const caret of copy.querySelectorAll(".collaboration-carets__caret")) caret.remove();
    return copy.innerText;
  });
}

/** Puts the caret at the end of a heading in the editor. */
async function caretAfterHeading(page: Page, heading: string): Promise<void> {
  await page.getByRole("textbox", { name: "Document text" }).getByRole("heading", { name: heading }).click();
  await page.keyboard.press("End");
}

describe("journey 1: three people co-edit the terms of reference, one goes offline, and it all merges", () => {
  let browser: Browser;
  const people: Person[] = [];
  let documentUrl: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    for (const [email, name] of [
      ["chair@example.org", "Rāwiri Te Awa"],
      ["secretary@example.org", "Sophie Lin"],
      ["member@example.org", "Tama Ngata"],
    ] as const) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await signInAs(page, baseUrl, email);
      people.push({ name, context, page });
    }
  });
  afterAll(async () => {
    for (const person of people) await person.context.close();
    await browser?.close();
  });

  const chair = () => people[0]!;
  const secretary = () => people[1]!;
  const member = () => people[2]!;

  it("opens the terms of reference from the group home for all three, editable", async () => {
    const { page } = member();
    await openGroup(page);
    // Once approved terms of reference exist (journey 2 may run first), the title opens the
    // approved text and "Working draft" opens the editor.
    const documents = page.getByRole("region", { name: "Documents" });
    const workingDraft = documents.getByRole("link", { name: "Working draft" });
    await Promise.all([
      page.waitForURL(/\/documents\/[0-9a-f-]{36}$/),
      ((await workingDraft.count()) > 0 ? workingDraft : documents.getByRole("link", { name: "Terms of reference", exact: true })).click(),
    ]);
    documentUrl = page.url();
    await Promise.all([chair().page.goto(documentUrl), secretary().page.goto(documentUrl)]);

    for (const person of people) {
      await person.page.getByRole("heading", { level: 1, name: "Terms of reference", exact: true }).waitFor();
      const editor = person.page.getByRole("textbox", { name: "Document text" });
      await editor.waitFor();
      expect(await editor.getAttribute("contenteditable")).toBe("true");
      await person.page.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();
      await person.page.getByRole("toolbar", { name: "Formatting" }).waitFor();
      // The classification marking at the top and the bottom of the page.
      expect(await person.page.locator("p.classification").allTextContents()).toEqual([
        "Security classification: IN-CONFIDENCE",
        "Security classification: IN-CONFIDENCE",
      ]);
    }
    await screenshot(member().page, "journey-1-opened");
  });

  it("lets all three type at once and ends with the same text on every screen", async () => {
    await caretAfterHeading(chair().page, "2. Background");
    await caretAfterHeading(secretary().page, "5. Roles");
    await member().page.getByRole("textbox", { name: "Document text" }).getByText("through the Social Wellbeing Board.").click();
    await member().page.keyboard.press("End");
    await member().page.keyboard.press("Enter");

    await Promise.all([
      chair().page.keyboard.type(" and context", { delay: 25 }),
      secretary().page.keyboard.type(" and responsibilities", { delay: 25 }),
      member().page.keyboard.type("Kia ora koutou: the group reviews these terms each year.", { delay: 15 }),
    ]);

    await vi.waitFor(
      async () => {
        const texts = await Promise.all(people.map((person) => editorText(person.page)));
        expect(texts[0]).toContain("2. Background and context");
        expect(texts[0]).toContain("5. Roles and responsibilities");
        expect(texts[0]).toContain("Kia ora koutou: the group reviews these terms each year.");
        expect(texts[1]).toBe(texts[0]);
        expect(texts[2]).toBe(texts[0]);
      },
      { timeout: 15_000, interval: 250 },
    );
    for (const person of people) {
      await person.page.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();
    }
  });

  it("shows each person the others' names at their carets", async () => {
    for (const person of people) {
      for (const other of people.filter((candidate) => candidate !== person)) {
        await person.page.locator(".collaboration-carets__label", { hasText: other.name }).waitFor({ state: "visible" });
      }
    }
    await screenshot(chair().page, "journey-1-chair-sees-everyone");
  });

  it("keeps the member's typing while they are offline and merges it when they are back", async () => {
    const { context, page } = member();
    await context.setOffline(true);
    await page.getByRole("status").filter({ hasText: "You are offline — your changes are kept on this device and will be sent when you are back online" }).waitFor();

    await page.keyboard.press("Enter");
    await page.keyboard.type("Typed while offline: hui are held on a marae when the group agrees.", { delay: 10 });
    // Someone online keeps editing meanwhile.
    await chair().page.keyboard.type(", purpose", { delay: 25 });
    await screenshot(page, "journey-1-member-offline");

    // Nobody else has the offline text yet.
    expect(await editorText(chair().page)).not.toContain("Typed while offline");
    expect(await editorText(page)).not.toContain("2. Background and context, purpose");

    await context.setOffline(false);
    await vi.waitFor(
      async () => {
        const texts = await Promise.all(people.map((person) => editorText(person.page)));
        expect(texts[0]).toContain("Typed while offline: hui are held on a marae when the group agrees.");
        expect(texts[0]).toContain("2. Background and context, purpose");
        expect(texts[1]).toBe(texts[0]);
        expect(texts[2]).toBe(texts[0]);
      },
      { timeout: 20_000, interval: 250 },
    );
    for (const person of people) {
      await person.page.getByRole("status").filter({ hasText: "All changes saved" }).waitFor({ timeout: 15_000 });
    }
    await screenshot(page, "journey-1-merged");
  });

  it("keeps everything after a reload, because it was saved on the server", async () => {
    const { page } = secretary();
    await page.reload();
    await page.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();
    await vi.waitFor(async () => {
      const text = await editorText(page);
      expect(text).toContain("Typed while offline: hui are held on a marae when the group agrees.");
      expect(text).toBe(await editorText(chair().page));
    });
  });

  it("has no axe violations on the document page", async () => {
    await expectNoAxeViolations(chair().page);
    await screenshot(chair().page, "journey-1-document-page");
  });
});
