/**
 * Journey 3 in a real browser (anchored comments): a member selects a sentence and comments on
 * it; the chair, with the same document open, sees the thread arrive live; the chair edits right
 * around the sentence and the member's highlight still covers exactly the same words; the chair
 * replies and resolves, and the member sees the thread leave the open list. Axe stays clean.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, screenshot, signInAs } from "./support/browser.js";

const baseUrl = inject("baseUrl");
const groupName = "Social Sector Commissioning Stewardship Group";
const sentence = "Journey three: the group meets on the first Tuesday of each month.";
const commentText = "Can we say which marae hosts the hui? <b>not bold</b>";
const replyText = "Yes — see https://example.org/venues for the list.";

describe("journey 3: comments anchored to the words they are about", () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let member: Page;
  let chair: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    for (const _ of [0, 1]) contexts.push(await browser.newContext({ viewport: { width: 1280, height: 900 } }));
    member = await contexts[0]!.newPage();
    chair = await contexts[1]!.newPage();
    await signInAs(member, baseUrl, "member@example.org");
    await signInAs(chair, baseUrl, "chair@example.org");
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
  });

  async function openTerms(page: Page): Promise<void> {
    await page.getByRole("link", { name: groupName }).click();
    await page.getByRole("heading", { level: 1, name: groupName }).waitFor();
    const documents = page.getByRole("region", { name: "Documents" });
    const workingDraft = documents.getByRole("link", { name: "Terms of reference (working draft)" });
    await Promise.all([
      page.waitForURL(/\/documents\/[0-9a-f-]{36}$/),
      ((await workingDraft.count()) > 0 ? workingDraft : documents.getByRole("link", { name: "Terms of reference", exact: true })).click(),
    ]);
    await page.getByRole("textbox", { name: "Document text" }).waitFor();
    await page.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();
  }

  const highlighted = async (page: Page) => (await page.locator(".document-text .comment-highlight").allTextContents()).join("");

  it("lets a member select a sentence and comment on it; the chair sees it arrive live", async () => {
    await openTerms(member);
    await openTerms(chair);
    const text = member.getByRole("textbox", { name: "Document text" });
    // The member writes the sentence as its own paragraph, then selects it.
    await text.locator("p").last().click();
    await member.keyboard.press("End");
    await member.keyboard.press("Enter");
    await member.keyboard.type(sentence, { delay: 5 });
    await member.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();
    await chair.getByRole("textbox", { name: "Document text" }).getByText(sentence).waitFor();
    await text.getByText(sentence).click({ clickCount: 3 });

    await member.locator(".editor-comment__button").click();
    await member.getByRole("group", { name: "New comment" }).getByText(sentence).waitFor();
    await member.getByLabel("Your comment").fill(commentText);
    await member.getByRole("button", { name: "Add comment" }).click();

    const memberThread = member.locator(".comment-thread").filter({ hasText: commentText });
    await memberThread.waitFor();
    await expect.poll(() => highlighted(member)).toBe(sentence);
    // The chair did not reload: the thread arrives over Socket.io.
    await chair.locator(".comment-thread").filter({ hasText: commentText }).waitFor();
    await expect.poll(() => highlighted(chair)).toBe(sentence);
    await expectNoAxeViolations(member);
  });

  it("keeps the highlight on the same words while the chair edits right around them", async () => {
    const paragraph = chair.getByRole("textbox", { name: "Document text" }).getByText(sentence);
    await paragraph.click();
    await chair.keyboard.press("Home");
    await chair.keyboard.type("Before. ", { delay: 5 });
    await chair.keyboard.press("End");
    await chair.keyboard.type(" After.", { delay: 5 });
    await member.getByRole("textbox", { name: "Document text" }).getByText(`Before. ${sentence} After.`).waitFor();
    await expect.poll(() => highlighted(member)).toBe(sentence);
    await expect.poll(() => highlighted(chair)).toBe(sentence);
    await screenshot(member, "journey-3-highlight");
  });

  it("lets the chair reply and resolve; the member sees it leave the open comments", async () => {
    const thread = chair.locator(".comment-thread").filter({ hasText: commentText });
    await thread.getByLabel("Reply").fill(replyText);
    await thread.getByRole("button", { name: "Reply" }).click();
    await thread.getByRole("link", { name: "https://example.org/venues" }).waitFor();
    // Comment text is text: the tags typed in it are shown, never rendered.
    expect(await thread.locator("b").count()).toBe(0);
    await member.locator(".comment-thread").filter({ hasText: commentText }).getByRole("link", { name: "https://example.org/venues" }).waitFor();

    await thread.getByRole("button", { name: "Resolve" }).click();
    await expect.poll(() => member.locator(".comment-thread").filter({ hasText: commentText }).count()).toBe(0);
    await expect.poll(() => highlighted(member)).toBe("");
    await member.getByRole("navigation", { name: "Show comments" }).getByRole("link", { name: "Resolved" }).click();
    await member.locator(".comment-thread").filter({ hasText: commentText }).getByText("Resolved by Rāwiri Te Awa").waitFor();
    await expectNoAxeViolations(member);
  });
});
