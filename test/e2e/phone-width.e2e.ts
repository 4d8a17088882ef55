/**
 * Every page at a desktop width and on a phone (390 × 844): each page of app/routes is opened as a
 * person who may see it (found by following the links each person is shown, so the test goes
 * where people go), screenshotted at both widths into test-results/screenshots/, checked with axe
 * at both, and at 390 px the page must not scroll sideways: wide tables scroll inside their own
 * region or become stacked rows. The test fails if a page route was never reached, so a new page
 * is checked as soon as someone links to it. Also the "My groups" cards' inner padding.
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, screenshot, signInAs, visit } from "./support/browser.js";

const baseUrl = inject("baseUrl");
const desktop = { width: 1280, height: 900 };
const phone = { width: 390, height: 844 };
/** A crawl opens, screenshots and checks a few dozen pages twice each. */
const crawlTimeoutMs = 300_000;
const routesDir = path.resolve(import.meta.dirname, "..", "..", "app", "routes");

interface Route {
  file: string;
  pattern: RegExp;
  params: number;
  /** Has a default export (a page), not a resource route (a download, a redirect, a form post). */
  page: boolean;
}

/** Splits a flat-routes file name into its URL segments: `summary[.docx]` stays one segment. */
function segmentsOf(name: string): string[] {
  const segments: string[] = [];
  let current = "";
  let bracket = false;
  for (const char of name) {
    if (char === "[") bracket = true;
    else if (char === "]") bracket = false;
    else if (char === "." && !bracket) {
      segments.push(current);
      current = "";
    } else current += bracket ? `\\${char}` : char;
  }
  segments.push(current);
  return segments;
}

/** The app's routes, each with the URL pattern it answers (Remix v2 flat routes). */
function readRoutes(): Route[] {
  const files = fs.readdirSync(routesDir).filter((file) => file.endsWith(".tsx"));
  const names = files.map((file) => file.replace(/\.tsx$/, ""));
  return files
    .map((file, index) => {
      const name = names[index]!;
      const segments = segmentsOf(name)
        .filter((segment) => segment !== "_index" && !segment.startsWith("_"))
        .map((segment) => segment.replace(/_$/, ""));
      const params = segments.filter((segment) => segment.startsWith("$")).length;
      const source = segments.map((segment) => (segment.startsWith("$") ? "[^/]+" : segment)).join("/");
      // A layout route (others nest in it) is drawn by its index page, not on its own.
      const layout = names.some((other) => other.startsWith(`${name}.`));
      const page = !layout && fs.readFileSync(path.join(routesDir, file), "utf8").includes("export default function");
      return { file, pattern: new RegExp(`^/${source}$`), params, page };
    });
}

const routes = readRoutes();

/** The route a path belongs to: of those matching, the one with fewest parameters. */
function routeOf(pathname: string): Route | undefined {
  return routes
    .filter((route) => route.pattern.test(pathname))
    .sort((a, b) => a.params - b.params)[0];
}

/**
 * Some pages have something to show only once the journeys have run (a saved version, a
 * submission and its approval, a closed consultation, confirmed minutes): this file runs after them
 * (test/e2e/support/sequencer.ts). A meeting still to come is the one thing the journeys do not
 * leave behind (journey 4 runs the demo's meeting through to its confirmed minutes), so the crawl
 * schedules one itself.
 */
/** Routes that are not pages but send a person on to one (a notification goes to what it is about). */
const passages = new Set(["notifications.$notificationId.tsx"]);

const madeByTheJourneys = "saved versions, submissions, a closed consultation and confirmed minutes come from the journeys, which run first";

interface Finding {
  file: string;
  url: string;
  who: string;
  scrollWidth: number;
}

