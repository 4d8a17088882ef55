/**
 * The identity pages in a real browser, as each role meets them: members and their history,
 * the invitation form, my account, the administration pages and the audit log, forgotten
 * password. Each page is checked by axe (WCAG 2.2 AA); roles see what they should and no more.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { expectNoAxeViolations, freshPageForEachTest, groupName, screenshot, signInAs, visit } from "./support/browser.js";

const baseUrl = inject("baseUrl");

describe("identity pages in a browser", () => {
  let page: Page;
  freshPageForEachTest((opened) => {
    page = opened;
  });

  async function groupPath(): Promise<string> {
    const href = await page.getByRole("link", { name: groupName }).first().getAttribute("href");
    if (!href) throw new Error("no group link");
    return href;
  }

  it("shows the secretary current and past members, and the members on a date", async () => {
    await signInAs(page, baseUrl, "secretary@example.org");
    const group = await groupPath();
    await visit(page, `${baseUrl}${group}/members`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    const body = await page.locator("main").innerText();
    expect(body).toContain("Hemi Walker");
    expect(body).toContain("Whaikaha – Ministry of Disabled People");
    await expectNoAxeViolations(page);
    await page.getByLabel("Date", { exact: true }).fill("2026-08-15");
    await Promise.all([page.waitForURL(/on=2026-08-15/), page.getByRole("button", { name: /show|members on/i }).first().click()]);
    const onDate = await page.locator("main").innerText();
    expect(onDate).toContain("Hemi Walker");
    await screenshot(page, "members-on-date");
    await expectNoAxeViolations(page);
  });

  it("lets the chair open the invitation form, with field messages for a bad email", async () => {
    await signInAs(page, baseUrl, "chair@example.org");
    const group = await groupPath();
    await visit(page, `${baseUrl}${group}/invite`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel(/email/i).first().fill("not-an-email");
    await page.getByRole("button", { name: /invit/i }).first().click();
    await page.locator(".field-error, [role=alert]").first().waitFor();
    await screenshot(page, "invite-errors");
    await expectNoAxeViolations(page);
  });

  it("refuses the invitation form and the member list to a consultee", async () => {
    await signInAs(page, baseUrl, "ngo@example.org");
    const group = await groupPath();
    const invite = await page.goto(`${baseUrl}${group}/invite`);
    expect(invite?.status()).toBe(403);
    const members = await page.goto(`${baseUrl}${group}/members`);
    expect(members?.status()).toBe(403);
    await expectNoAxeViolations(page);
  });

  it("shows a member their account with devices and password change", async () => {
    await signInAs(page, baseUrl, "member@example.org");
    await visit(page, `${baseUrl}/account`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    expect(await page.locator("main").innerText()).toContain("member@example.org");
    await screenshot(page, "account");
    await expectNoAxeViolations(page);
  });

  it("gives the platform administrator the administration pages but not the group's documents", async () => {
    await signInAs(page, baseUrl, "admin@example.org");
    for (const path of ["/admin", "/admin/organisations", "/admin/groups", "/admin/accounts", "/admin/audit"]) {
      await visit(page, `${baseUrl}${path}`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      await expectNoAxeViolations(page);
    }
    expect(await page.locator("main").innerText()).toContain("auth.sign_in");
    await screenshot(page, "admin-audit");
  });

  it("refuses the administration pages to a chair", async () => {
    await signInAs(page, baseUrl, "chair@example.org");
    const response = await page.goto(`${baseUrl}/admin/accounts`);
    expect(response?.status()).toBe(403);
  });

  it("answers the forgotten-password form the same way for any email", async () => {
    await visit(page, `${baseUrl}/forgot-password`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel(/email/i).fill("nobody-here@example.org");
    await Promise.all([page.waitForURL(/sent=1/), page.getByRole("button").last().click()]);
    const status = page.getByRole("status");
    await status.waitFor();
    expect(await status.innerText()).toMatch(/If an account uses that email/i);
    await expectNoAxeViolations(page);
  });
});
