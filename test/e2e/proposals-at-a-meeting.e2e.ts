/**
 * A proposal at a meeting in a real browser (issue 22, "At a meeting"; docs/decisions/021): the
 * chair schedules and starts a hui of their own (not the demo's, which journey 4 runs), records
 * who is present, puts a proposal to the meeting from the Now panel; the member's screen shows it
 * live and they give their stance on their own device; the chair sees the tally move, closes the
 * vote, and the decision appears in the meeting's minute on both screens. Axe finds no
 * violations on the Now panel with the proposal live, for either of them.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { addDays } from "../../app/models/memberships.server.js";
import { nzCalendarDate } from "../../app/utils/dates.js";
import { expectNoAxeViolations, launchBrowser, signInAs } from "./support/browser.js";

const baseUrl = inject("baseUrl");
const groupName = "Social Sector Commissioning Stewardship Group";
const title = "Hui to decide the engagement plan";

describe("a proposal put to a meeting from its Now panel", () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let chair: Page;
  let member: Page;
  let meetingUrl: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    for (const _ of [0, 1]) contexts.push(await browser.newContext({ viewport: { width: 1280, height: 900 } }));
    chair = await contexts[0]!.newPage();
    member = await contexts[1]!.newPage();
    await signInAs(chair, baseUrl, "chair@example.org");
    await signInAs(member, baseUrl, "member@example.org");
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
  });

  it("starts a hui of the chair's own with a quorum present", async () => {
    await chair.getByRole("link", { name: groupName }).click();
    await chair.getByRole("heading", { level: 1, name: groupName }).waitFor();
    const groupPath = new URL(chair.url()).pathname;
    await chair.goto(`${baseUrl}${groupPath}/meetings/new`);
    await chair.getByLabel("Title").fill(title);
    await chair.getByLabel("Date").fill(addDays(nzCalendarDate(), 1));
    await chair.getByLabel("Start time").fill("10:00");
    await chair.getByLabel("Place").fill("Wellington");
    await chair.getByLabel("Other items").fill("Engagement plan");
    await Promise.all([chair.waitForURL(/\/meetings\/[0-9a-f-]{36}\?scheduled=1$/), chair.getByRole("button", { name: "Schedule the meeting" }).click()]);
    meetingUrl = chair.url().replace(/\?scheduled=1$/, "");
    await member.goto(meetingUrl);
    await member.getByText("Live: this page follows the meeting").waitFor();
    await chair.getByRole("button", { name: "Start the meeting now anyway" }).click();
    await member.getByRole("heading", { level: 2, name: "Now" }).waitFor();

    await chair.getByRole("link", { name: "Attendance and conflicts of interest" }).click();
    await chair.getByRole("heading", { level: 1, name: "Attendance and conflicts of interest" }).waitFor();
    const row = (name: string) => chair.getByRole("row").filter({ has: chair.getByRole("rowheader", { name: new RegExp(name) }) });
    for (const name of ["Rāwiri Te Awa", "Tama Ngata", "Priya Naidu", "Mereana Hēnare", "Sophie Lin"]) await row(name).getByLabel("Present").check();
    await chair.getByRole("button", { name: "Save attendance" }).click();
    await chair.getByRole("status").filter({ hasText: "Quorum met: 4 of 6 members present (4 needed)." }).waitFor();
    await chair.goto(meetingUrl);
    await member.getByText("Quorum met: 4 of 6 members present (4 needed).").waitFor();
    // Only the chair may put a proposal to the meeting.
    expect(await member.getByRole("heading", { name: "Put a proposal to the meeting" }).count()).toBe(0);
  });

  it("puts a proposal live; the member takes part on their own screen; the chair closes the vote into the minute", async () => {
    const panel = chair.getByRole("region", { name: "Now" });
    await panel.getByText("New proposal under this item").click();
    await panel.getByLabel("Title").fill("Endorse the engagement plan");
    await panel.getByLabel("Verb the decision opens with").selectOption("endorsed");
    await panel.getByLabel("Resolution").fill("the engagement plan for the regional hui, with the changes discussed");
    await panel.getByLabel("How it is decided").selectOption("consent");
    await expectNoAxeViolations(chair);
    await panel.getByRole("button", { name: "Put it to the meeting" }).click();

    // The member's screen follows the meeting room: the proposal appears with the stance form.
    await member.getByRole("heading", { level: 3, name: "Proposal before the meeting: Endorse the engagement plan" }).waitFor();
    await expectNoAxeViolations(member);
    await member.getByRole("group", { name: "Your stance" }).getByLabel("Consent").check();
    await member.getByRole("button", { name: "Give my stance" }).click();
    await member.getByText("Your stance: Consent").waitFor();
    await chair.getByText("1 of 6 seats have taken part. So far: Consent 1, Object 0.").waitFor();
    await expectNoAxeViolations(chair);

    await chair.getByRole("button", { name: "Close the vote" }).click();
    const paragraph = /the engagement plan for the regional hui, with the changes discussed; decided by consent on .+ \(1 of 6 seats took part; no objection\)/;
    await member.locator(".minute-paragraph__body", { hasText: paragraph }).waitFor();
    // The chair's page also holds the paragraph's editor: the paragraph itself is the one to find.
    await chair.locator(".minute-paragraph__body", { hasText: paragraph }).waitFor();
    await expect.poll(() => member.getByRole("heading", { name: /Proposal before the meeting/ }).count()).toBe(0);
    // The hui ends, so it is no longer the group's next meeting for the journeys and the crawl.
    await chair.getByRole("button", { name: "End the meeting" }).click();
    await member.getByText("Ended", { exact: true }).first().waitFor();
  });
});