describe("every page at desktop width and at 390 px", () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const reached = new Map<string, string>();
  const tooWide: Finding[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: desktop });
    contexts.push(context);
    return context.newPage();
  }

  /** Checks the page as it is now at both widths; records it when it scrolls sideways at 390 px. */
  async function checkBothWidths(page: Page, who: string, route: Route): Promise<void> {
    const name = `${route.file.replace(/\.tsx$/, "").replace(/[$[\]]/g, "")}--${who}`;
    await page.setViewportSize(desktop);
    await screenshot(page, `${name}--desktop`);
    await expectNoAxeViolations(page);
    await page.setViewportSize(phone);
    const scrollWidth = await page.evaluate(() => document.scrollingElement!.scrollWidth);
    const innerWidth = await page.evaluate(() => window.innerWidth);
    await screenshot(page, `${name}--390`);
    await expectNoAxeViolations(page);
    if (scrollWidth > innerWidth) tooWide.push({ file: route.file, url: page.url(), who, scrollWidth });
    await page.setViewportSize(desktop);
  }

  /**
   * Follows the links `who` is shown, from `start`, opening each page route not yet checked once
   * (the first link to it wins). Downloads, redirects and sign-out are not pages and are skipped.
   */
  async function crawl(page: Page, who: string, start: string[], within = "/"): Promise<void> {
    const queue = [...start];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const href = queue.shift()!;
      const url = new URL(href, baseUrl);
      const route = routeOf(url.pathname);
      if (!route || !(route.page || passages.has(route.file)) || !url.pathname.startsWith(within)) continue;
      // A page route is opened once; each passage once per address, as each goes somewhere else.
      const key = passages.has(route.file) ? url.pathname : route.file;
      if (seen.has(key)) continue;
      seen.add(key);
      await visit(page, url.toString());
      const landed = routeOf(new URL(page.url()).pathname);
      if (landed?.page && !reached.has(landed.file)) {
        reached.set(landed.file, `${who} ${new URL(page.url()).pathname}`);
        await checkBothWidths(page, who, landed);
      }
      const links = await page.$$eval("a[href]", (anchors) => anchors.map((anchor) => anchor.getAttribute("href") ?? ""));
      for (const link of links) {
        if (!link.startsWith("/") || link.startsWith("//")) continue;
        queue.push(link);
      }
    }
  }

  /** Schedules a meeting for next year, so its edit and attendance pages are offered; returns its path. */
  async function scheduleMeetingToCome(page: Page): Promise<string> {
    await Promise.all([
      page.waitForURL(/\/groups\/[0-9a-f-]{36}$/),
      page.getByRole("list", { name: "Your groups" }).getByRole("link").first().click(),
    ]);
    const groupPath = new URL(page.url()).pathname;
    await visit(page, `${baseUrl}${groupPath}/meetings/new`);
    await page.getByLabel("Title").fill("Hui to check every page");
    await page.getByLabel("Date").fill(`3 March ${new Date().getFullYear() + 1}`);
    await page.getByLabel("Start time").fill("10:00");
    await page.getByLabel("Place").fill("Te Puni Kōkiri, Wellington");
    await Promise.all([page.waitForURL(/\/meetings\/[0-9a-f-]{36}\?scheduled=1$/), page.getByRole("button", { name: "Schedule the meeting" }).click()]);
    return new URL(page.url()).pathname;
  }

  it("checks the secretary's pages", async () => {
    const page = await newPage();
    await signInAs(page, baseUrl, "secretary@example.org");
    const meetingToCome = await scheduleMeetingToCome(page);
    // The search page is reached by its form, not a link: from a search with results.
    await crawl(page, "secretary", [meetingToCome, "/groups", "/account", "/account/notifications", "/notifications", "/search?q=whanau"]);
  }, crawlTimeoutMs);

  it("checks the Lead Minister's office's pages", async () => {
    const page = await newPage();
    await signInAs(page, baseUrl, "minister@example.org");
    // A decided submission's page is linked from the notification that it was submitted.
    await crawl(page, "minister", ["/approvals", "/notifications", "/groups"]);
  }, crawlTimeoutMs);

  it("checks the consultee's pages", async () => {
    const page = await newPage();
    await signInAs(page, baseUrl, "ngo@example.org");
    await crawl(page, "ngo", ["/groups"]);
  }, crawlTimeoutMs);

  it("checks the chair's and the administrator's pages", async () => {
    const chair = await newPage();
    await signInAs(chair, baseUrl, "chair@example.org");
    await crawl(chair, "chair", ["/groups"]);
    const admin = await newPage();
    await signInAs(admin, baseUrl, "admin@example.org");
    // The administrator is not a member of the group the admin pages link to.
    await crawl(admin, "admin", ["/admin"], "/admin");
  }, crawlTimeoutMs);

  it("checks the pages people see before they sign in, including a link that has expired", async () => {
    const page = await newPage();
    for (const pathname of ["/login", "/forgot-password", "/reset-password/not-a-token", "/invitations/not-a-token", "/unsubscribe/not-a-token"]) {
      const response = await page.goto(`${baseUrl}${pathname}`);
      expect(response?.status() ?? 0, pathname).toBeLessThan(500);
      const route = routeOf(pathname)!;
      if (!reached.has(route.file)) {
        reached.set(route.file, `visitor ${pathname}`);
        await checkBothWidths(page, "visitor", route);
      }
    }
  }, crawlTimeoutMs);

  it("reached every page route, and none scrolls sideways at 390 px", () => {
    const missing = routes.filter((route) => route.page && !reached.has(route.file));
    expect(missing.map((route) => route.file), madeByTheJourneys).toEqual([]);
    expect(tooWide).toEqual([]);
  });
});

describe("the My groups page", () => {
  it("insets each group card's words from its border", async () => {
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ viewport: desktop });
      const page = await context.newPage();
      await signInAs(page, baseUrl, "member@example.org");
      const card = page.getByRole("list", { name: "Your groups" }).getByRole("listitem").first();
      const cardBox = (await card.boundingBox())!;
      const headingBox = (await card.getByRole("heading").boundingBox())!;
      expect(headingBox.x - cardBox.x).toBeGreaterThanOrEqual(12);
      expect(headingBox.y - cardBox.y).toBeGreaterThanOrEqual(12);
      await context.close();
    } finally {
      await browser.close();
    }
  });
});
