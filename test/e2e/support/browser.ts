/**
 * Browser helpers for the end-to-end tests: the system Chromium driven by playwright-core,
 * signing in through the real form, accessibility checks with axe, and screenshots.
 */
import fs from "node:fs";
import path from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
const screenshotDir = path.join(root, "test-results", "screenshots");

/** The WCAG levels we promise: 2.0, 2.1 and 2.2 at A and AA. */
const wcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

export const demoPassword = "kia-ora-demo";

/** The demo group every journey works in (server/seed-demo.ts). */
export const groupName = "Social Sector Commissioning Stewardship Group";

/** Launches the Debian Chromium headless, with the background chatter a test does not need turned off. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * Launches one browser for the suite and opens a fresh context before each test (its own cookies,
 * so no test inherits another's session), handing its page to `onOpen`; closes both afterwards.
 */
export function freshPageForEachTest(onOpen: (page: Page) => void): void {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser!.newContext();
    onOpen(await context.newPage());
  });
  afterEach(async () => {
    await context?.close();
  });
}

/**
 * Launches one browser for the suite and, before all its tests, opens a context of its own (its own
 * cookies) for each person named, signed in as the email given (in the order given; `null`: not
 * signed in), handing their pages to `onOpen`; closes them all after the suite.
 */
export function signedInPeople<Name extends string>(
  baseUrl: string,
  emails: Record<Name, string | null>,
  onOpen: (pages: Record<Name, Page>) => void,
  viewport = { width: 1280, height: 900 },
): void {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
    const pages = {} as Record<Name, Page>;
    for (const name of Object.keys(emails) as Name[]) {
      const context = await browser.newContext({ viewport });
      contexts.push(context);
      pages[name] = await context.newPage();
    }
    for (const [name, email] of Object.entries(emails) as [Name, string | null][]) {
      if (email !== null) await signInAs(pages[name], baseUrl, email);
    }
    onOpen(pages);
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
  });
}

/** Opens the demo group from the groups page and waits for its home. */
export async function openGroup(page: Page): Promise<void> {
  await page.getByRole("link", { name: groupName }).click();
  await page.getByRole("heading", { level: 1, name: groupName }).waitFor();
}

/**
 * Opens a page and fails at once, with what the server said, when it does not answer 2xx,
 * rather than letting the next locator wait out its timeout on an error page.
 */
export async function visit(page: Page, url: string): Promise<void> {
  const response = await page.goto(url);
  if (!response) throw new Error(`no response for ${url}`);
  if (!response.ok()) {
    const body = (await response.text()).slice(0, 500);
    throw new Error(`${url} answered ${response.status()}: ${body}`);
  }
}

/** Signs in through the sign-in form as a person would, and waits for the groups page. */
export async function signInAs(page: Page, baseUrl: string, email: string, password = demoPassword): Promise<void> {
  await visit(page, `${baseUrl}/login`);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForURL((url) => url.pathname === "/groups"),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
}

/** Runs axe on the page as it is now and fails with one readable line per problem. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(wcagTags).analyze();
  if (results.violations.length === 0) return;
  const report = results.violations
    .map((violation) => {
      const targets = violation.nodes.map((node) => `    - ${node.target.join(" ")}`).join("\n");
      return `  ${violation.id} (${violation.impact ?? "unknown impact"}): ${violation.help}\n${targets}\n    ${violation.helpUrl}`;
    })
    .join("\n");
  throw new Error(`axe found ${results.violations.length} accessibility violation(s) on ${page.url()}:\n${report}`);
}

/** Saves a full-page screenshot to test-results/screenshots/<name>.png for people to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
