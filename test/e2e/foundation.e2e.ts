/**
 * The foundation in a real browser: signing in, what each demo role sees on the groups page and
 * the group home, keyboard access, and axe's WCAG 2.2 AA checks on every page we show.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { expectNoAxeViolations, freshPageForEachTest, groupName, screenshot, signInAs, visit } from "./support/browser.js";

const baseUrl = inject("baseUrl");

describe("the foundation in a browser", () => {
  let page: Page;
  freshPageForEachTest((opened) => {
    page = opened;
  });

  /** Follows the group's link on /groups to its home page and waits for the Documents section. */
  async function openGroupHome(): Promise<void> {
    await Promise.all([
      page.waitForURL(/\/groups\/[0-9a-f-]{36}$/),
      page.getByRole("link", { name: groupName }).click(),
    ]);
    await page.getByRole("heading", { level: 1, name: groupName }).waitFor();
  }

  it("renders the sign-in page with a heading and labelled fields and no axe violations", async () => {
    await visit(page, `${baseUrl}/login`);
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    expect(await page.getByLabel("Email address").getAttribute("type")).toBe("email");
    expect(await page.getByLabel("Password").getAttribute("type")).toBe("password");
    expect(await page.getByRole("button", { name: "Sign in" }).isEnabled()).toBe(true);
    await screenshot(page, "sign-in");
    await expectNoAxeViolations(page);
  });

  it("answers a wrong password with the generic message and keeps the typed email", async () => {
    await visit(page, `${baseUrl}/login`);
    await page.getByLabel("Email address").fill("member@example.org");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain(
      "That email and password do not match an account. Check them and try again.",
    );
    expect(await page.getByLabel("Email address").inputValue()).toBe("member@example.org");
    expect(new URL(page.url()).pathname).toBe("/login");
    await expectNoAxeViolations(page);
  });

  it.each([
    ["chair@example.org", "Chair"],
    ["secretary@example.org", "Secretary"],
    ["member@example.org", "Member"],
    ["minister@example.org", "Minister"],
  ])("shows %s the group and its terms of reference", async (email) => {
    await signInAs(page, baseUrl, email);
    await page.getByRole("heading", { level: 1, name: /Kia ora, / }).waitFor();
    await page.getByRole("link", { name: groupName }).waitFor();

    await openGroupHome();
    const documents = page.getByRole("region", { name: "Documents" });
    await documents.waitFor();
    await documents.getByText("Terms of reference", { exact: true }).waitFor();
  });

  it("shows a consultee the group but not the terms of reference", async () => {
    await signInAs(page, baseUrl, "ngo@example.org");
    await page.getByRole("link", { name: groupName }).waitFor();

    await openGroupHome();
    const documents = page.getByRole("region", { name: "Documents" });
    await documents.waitFor();
    expect(await documents.getByText("Terms of reference").count()).toBe(0);
  });

  it("shows the administrator no group membership, an Administration link and no documents", async () => {
    await signInAs(page, baseUrl, "admin@example.org");
    await page.getByText("You are not a member of any group at the moment.").waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Administration" }).waitFor();
    expect(await page.getByRole("link", { name: groupName }).count()).toBe(0);
    expect(await page.getByRole("region", { name: "Documents" }).count()).toBe(0);
    expect(await page.getByText("Terms of reference").count()).toBe(0);
  });

  it("has no axe violations on the groups page and the group home", async () => {
    await signInAs(page, baseUrl, "member@example.org");
    await page.getByRole("link", { name: groupName }).waitFor();
    await expectNoAxeViolations(page);

    await openGroupHome();
    await page.getByRole("region", { name: "Documents" }).waitFor();
    await screenshot(page, "group-home");
    await expectNoAxeViolations(page);
  });

  it("moves focus to the Skip to main content link on the first Tab", async () => {
    await visit(page, `${baseUrl}/login`);
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => ({
      text: document.activeElement?.textContent?.trim(),
      href: document.activeElement?.getAttribute("href"),
    }));
    expect(focused).toEqual({ text: "Skip to main content", href: "#main" });
  });
});
