/**
 * Journey 4 in a real browser (docs/DOMAIN.md): the chair runs the December hui with a member
 * watching on their own screen. The chair reorders the agenda by keyboard and by mouse, starts
 * the meeting, records attendance (an apology, an alternate standing in) and a conflict of
 * interest, moves through the agenda while the member's screen follows, records decisions as
 * numbered paragraphs (a sub-paragraph, a decision that directs with its action), ends the
 * meeting and confirms the minutes, which get their permanent reference and show in the register
 * for a search without macrons. Axe finds no violations on any page on the way.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { formatMinuteReference, referenceYear } from "../../app/meetings/decision-reference.js";
import { formatNzDate, nzCalendarDate } from "../../app/utils/dates.js";
import { expectNoAxeViolations, openGroup, screenshot, signedInPeople } from "./support/browser.js";

const baseUrl = inject("baseUrl");
/** The demo's hui, seeded a week or more ahead and named for its month (server/seed-demo.ts). */
const meetingTitle = /^Stewardship Group hui, [A-Z][a-z]+ \d{4}$/;
/** Held today, so its minute is the group's first of this year. */
const firstReference = formatMinuteReference("SSCSG", referenceYear(nzCalendarDate()), 1);

describe("journey 4: the chair runs a meeting, the member's screen follows, and the minutes are confirmed", () => {
  let chair: Page;
  let member: Page;
  let meetingPath: string;
  /** "Tuesday 15 December 2026": the day the hui was scheduled for, as the page says it. */
  let scheduledDay: string;

  signedInPeople(baseUrl, { chair: "chair@example.org", member: "member@example.org" }, (pages) => {
    ({ chair, member } = pages);
  });

  const agendaTitles = (page: Page) => page.locator(".agenda-item strong").allTextContents();
  const nowItem = (page: Page) => page.locator(".now-panel__item").textContent();

  it("opens the next meeting from the group home for the chair and the member", async () => {
    for (const page of [chair, member]) {
      await openGroup(page);
      await Promise.all([page.waitForURL(/\/meetings\/[0-9a-f-]{36}$/), page.getByRole("link", { name: meetingTitle }).click()]);
      await page.getByRole("heading", { level: 1, name: meetingTitle }).waitFor();
      await page.getByText("Live: this page follows the meeting").waitFor();
    }
    meetingPath = new URL(chair.url()).pathname;
    // The member sees the agenda but none of the chair's tools.
    expect(await member.getByRole("button", { name: /Move up|Start the meeting/ }).count()).toBe(0);
    await expectNoAxeViolations(chair);
    await expectNoAxeViolations(member);
  });

  it("lets the chair reorder the agenda by keyboard and by mouse; the member's screen follows", async () => {
    const before = await agendaTitles(chair);
    expect(before.slice(0, 2)).toEqual(["Karakia and whakawhanaungatanga", "Apologies"]);
    // Keyboard: Tab to "Move down" on "Apologies" and press Enter.
    await chair.getByRole("button", { name: "Move down: Apologies" }).focus();
    await chair.keyboard.press("Enter");
    await expect.poll(() => agendaTitles(member)).toEqual([before[0], before[2], before[1], ...before.slice(3)]);
    await chair.getByRole("status").filter({ hasText: "Moved “Apologies” to position 3." }).waitFor();
    // Mouse: drag "Apologies" back above "Conflicts of interest".
    await chair.locator(".agenda-item", { hasText: "Apologies" }).dragTo(chair.locator(".agenda-item", { hasText: "Conflicts of interest" }));
    await expect.poll(() => agendaTitles(member)).toEqual(before);
    await expect.poll(() => agendaTitles(chair)).toEqual(before);
  });

  it("starts the meeting; attendance and a conflict of interest give the quorum on both screens", async () => {
    // The hui is set for 10:00 on a Tuesday a week or more away; starting it today asks first, with both times.
    const asked = chair.getByRole("region", { name: "Start the meeting now, not at its scheduled time?" });
    const sentence = asked.getByText(/^This meeting is scheduled for [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ \d{4}, 10:00 am; it is now .+ \(\d+ days? early\)\.$/);
    await sentence.waitFor();
    scheduledDay = /scheduled for (.+?), 10:00 am;/.exec(await sentence.innerText())![1]!;
    expect(await chair.getByRole("button", { name: "Start the meeting", exact: true }).count()).toBe(0);
    await expectNoAxeViolations(chair);
    await screenshot(chair, "journey-4-start-off-schedule");
    // The running order is the only agenda: no separate agenda document.
    expect(await chair.getByRole("link", { name: /Agenda document/ }).count()).toBe(0);
    await asked.getByRole("button", { name: "Start the meeting now anyway" }).click();
    await member.getByRole("heading", { level: 2, name: "Now" }).waitFor();
    await expect.poll(() => nowItem(member)).toContain("Karakia and whakawhanaungatanga");
    await member.getByText(/No quorum yet: 0 of 6 members present \(4 needed\)/).waitFor();
    // Without a quorum a decision is recorded but marked (docs/decisions/019): the form says so first.
    await chair.getByText("A decision recorded now is marked “Decided without a quorum.” in the minute.", { exact: false }).waitFor();

    await chair.getByRole("link", { name: "Attendance and conflicts of interest" }).click();
    await chair.getByRole("heading", { level: 1, name: "Attendance and conflicts of interest" }).waitFor();
    const row = (name: string) => chair.getByRole("row").filter({ has: chair.getByRole("rowheader", { name: new RegExp(name) }) });
    for (const name of ["Rāwiri Te Awa", "Priya Naidu", "Mereana Hēnare", "Ana Tupou", "Sophie Lin"]) await row(name).getByLabel("Present").check();
    await row("Tama Ngata").getByLabel("Apologies").check();
    await row("David Chen").getByLabel("Absent").check();
    await chair.getByRole("button", { name: "Save attendance" }).click();
    // Tama's seat is filled by his alternate: chair, Priya, Mereana and Tama (through Ana) make four.
    await chair.getByRole("status").filter({ hasText: "Quorum met: 4 of 6 members present (4 needed)." }).waitFor();
    await member.getByText("Quorum met: 4 of 6 members present (4 needed).").waitFor();

    await chair.getByLabel("Member", { exact: true }).selectOption({ label: "Priya Naidu" });
    await chair.getByLabel("Agenda item").selectOption({ label: "5. Draft terms of reference" });
    await chair.getByLabel("The interest").fill("Trustee of Hapori Hauora Community Trust, a provider the draft names");
    await chair.getByLabel("How it was managed").fill("Took part in the discussion but not the decision");
    await chair.getByRole("button", { name: "Record the declaration" }).click();
    await chair.getByRole("cell", { name: "Trustee of Hapori Hauora Community Trust, a provider the draft names" }).waitFor();
    await expectNoAxeViolations(chair);
    await screenshot(chair, "journey-4-attendance");
    await chair.goto(`${baseUrl}${meetingPath}`);
  });

  it("moves through the agenda with the member's screen following, and records decisions live", async () => {
    for (const expected of ["Apologies", "Conflicts of interest", "Confirmation of the previous minutes", "Draft terms of reference"]) {
      await chair.getByRole("button", { name: "Next item" }).click();
      await expect.poll(() => nowItem(chair)).toContain(expected);
      await expect.poll(() => nowItem(member)).toContain(expected);
    }
    // The conflict declared for this item shows with it.
    await member.getByText("Trustee of Hapori Hauora Community Trust").waitFor();

    const form = chair.getByRole("form", { name: "Record a decision" });
    expect(await chair.getByText("A decision recorded now is marked", { exact: false }).count()).toBe(0);
    await expect.poll(() => form.getByLabel("Heading (optional)").inputValue()).toBe("Draft terms of reference");
    await form.getByLabel("Verb", { exact: true }).selectOption("agreed");
    await form.getByLabel("Decision", { exact: true }).fill("that the terms of reference give effect to Te Tiriti o Waitangi and put whānau at the centre");
    await form.getByRole("button", { name: "Record the decision" }).click();
    await member.getByText("that the terms of reference give effect to Te Tiriti o Waitangi").waitFor();

    await chair.getByRole("button", { name: "Add a sub-paragraph to paragraph 1" }).click();
    const sub = chair.getByRole("form", { name: "Sub-paragraph of paragraph 1" });
    await sub.getByLabel("Paragraph 1.x").fill("including Māori-Crown partnership in how the group works");
    await sub.getByRole("button", { name: "Add the sub-paragraph" }).click();
    await member.getByText("including Māori-Crown partnership in how the group works").waitFor();

    // The heading followed the item until a decision was recorded under it; now it is empty.
    expect(await form.getByLabel("Heading (optional)").inputValue()).toBe("");
    await form.getByLabel("Verb", { exact: true }).selectOption("directed");
    await form.getByLabel("Decision", { exact: true }).fill("the Social Sector Commissioning Hub to submit the terms of reference to the Lead Minister");
    const action = chair.getByRole("group", { name: "Action 1" });
    await action.getByLabel("What is to be done").fill("Submit the terms of reference to the Lead Minister");
    await action.getByLabel("Owner").selectOption({ label: "Ministry of Social Development" });
    await action.getByLabel("Due").fill("2027-02-26");
    await form.getByRole("button", { name: "Record the decision" }).click();
    await member.getByText("the Social Sector Commissioning Hub to submit the terms of reference").waitFor();

    const numbered = async (page: Page) =>
      (await page.locator(".minute-paragraph__text").allTextContents()).map((text) => text.replace(/\s+/g, " ").trim().slice(0, 24));
    await expect.poll(() => numbered(member)).toEqual(["1agreed that the terms o", "1.1including Māori-Crown", "2directed the Social Sec"]);
    expect(await member.locator(".minute-paragraph strong").allTextContents()).toEqual(["agreed ", "directed "]);
    await screenshot(member, "journey-4-member-follows");
    await expectNoAxeViolations(member);
    await expectNoAxeViolations(chair);
  });

  it("ends the meeting and confirms the minutes, which get their reference and cannot change", async () => {
    await chair.getByRole("button", { name: "End the meeting" }).click();
    await member.locator(".tag", { hasText: "Ended" }).waitFor();
    await chair.getByRole("link", { name: "Draft minutes" }).click();
    await chair.getByRole("heading", { level: 1, name: meetingTitle }).waitFor();
    await chair.getByText("DRAFT — not yet confirmed").waitFor();
    // Held today, not on the Tuesday it was scheduled for: the minute says so. It had a quorum, so nothing is marked.
    await chair.getByText(`Held on ${formatNzDate(new Date())}; it had been scheduled for ${scheduledDay}.`, { exact: true }).waitFor();
    expect(await chair.getByText(`On ${scheduledDay},`).count()).toBe(0);
    expect(await chair.getByText("Decided without a quorum.").count()).toBe(0);
    // The conflict line: one full stop after the interest, and after how it was managed.
    await chair.getByText(/Trustee of Hapori Hauora Community Trust, a provider the draft names\. Managed: Took part in the discussion but not the decision\.$/).waitFor();
    // Confirming is asked for twice, the second time with what is being made permanent.
    await chair.getByRole("link", { name: "Confirm these minutes…" }).click();
    const review = chair.getByRole("region", { name: "Confirm these minutes?" });
    await review.getByText("2 numbered paragraphs and 1 sub-paragraph").waitFor();
    await review.getByText("Quorum present: 4 of 6 members (4 needed).").waitFor();
    await expectNoAxeViolations(chair);
    await review.getByRole("button", { name: "Yes, confirm these minutes" }).click();
    await chair.getByText(firstReference, { exact: true }).waitFor();
    await chair.getByText(/This record is permanent/).waitFor();
    expect(await chair.getByRole("link", { name: "Confirm these minutes…" }).count()).toBe(0);
    await expectNoAxeViolations(chair);
    await screenshot(chair, "journey-4-minutes");

    // The member's meeting page no longer offers anything to change, and shows the reference.
    await member.reload();
    await member.getByRole("heading", { name: `Decisions [${firstReference}]` }).waitFor();
    await member.getByRole("link", { name: `Minutes [${firstReference}]` }).click();
    await member.getByText("Took part in the discussion but not the decision", { exact: false }).waitFor();
    await member.getByText("Ana Tupou (alternate for Tama Ngata)").waitFor();
    await expectNoAxeViolations(member);
  });

  it("finds the decision in the register without macrons, with who was a member that day, and its action in the tracker", async () => {
    await member.goto(`${baseUrl}${meetingPath.replace(/\/meetings\/.*/, "")}/decisions`);
    await member.getByLabel("Words").fill("whanau");
    await member.getByRole("search", { name: "Search the decisions" }).getByRole("button", { name: "Search" }).click();
    await member.getByRole("status").filter({ hasText: "1 decision match." }).waitFor();
    await member.getByRole("heading", { name: `[${firstReference}]`, exact: false }).waitFor();
    await member.getByText(`Members on ${scheduledDay}`).click();
    await member.getByText("Priya Naidu, Member").waitFor();
    expect(await member.getByText("Hemi Walker").count()).toBe(0);
    await expectNoAxeViolations(member);

    await member.goto(`${baseUrl}${meetingPath.replace(/\/meetings\/.*/, "")}/actions`);
    await member.getByText("Submit the terms of reference to the Lead Minister").waitFor();
    await member.getByText(/Ministry of Social Development · due 26 February 2027/).waitFor();
    await expectNoAxeViolations(member);
  });
});
