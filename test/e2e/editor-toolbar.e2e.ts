/**
 * The editor's toolbar in a real browser: Undo and Redo buttons (named, reached with the arrow
 * keys like the rest of the toolbar) take back and put back only this person's own typing, and
 * the save status rides with the sticky toolbar, so it is in view wherever one is in the text.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { expectNoAxeViolations, openGroup, screenshot, signedInPeople } from "./support/browser.js";

const baseUrl = inject("baseUrl");
const paperTitle = "Draft recommendation: relational commissioning in practice";

describe("the editor's toolbar: undo, redo and the save status", () => {
  let page: Page;

  signedInPeople(
    baseUrl,
    { secretary: "secretary@example.org" },
    (pages) => {
      page = pages.secretary;
    },
    { width: 1280, height: 700 },
  );
  beforeAll(async () => {
    await openGroup(page);
    await page.goto(`${page.url()}/documents`);
    await Promise.all([page.waitForURL(/\/documents\/[0-9a-f-]{36}$/), page.getByRole("link", { name: paperTitle }).first().click()]);
    await page.getByRole("textbox", { name: "Document text" }).waitFor();
    await page.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();
  });

  const editorText = () => page.getByRole("textbox", { name: "Document text" }).innerText();
  const toolbar = () => page.getByRole("toolbar", { name: "Formatting" });

  it("undoes and redoes the person's own typing from the toolbar, by mouse and by keyboard", async () => {
    const undo = toolbar().getByRole("button", { name: "Undo" });
    const redo = toolbar().getByRole("button", { name: "Redo" });
    await page.getByRole("textbox", { name: "Document text" }).locator("p").first().click();
    await page.keyboard.press("End");
    await page.keyboard.type(" Typed to be undone.");
    await expect.poll(editorText).toContain("Typed to be undone.");

    await undo.click();
    await expect.poll(editorText).not.toContain("Typed to be undone.");
    expect(await redo.getAttribute("aria-disabled")).toBeNull();

    // Keyboard: the toolbar is one tab stop; Home goes to its first button (Undo), → to Redo.
    await undo.focus();
    await page.keyboard.press("ArrowRight");
    expect(await redo.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.press("Enter");
    await expect.poll(editorText).toContain("Typed to be undone.");
    await page.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();
    await expectNoAxeViolations(page);
  });

  it("keeps the save status in view at the top of the window far down the document", async () => {
    const editor = page.getByRole("textbox", { name: "Document text" });
    await editor.locator("p").last().click();
    await page.keyboard.press("End");
    // Enough new lines that the end of the text is well below where the toolbar started.
    for (let line = 1; line <= 30; line++) {
      await page.keyboard.press("Enter");
      await page.keyboard.type(`Note ${line}`);
    }
    // The end of the text at the bottom of the window: far below where the toolbar started.
    await editor.locator("p").last().evaluate((element) => element.scrollIntoView({ block: "end" }));
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(400);
    const status = page.getByRole("status").filter({ hasText: /saved|Saving/ });
    const box = await status.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(700);
    await screenshot(page, "editor-status-in-sticky-toolbar");
  });
});
