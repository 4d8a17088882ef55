/**
 * Journey 2 in a real browser (docs/DOMAIN.md): the secretary submits the terms of reference and
 * keeps editing the draft; the Lead Minister's office reviews exactly the submitted text, returns
 * it with reasons; the secretary resubmits; the office approves; both see that it is approved.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { expectNoAxeViolations, openGroup, screenshot, signedInPeople, visit } from "./support/browser.js";

const baseUrl = inject("baseUrl");
const laterEdit = "Edited after the submission by the secretary";
const reasons = "Please state the reporting line to the Social Wellbeing Board.";

describe("journey 2: the secretary submits the terms of reference and the Lead Minister's office returns, then approves, that exact version", () => {
  let secretary: Page;
  let minister: Page;
  let documentUrl: string;

  signedInPeople(baseUrl, { secretary: "secretary@example.org", minister: "minister@example.org" }, (pages) => {
    ({ secretary, minister } = pages);
  });

  async function editorReady(page: Page): Promise<void> {
    await page.getByRole("textbox", { name: "Document text" }).waitFor();
    await page.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();
  }

  /** Opens the newest submission from the Lead Minister's office's queue. */
  async function openFromQueue(): Promise<void> {
    await minister.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Approvals" }).click();
    await minister.getByRole("heading", { level: 1, name: "Waiting for approval" }).waitFor();
    const link = minister.locator(".approval-queue").getByRole("link", { name: /Terms of reference, version \d+/ });
    expect(await link.count()).toBe(1);
    await Promise.all([minister.waitForURL(/\/approvals\/[0-9a-f-]{36}$/), link.click()]);
    await minister.getByRole("region", { name: "Submitted text", exact: true }).waitFor();
  }

  it("lets the secretary submit the terms of reference with a cover note, and keep editing the draft", async () => {
    await openGroup(secretary);
    await Promise.all([
      secretary.waitForURL(/\/documents\/[0-9a-f-]{36}$/),
      secretary.getByRole("region", { name: "Documents" }).getByRole("link", { name: "Terms of reference", exact: true }).click(),
    ]);
    documentUrl = secretary.url();
    await editorReady(secretary);
    // The document comes first: its text above the approval form, and on the first screen.
    const textTop = async (page: Page) => (await page.getByRole("textbox", { name: "Document text" }).boundingBox())!.y;
    const coverNote = secretary.getByLabel("Cover note for the Lead Minister's office (optional)");
    expect(await textTop(secretary)).toBeLessThan((await coverNote.boundingBox())!.y);
    expect(await textTop(secretary)).toBeLessThan(600);
    await secretary.setViewportSize({ width: 390, height: 844 });
    await editorReady(secretary);
    expect(await textTop(secretary)).toBeLessThan(844);
    await screenshot(secretary, "journey-2-document-first-390");
    await secretary.setViewportSize({ width: 1280, height: 900 });
    await secretary.getByLabel("Cover note for the Lead Minister's office (optional)").fill("Kia ora: the draft agreed at the December hui.");
    await Promise.all([
      secretary.waitForURL(/\?submitted=1$/),
      secretary.getByRole("button", { name: "Submit for approval" }).click(),
    ]);
    await secretary.getByText(/^Submitted for approval on .+, waiting for the Lead Minister's office$/).waitFor();
    await screenshot(secretary, "journey-2-submitted");

    // The draft stays editable: the secretary types after submitting.
    await editorReady(secretary);
    const editor = secretary.getByRole("textbox", { name: "Document text" });
    expect(await editor.getAttribute("contenteditable")).toBe("true");
    await editor.getByRole("heading").first().click();
    await secretary.keyboard.press("End");
    await secretary.keyboard.press("Enter");
    await secretary.keyboard.type(laterEdit, { delay: 10 });
    await secretary.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();
    expect(await editor.innerText()).toContain(laterEdit);
  });

  it("shows the Lead Minister's office the submitted text, not the later edit, and lets them return it with reasons", async () => {
    await visit(minister, `${baseUrl}/groups`);
    await openFromQueue();
    const submitted = minister.getByRole("region", { name: "Submitted text", exact: true });
    expect(await submitted.innerText()).toContain("Purpose");
    expect(await submitted.innerText()).not.toContain(laterEdit);
    await minister.getByText("Kia ora: the draft agreed at the December hui.").waitFor();
    await minister.getByText("First submission: there is no earlier submission to compare with.").waitFor();
    expect(await minister.locator("p.classification").count()).toBe(2);
    await expectNoAxeViolations(minister);
    await screenshot(minister, "journey-2-review");

    // Returning needs reasons.
    await minister.getByRole("button", { name: "Return with reasons" }).click();
    await minister.getByText("Enter the reasons for returning the terms of reference").waitFor();
    await minister.getByLabel("Reasons for returning it").fill(reasons);
    await Promise.all([
      minister.waitForURL(/\?decided=returned$/),
      minister.getByRole("button", { name: "Return with reasons" }).click(),
    ]);
    await minister.getByText(`Returned: ${reasons}`).waitFor();

    await minister.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Approvals" }).click();
    await minister.getByText("Nothing is waiting for a decision.").waitFor();
    await expectNoAxeViolations(minister);
    await screenshot(minister, "journey-2-queue-empty");
  });

  it("shows the secretary the reasons, and lets them resubmit", async () => {
    await visit(secretary, documentUrl);
    await secretary.getByText(`Returned: ${reasons}`).waitFor();
    await editorReady(secretary);
    await Promise.all([
      secretary.waitForURL(/\?submitted=1$/),
      secretary.getByRole("button", { name: "Submit for approval" }).click(),
    ]);
    await secretary.getByText(/^Submitted for approval on .+, waiting for the Lead Minister's office$/).waitFor();
  });

  it("lets the Lead Minister's office approve the resubmitted version, and both see that it is approved", async () => {
    await visit(minister, `${baseUrl}/groups`);
    await openFromQueue();
    await expectNoAxeViolations(minister);
    const submitted = minister.getByRole("region", { name: "Submitted text", exact: true });
    expect(await submitted.innerText()).toContain(laterEdit);
    // Did they make the changes asked for? Compared with the returned submission, its reasons beside it.
    expect(await minister.getByText("First submission").count()).toBe(0);
    const reasonsBeside = minister.getByRole("complementary", { name: /Why version \d+ was returned/ });
    await reasonsBeside.getByText(reasons).waitFor();
    const changes = minister.getByRole("region", { name: "Changes since the returned submission" });
    expect(await changes.locator("ins").allInnerTexts()).toEqual([expect.stringContaining(laterEdit)]);
    // Beside, not above, on a desktop.
    const [aside, diff] = [(await reasonsBeside.boundingBox())!, (await changes.boundingBox())!];
    expect(aside.x + aside.width).toBeLessThanOrEqual(diff.x);
    await expectNoAxeViolations(minister);
    await screenshot(minister, "journey-2-review-resubmission");
    await Promise.all([
      minister.waitForURL(/\?decided=approved$/),
      minister.getByRole("button", { name: /^Approve version \d+$/ }).click(),
    ]);
    await minister.getByText(/^Approved on \d{1,2} [A-Z][a-z]+ \d{4} by the Lead Minister's office\.$/).waitFor();
    await screenshot(minister, "journey-2-approved-minister");

    await visit(secretary, documentUrl);
    await secretary.getByText(/^Approved on \d{1,2} [A-Z][a-z]+ \d{4} by the Lead Minister's office$/).waitFor();
    await secretary.getByRole("link", { name: /Read the approved version/ }).waitFor();
    await screenshot(secretary, "journey-2-approved-secretary");

    // The print view of the approved version says what it is now, not "Submitted for approval".
    await secretary.getByRole("link", { name: /Read the approved version/ }).click();
    await secretary.getByRole("heading", { level: 1, name: "Terms of reference (approved version)" }).waitFor();
    await Promise.all([secretary.waitForURL(/\/print$/), secretary.getByRole("link", { name: /print/i }).first().click()]);
    const subtitle = await secretary.locator(".print-view__subtitle").innerText();
    expect(subtitle).toMatch(/Version \d+: approved on \d{1,2} [A-Z][a-z]+ \d{4} by the Lead Minister's office \(Alex Morgan\)\./);
    expect(subtitle).not.toContain("Submitted for approval");
    await screenshot(secretary, "journey-2-approved-print");
    await visit(secretary, documentUrl);
  });

  it("keeps the approved version apart from the working draft, and lists every submission and decision", async () => {
    await editorReady(secretary);
    const editor = secretary.getByRole("textbox", { name: "Document text" });
    await editor.getByRole("heading").first().click();
    await secretary.keyboard.press("End");
    await secretary.keyboard.type(" (amended)", { delay: 10 });
    await secretary.getByRole("status").filter({ hasText: "All changes saved" }).waitFor();
    await visit(secretary, documentUrl);
    await secretary.getByText("Working draft — differs from the approved version.").waitFor();

    await secretary.getByRole("link", { name: /Read the approved version/ }).click();
    await secretary.getByRole("heading", { level: 1, name: "Terms of reference (approved version)" }).waitFor();
    expect(await secretary.getByRole("region", { name: "Approved text" }).innerText()).not.toContain("(amended)");

    await secretary.getByRole("link", { name: "Approval history" }).click();
    await secretary.getByRole("heading", { level: 1, name: "Approval history" }).waitFor();
    await secretary.getByText(reasons).first().waitFor();
    expect(await secretary.locator(".submission-history > li").count()).toBe(2);
    await expectNoAxeViolations(secretary);
    await screenshot(secretary, "journey-2-history");
  });
});
