/**
 * Journey 3 in a real browser (docs/DOMAIN.md): the secretary opens the draft recommendation for
 * consultation to the NGO representative; she follows the link in her email, reads the paper
 * read-only, selects a sentence and comments on it (the secretary is told live and by email); a
 * member with the paper open sees the thread arrive live, edits right around the sentence while she has it open, and her highlight keeps
 * covering exactly the same words, also when he makes the paragraph a bulleted list and back, splits
 * it outside the sentence and bolds a word inside it (never "on deleted text"); the member replies
 * (she sees it live and has it by email, links made safe, tags shown as text) and she answers that
 * email from her mail programme into the thread; the member @mentions the secretary from the list,
 * and resolves the thread; when the secretary closes the consultation, her page
 * says comments are closed. Axe stays clean on every page she sees.
 */
import nodemailer from "nodemailer";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { linkPath, readOutbox } from "../support/outbox.js";
import { expectNoAxeViolations, openGroup, screenshot, signedInPeople, visit } from "./support/browser.js";

const baseUrl = inject("baseUrl");
const dataDir = inject("dataDir");
const inboundSmtpPort = inject("inboundSmtpPort");
const paperTitle = "Draft recommendation: relational commissioning in practice";
const sentence = "Agencies offer providers contracts of at least three years, with funding that covers the full cost of the service.";
const commentText = "Three years is a start; kaupapa Māori providers asked for five. <b>not bold</b>";
const replyText = "Agreed — see https://example.org/commissioning for the evidence.";
const emailAnswer = "Thank you, Tama. Our members would also like the five-year option costed.";

