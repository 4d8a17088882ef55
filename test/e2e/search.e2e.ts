/**
 * Search in a real browser (issue 23, journey 7): a member presses "/", types "whanau centred"
 * without macrons in the header's search box, and lands on the terms of reference's paragraph,
 * marked and in view; the consultee's same search finds nothing from documents not open to her
 * (every result it gives is one she may open). Axe stays clean on the results and the paragraph.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { expectNoAxeViolations, signedInPeople, visit } from "./support/browser.js";

const baseUrl = inject("baseUrl");

describe("search everywhere: the paragraph for a member, nothing unopened for a consultee", () => {
  let member: Page;
  let ngo: Page;

  signedInPeople(
    baseUrl,
    { member: "member@example.org", ngo: "ngo@example.org" },
    (pages) => {
      ({ member, ngo } = pages);
    },
    { width: 1280, height: 800 },
  );

  it("lets a member press / and search from the header, and lands on the paragraph", async () => {
    await member.locator("body").click({ position: { x: 5, y: 400 } });
    await member.keyboard.press("/");
    const box = member.getByRole("search", { name: "Search everything" }).getByRole("searchbox");
    await expect.poll(() => box.evaluate((element) => element === document.activeElement)).toBe(true);
    await box.fill("whanau centred");
    await Promise.all([member.waitForURL(/\/search\?q=whanau\+centred/), box.press("Enter")]);
    await member.getByRole("heading", { level: 2, name: /results?$/ }).waitFor();
    const result = member
      .locator(".search-result")
      .filter({ has: member.locator(".search-result__kind", { hasText: /^Document ·/ }) })
      .filter({ has: member.getByRole("link", { name: "Terms of reference", exact: true }) });
    await expect.poll(() => result.count()).toBe(1);
    expect(await result.locator("mark").allTextContents()).toEqual(expect.arrayContaining(["whānau", "centred"]));
    await expectNoAxeViolations(member);

    await Promise.all([member.waitForURL(/\/documents\/[0-9a-f-]{36}#paragraph-\d+$/), result.getByRole("link").click()]);
    const target = member.locator(".document-text .paragraph-target");
    await target.waitFor();
    expect(await target.textContent()).toContain("whānau-centred");
    await expect
      .poll(() => target.evaluate((element) => {
        const box = element.getBoundingClientRect();
        return box.top >= 0 && box.bottom <= window.innerHeight;
      }))
      .toBe(true);
    await expectNoAxeViolations(member);
  });

  it("finds the consultee nothing from documents not opened to her", async () => {
    await visit(ngo, `${baseUrl}/search?q=${encodeURIComponent("whanau centred")}`);
    await ngo.getByRole("heading", { level: 2, name: /results?$|Nothing found/ }).waitFor();
    const titles = await ngo.locator(".search-result__title").allTextContents();
    expect(titles).not.toContain("Terms of reference");
    expect(titles.filter((title) => title.startsWith("Agenda"))).toEqual([]);
    // Whatever she is shown, she may open: only documents in consultation with her, and their comments.
    for (const href of await ngo.locator(".search-result__title a").evaluateAll((links) => links.map((link) => link.getAttribute("href")!))) {
      expect(href).toMatch(/^\/groups\/[0-9a-f-]{36}\/documents\/[0-9a-f-]{36}/);
      expect((await ngo.request.get(`${baseUrl}${href}`, { maxRedirects: 0 })).status(), href).toBe(200);
    }
    await expectNoAxeViolations(ngo);
  });
});
