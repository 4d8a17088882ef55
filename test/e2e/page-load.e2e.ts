/**
 * What a member on a slow connection sees (issue 21): the terms of reference editor page loaded
 * over Chromium's network emulation at "Fast 3G" (1.6 Mbit/s down, 750 kbit/s up, 150 ms latency).
 * It prints how long the document's text took to be visible and editable, on a first visit (empty
 * cache) and a repeat visit (the hashed assets cached as immutable). The times depend on the
 * machine, so nothing is asserted about them: only that the text becomes editable.
 */
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, signInAs } from "./support/browser.js";

const baseUrl = inject("baseUrl");

const fast3g = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1024 * 1024) / 8,
  uploadThroughput: (750 * 1024) / 8,
};

describe("the editor page on a slow connection", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let editorUrl: string;
  const times: Record<string, number> = {};

  beforeAll(async () => {
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    // Signed in and the page found at full speed; the cache is then emptied for the first visit.
    await signInAs(page, baseUrl, "member@example.org");
    await page.getByRole("link", { name: "Social Sector Commissioning Stewardship Group" }).click();
    await page.getByRole("heading", { level: 1, name: "Social Sector Commissioning Stewardship Group" }).waitFor();
    await page.goto(`${page.url()}/documents`);
    await Promise.all([page.waitForURL(/\/documents\/[0-9a-f-]{36}$/), page.getByRole("link", { name: "Terms of reference", exact: true }).first().click()]);
    editorUrl = page.url();
    await page.goto("about:blank");
    cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.clearBrowserCache");
    await cdp.send("Network.emulateNetworkConditions", fast3g);
  });
  afterAll(async () => {
    process.stdout.write(
      `\nEditor page on Fast 3G (1.6 Mbit/s, 150 ms): first visit ${times.first ?? "–"} ms, repeat visit ${times.repeat ?? "–"} ms until the text is visible and editable\n`,
    );
    await context?.close();
    await browser?.close();
  });

  /** Navigates to the editor page and waits until its text is shown in an editable editor. */
  async function loadUntilEditable(): Promise<number> {
    const started = Date.now();
    await page.goto(editorUrl, { waitUntil: "commit" });
    const editor = page.getByRole("textbox", { name: "Document text" });
    await editor.waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      () => {
        const element = document.querySelector<HTMLElement>('[contenteditable="true"][aria-label="Document text"]');
        return element !== null && element.isContentEditable && (element.textContent ?? "").trim().length > 0;
      },
      undefined,
      { timeout: 60_000, polling: 50 },
    );
    const elapsed = Date.now() - started;
    expect(await editor.isEditable()).toBe(true);
    expect((await editor.innerText()).trim().length).toBeGreaterThan(0);
    return elapsed;
  }

  it("shows the terms of reference editable on a first visit, with an empty cache", async () => {
    times.first = await loadUntilEditable();
  }, 90_000);

  it("shows it editable again on a repeat visit, the build's assets from the cache", async () => {
    await page.goto("about:blank");
    times.repeat = await loadUntilEditable();
  }, 90_000);
});