describe("journey 3: an NGO representative comments on a draft in consultation, anchored to the words she means", () => {
  let secretary: Page;
  let ngo: Page;
  let member: Page;
  let paperPath: string;

  // The NGO representative signs in from the link in her email.
  signedInPeople(baseUrl, { secretary: "secretary@example.org", ngo: null, member: "member@example.org" }, (pages) => {
    ({ secretary, ngo, member } = pages);
  });

  const text = (page: Page) => page.getByRole("textbox", { name: "Document text" });
  const highlighted = async (page: Page) => (await page.locator(".document-text .comment-highlight").allTextContents()).join("");
  const threadOn = (page: Page) => page.locator(".comment-thread").filter({ hasText: commentText });

  it("lets the secretary open the draft recommendation for consultation to the NGO representative", async () => {
    await openGroup(secretary);
    await Promise.all([
      secretary.waitForURL(/\/documents\/[0-9a-f-]{36}$/),
      secretary.getByRole("region", { name: "Documents" }).getByRole("link", { name: paperTitle }).click(),
    ]);
    paperPath = new URL(secretary.url()).pathname;
    await secretary.getByRole("link", { name: "Consultation" }).click();
    await secretary.getByRole("heading", { level: 1, name: "Consultation" }).waitFor();
    await secretary.getByLabel(/Losa Faleolo/).check();
    // A week from today in New Zealand.
    const closesOn = new Intl.DateTimeFormat("en-CA", { timeZone: "Pacific/Auckland" }).format(new Date(Date.now() + 7 * 86_400_000));
    await secretary.getByLabel("Last day for comments").fill(closesOn);
    await secretary.getByLabel("Brief for the consultees").fill("Kia ora Losa, we would value your view on the length of contracts.");
    await secretary.getByRole("button", { name: "Open for consultation" }).click();
    await secretary.getByRole("heading", { level: 2, name: "Open for comments" }).waitFor();
    await expectNoAxeViolations(secretary);
  });

  it("lets the NGO representative follow the emailed link, read the paper read-only and comment on a sentence", async () => {
    await expect
      .poll(async () => (await readOutbox(dataDir)).filter((message) => message.to.includes("ngo@example.org")).length, { timeout: 30_000 })
      .toBeGreaterThan(0);
    const email = (await readOutbox(dataDir)).filter((message) => message.to.includes("ngo@example.org")).at(-1)!;
    const link = linkPath(email.text, `${paperPath.replace(/[0-9a-f-]{36}$/, "")}`);
    expect(link).toBe(paperPath);

    // She is not signed in yet: the link asks her to, then brings her to the paper.
    await visit(ngo, `${baseUrl}${link}`);
    await ngo.getByLabel("Email address").fill("ngo@example.org");
    await ngo.getByLabel("Password").fill("kia-ora-demo");
    await Promise.all([ngo.waitForURL((url) => url.pathname === paperPath), ngo.getByRole("button", { name: "Sign in" }).click()]);
    await text(ngo).getByText(sentence).waitFor();
    expect(await text(ngo).getAttribute("aria-readonly")).toBe("true");
    expect(await text(ngo).getAttribute("contenteditable")).toBe("false");
    await ngo.getByText(/Open for consultation until/).waitFor();

    // The member has the paper open too.
    await visit(member, `${baseUrl}${paperPath}`);
    await text(member).getByText(sentence).waitFor();
    await member.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();

    await text(ngo).getByText(sentence).click({ clickCount: 3 });
    await ngo.getByRole("button", { name: "Comment" }).click();
    await ngo.getByRole("group", { name: "New comment" }).getByText(sentence).waitFor();
    await ngo.getByLabel("Your comment").fill(commentText);
    await ngo.getByRole("button", { name: "Add comment" }).click();
    await threadOn(ngo).waitFor();
    // The secretary opened the consultation, so she follows the paper: told live, on whatever page she is.
    const told = secretary.getByRole("status").filter({ hasText: `Losa Faleolo commented on “${paperTitle}”` });
    await told.waitFor();
    await expect.poll(async () => Number(await secretary.locator(".notifications-link").getAttribute("data-unread-count"))).toBeGreaterThan(0);
    await expectNoAxeViolations(secretary);
    await expect.poll(async () => (await readOutbox(dataDir)).filter((message) => message.to.includes("secretary@example.org") && message.subject.includes("Losa Faleolo commented")).length, { timeout: 30_000 }).toBe(1);
    await expect.poll(() => highlighted(ngo)).toBe(sentence);
    // Comment text is text: the tags typed in it are shown, never rendered.
    expect(await threadOn(ngo).locator("b").count()).toBe(0);
    await threadOn(ngo).getByText("<b>not bold</b>", { exact: false }).waitFor();

    // The member did not reload: the thread arrives over Socket.io, highlighted on the same words.
    await threadOn(member).waitFor();
    await expect.poll(() => highlighted(member)).toBe(sentence);
    await threadOn(member).getByText("Losa Faleolo").waitFor();
    await expectNoAxeViolations(ngo);
  });

  it("keeps the highlight on the same words while the member edits right around the sentence", async () => {
    const paragraph = text(member).locator("p", { hasText: sentence });
    await paragraph.click();
    await member.keyboard.press("Home");
    await member.keyboard.type("First, ", { delay: 5 });
    // The paragraph wraps, so "End" would stop at the end of its first line: put the caret after
    // its last word instead, as a click there would.
    await paragraph.evaluate((element) => {
      const range = document.createRange();
      range.selectNodeContents(element);
      range.collapse(false);
      const selection = window.getSelection()!;
      selection.removeAllRanges();
      selection.addRange(range);
    });
    await member.keyboard.type(" Then review.", { delay: 5 });
    await member.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();
    // Her read-only view follows the edit live, and the anchor follows the words.
    await text(ngo).getByText(`First, ${sentence} Then review.`).waitFor();
    await expect.poll(() => highlighted(ngo)).toBe(sentence);
    await expect.poll(() => highlighted(member)).toBe(sentence);
    await screenshot(ngo, "journey-3-ngo-highlight");
  });

  it("keeps the highlight on exactly the same words when the member makes the paragraph a list and back, splits it and bolds a word", async () => {
    const toolbar = member.getByRole("toolbar", { name: "Formatting" });
    const stillOnTheWords = async () => {
      await member.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();
      // Live over the collaboration socket, and the panel after the re-anchor reaches the server.
      const live = { timeout: 30_000 };
      await expect.poll(() => highlighted(ngo), live).toBe(sentence);
      await expect.poll(() => highlighted(member), live).toBe(sentence);
      await expect.poll(() => threadOn(ngo).getByText("On deleted text").count(), live).toBe(0);
      await expect.poll(() => threadOn(member).getByText("On deleted text").count(), live).toBe(0);
    };
    /** Puts the member's caret (or selection) on `words` inside the block holding them. */
    const selectIn = (words: string, collapseToStart: boolean) =>
      text(member).evaluate(
        (root, [target, collapse]) => {
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.textContent!.indexOf(target as string);
            if (at === -1) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, collapse ? at : at + (target as string).length);
            const selection = window.getSelection()!;
            selection.removeAllRanges();
            selection.addRange(range);
            // The browser tells the editor of a new selection a moment later, in its own event;
            // tell it now, so a key pressed next acts where the selection is.
            document.dispatchEvent(new Event("selectionchange"));
            return;
          }
          throw new Error(`"${target as string}" is not in the text`);
        },
        [words, collapseToStart] as const,
      );

    // A bulleted list (ProseMirror replaces the paragraph, and the relative positions with it)…
    await text(member).locator("p", { hasText: sentence }).click();
    await toolbar.getByRole("button", { name: "Bulleted list" }).click();
    await text(member).locator("li", { hasText: sentence }).waitFor();
    await text(ngo).locator("li", { hasText: sentence }).waitFor();
    await stillOnTheWords();
    // …and back to a paragraph.
    await toolbar.getByRole("button", { name: "Bulleted list" }).click();
    await text(member).locator("p", { hasText: sentence }).waitFor();
    await expect.poll(() => text(ngo).locator("li", { hasText: sentence }).count()).toBe(0);
    await stillOnTheWords();

    // Enter inside the paragraph but outside the quote: "Then review." becomes its own paragraph.
    await text(member).locator("p", { hasText: sentence }).click();
    await selectIn("Then review.", true);
    await expect.poll(() => member.evaluate(() => window.getSelection()?.anchorNode?.textContent ?? "")).toContain("Then review.");
    await member.keyboard.press("Enter");
    const paragraphs = (page: Page) => text(page).locator("p").allTextContents();
    await expect.poll(() => paragraphs(member)).toContain("Then review.");
    // (Her view shows the member's caret, with his name, in the new paragraph.)
    await text(ngo).locator("p").filter({ hasText: "Then review.", hasNotText: "Agencies" }).waitFor();
    await stillOnTheWords();

    // Bold one word inside the quote.
    await selectIn("three", false);
    await member.keyboard.press("Control+b");
    await text(ngo).locator("strong", { hasText: "three" }).waitFor();
    await stillOnTheWords();
    await screenshot(ngo, "journey-3-ngo-highlight-after-structure");
  });

  it("lets the member reply and resolve; the NGO representative sees both live", async () => {
    const thread = threadOn(member);
    await thread.getByLabel("Reply").fill(replyText);
    await thread.getByRole("button", { name: "Reply" }).click();
    await thread.getByRole("link", { name: "https://example.org/commissioning" }).waitFor();
    await threadOn(ngo).getByRole("link", { name: "https://example.org/commissioning" }).waitFor();
    // She took part in the thread, so the reply reaches her by email too, with a link to the thread.
    const replied = () => readOutbox(dataDir).then((messages) => messages.filter((message) => message.to.includes("ngo@example.org") && message.subject.includes("Tama Ngata replied")));
    await expect.poll(async () => (await replied()).length, { timeout: 30_000 }).toBe(1);
    const replyEmail = (await replied())[0]!;
    expect(replyEmail.text).toContain(replyText);
    expect(linkPath(replyEmail.text, paperPath.replace(/[0-9a-f-]{36}$/, ""))).toBe(paperPath);
    expect(replyEmail.text).toContain(`${paperPath}?comments=all#thread-`);
    // She answers it from her mail programme; her words (not the quoted email) appear in the thread, live.
    const replyTo = replyEmail.headers.get("reply-to") ?? "";
    expect(replyTo).toMatch(/^reply\+[a-z2-7]+@stewardship\.example\.govt\.nz$/);
    const mail = nodemailer.createTransport({ host: "127.0.0.1", port: inboundSmtpPort, secure: false, ignoreTLS: true });
    await mail.sendMail({
      from: "Losa Faleolo <ngo@example.org>",
      to: replyTo,
      subject: `Re: ${replyEmail.subject}`,
      text: `${emailAnswer}\n\nOn Mon, 7 Dec 2026 at 10:00, Stewardship Workspace wrote:\n> ${replyText}\n`,
    });
    mail.close();
    await threadOn(ngo).getByText(emailAnswer).waitFor();
    await thread.getByText(emailAnswer).waitFor();
    expect(await thread.getByText(/Stewardship Workspace wrote/).count()).toBe(0);

    // The member @mentions the secretary from the list, by keyboard: she hears of it as a mention.
    const box = thread.getByLabel("Reply");
    await box.click();
    await box.pressSequentially("Sophie, over to you: @sop", { delay: 10 });
    const people = member.getByRole("listbox", { name: "People to mention" });
    await people.getByRole("option", { name: /Sophie Lin/ }).getByText("Ministry of Social Development").waitFor();
    expect(await box.getAttribute("aria-activedescendant")).toBeTruthy();
    await expectNoAxeViolations(member);
    await box.press("Enter");
    await expect.poll(() => box.inputValue()).toBe("Sophie, over to you: @Sophie Lin ");
    await expect.poll(() => people.isHidden()).toBe(true);
    await thread.getByRole("button", { name: "Reply" }).click();
    await thread.getByText("Sophie, over to you: @Sophie Lin").waitFor();
    await secretary.getByRole("status").filter({ hasText: `Tama Ngata mentioned you in a comment on “${paperTitle}”` }).waitFor();

    await thread.getByRole("button", { name: "Resolve" }).click();
    await expect.poll(() => threadOn(ngo).count()).toBe(0);
    await expect.poll(() => highlighted(ngo)).toBe("");
    await ngo.getByRole("navigation", { name: "Show comments" }).getByRole("link", { name: "Resolved" }).click();
    await threadOn(ngo).getByText("Resolved by Tama Ngata").waitFor();
    await screenshot(ngo, "journey-3-ngo-resolved");
    await expectNoAxeViolations(ngo);
  });

  it("shows the secretary every comment in the summary, and tells the NGO representative when comments close", async () => {
    await visit(secretary, `${baseUrl}${paperPath}/consultation/summary`);
    await secretary.getByRole("heading", { level: 1, name: "Summary of comments" }).waitFor();
    await secretary.getByText(commentText).waitFor();
    await secretary.getByText("Social Service Providers Aotearoa").first().waitFor();
    await expectNoAxeViolations(secretary);

    await visit(secretary, `${baseUrl}${paperPath}/consultation`);
    await secretary.getByRole("button", { name: "Close the consultation now" }).click();
    await secretary.getByRole("heading", { level: 2, name: "Closed" }).waitFor();
    // Her page was open on the paper: it moves on by itself and says comments are closed.
    await ngo.waitForURL((url) => url.pathname === `${paperPath}/consultation/closed`);
    await ngo.getByText(/comments are closed/).waitFor();
    await threadOn(ngo).waitFor();
    await screenshot(ngo, "journey-3-ngo-closed");
    await expectNoAxeViolations(ngo);
  });
});
