/**
 * Journey 6 in a real browser (docs/DOMAIN.md): the secretary opens a consent proposal on a saved
 * version of a paper; the chair consents; the member objects with a reason, then withdraws the
 * objection; the other seats take part from their own organisations (their stances posted as
 * their own forms would); the chair closes it once every seat has taken part; the decision appears
 * as a numbered paragraph of the between-meetings minute, which the secretary confirms; the
 * register finds it. Axe finds no violations on any page on the way.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { waitForMail } from "../support/outbox.js";
import { signIn } from "../support/server.js";
import { expectNoAxeViolations, launchBrowser, signInAs, visit } from "./support/browser.js";

const baseUrl = inject("baseUrl");
const dataDir = inject("dataDir");
const groupName = "Social Sector Commissioning Stewardship Group";
const paperTitle = "Draft recommendation: relational commissioning in practice";
const proposalTitle = "Relational commissioning recommendation";

/** Posts a form as a person's browser would (same origin), with their session. */
function postForm(path: string, cookie: string | null, fields: Record<string, string>) {
  return fetch(`${baseUrl}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: baseUrl, ...(cookie ? { Cookie: cookie } : {}) },
    body: new URLSearchParams(fields),
  });
}

/** A seeded member without a password sets one through the forgotten-password email, then signs in. */
async function memberSession(email: string): Promise<string> {
  expect((await postForm("/forgot-password", null, { email })).status).toBeLessThan(400);
  // Email goes out through the job queue, behind whatever the journeys before this one sent.
  const [mail] = await waitForMail(dataDir, (message) => message.to.includes(email) && message.text.includes("/reset-password/"), { timeoutMs: 60_000 });
  const resetPath = /\/reset-password\/[A-Za-z0-9_-]+/.exec(mail!.text)?.[0];
  expect(resetPath, `a reset link in the email to ${email}`).toBeTruthy();
  const password = "a long pass phrase for the hui";
  expect((await postForm(resetPath!, null, { password, confirmPassword: password })).status).toBeLessThan(400);
  return signIn({ url: baseUrl }, email, password);
}

describe("journey 6: a proposal decided between meetings", () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let secretary: Page;
  let chair: Page;
  let member: Page;
  let proposalPath: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    for (const _ of [0, 1, 2]) contexts.push(await browser.newContext({ viewport: { width: 1280, height: 900 } }));
    [secretary, chair, member] = await Promise.all(contexts.map((context) => context.newPage())) as [Page, Page, Page];
    await signInAs(secretary, baseUrl, "secretary@example.org");
    await signInAs(chair, baseUrl, "chair@example.org");
    await signInAs(member, baseUrl, "member@example.org");
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
  });

  it("the secretary saves a version of the paper and opens a consent proposal on it", async () => {
    await secretary.getByRole("link", { name: groupName }).click();
    await secretary.getByRole("heading", { level: 1, name: groupName }).waitFor();
    const groupPath = new URL(secretary.url()).pathname;
    await visit(secretary, `${baseUrl}${groupPath}/documents`);
    await Promise.all([secretary.waitForURL(/\/documents\/[0-9a-f-]{36}$/), secretary.getByRole("link", { name: paperTitle }).first().click()]);
    await visit(secretary, `${secretary.url()}/versions`);
    await secretary.getByLabel("Version name").fill("For decision");
    await secretary.getByRole("button", { name: "Save version" }).click();
    await secretary.getByText("For decision").first().waitFor();

    await visit(secretary, `${baseUrl}${groupPath}`);
    await secretary.getByRole("link", { name: "Proposals" }).click();
    await secretary.getByRole("heading", { level: 1, name: "Proposals" }).waitFor();
    await expectNoAxeViolations(secretary);
    await secretary.getByRole("link", { name: "Open a proposal" }).click();
    await secretary.getByRole("heading", { level: 1, name: "Open a proposal" }).waitFor();
    await expectNoAxeViolations(secretary);
    await secretary.getByLabel("Title").fill(proposalTitle);
    await secretary.getByLabel("Resolution").fill("that the draft recommendation on relational commissioning be sent to agencies for their plans");
    await secretary.getByLabel("Paper").selectOption({ label: `${paperTitle}, version 1 (For decision)` });
    await secretary.getByLabel(/^Consent/).check();
    await Promise.all([secretary.waitForURL(/\/proposals\/[0-9a-f-]{36}$/), secretary.getByRole("button", { name: "Open the proposal" }).click()]);
    await secretary.getByRole("heading", { level: 1, name: proposalTitle }).waitFor();
    proposalPath = new URL(secretary.url()).pathname;
    await secretary.getByRole("link", { name: `${paperTitle}, version 1` }).waitFor();
    await expectNoAxeViolations(secretary);
    // The secretary sees who has not taken part, and cannot take part.
    expect(await secretary.getByRole("button", { name: "Give my stance" }).count()).toBe(0);
    await secretary.getByRole("heading", { name: "Who has taken part" }).waitFor();
  });

  it("the chair consents; the member objects with a reason, then withdraws the objection", async () => {
    await visit(chair, `${baseUrl}${proposalPath}`);
    await chair.getByLabel("Consent").check();
    await chair.getByRole("button", { name: "Give my stance" }).click();
    await chair.getByText(/Your stance: Consent/).waitFor();
    await expectNoAxeViolations(chair);

    await visit(member, `${baseUrl}${proposalPath}`);
    await member.getByLabel("Object").check();
    await member.getByRole("button", { name: "Give my stance" }).click();
    // An objection needs a reason.
    await member.getByText("Give your reason for objecting").waitFor();
    await member.getByLabel("Object").check();
    await member.getByLabel("Reason").fill("Disabled people's organisations have not seen it yet");
    await member.getByRole("button", { name: "Give my stance" }).click();
    await member.getByText(/Your stance: Object/).waitFor();
    // The chair's page counts it live.
    await chair.getByText("1 objection").waitFor();
    await chair.getByText("Disabled people's organisations have not seen it yet").waitFor();
    // Withdrawn by keyboard.
    await member.getByLabel("Consent").focus();
    await member.keyboard.press("Space");
    await member.getByRole("button", { name: "Change my stance" }).focus();
    await member.keyboard.press("Enter");
    await member.getByText(/Your stance: Consent/).waitFor();
    await member.getByText("Your earlier stances").click();
    await member.getByText(/^Object \(Disabled people's organisations have not seen it yet\)/).waitFor();
    await chair.getByText("no objection").waitFor();
    await expectNoAxeViolations(member);
  });

  it("the other seats take part from their organisations; the chair closes it; it passes", async () => {
    for (const email of ["priya.naidu@example.org", "mereana.henare@example.org", "david.chen@example.org", "sione.tui@example.org"]) {
      const cookie = await memberSession(email);
      expect((await postForm(proposalPath, cookie, { intent: "stance", choice: "consent" })).status, email).toBe(302);
    }
    await visit(chair, `${baseUrl}${proposalPath}`);
    await chair.getByRole("button", { name: "Close it now" }).click();
    await chair.getByRole("heading", { name: "Outcome: Passed" }).waitFor();
    await expectNoAxeViolations(chair);
  }, 300_000);

  it("the decision is a numbered paragraph of the between-meetings minute, which the secretary confirms, and the register finds it", async () => {
    await visit(secretary, `${baseUrl}${proposalPath}`);
    await secretary.getByRole("link", { name: "draft minute" }).click();
    await secretary.getByText("Decisions made between meetings").first().waitFor();
    await secretary.getByText(/decided by consent on .+ \(6 of 6 seats took part; no objection\)/).waitFor();
    await expectNoAxeViolations(secretary);
    await secretary.getByRole("link", { name: "Confirm these minutes…" }).click();
    await secretary.getByRole("button", { name: "Yes, confirm these minutes" }).click();
    await secretary.getByText(/Confirmed/).first().waitFor();
    const reference = /[A-Z][A-Z0-9]+-\d{2}-MIN-\d{4}/.exec(await secretary.content())?.[0];
    expect(reference).toBeTruthy();
    await expectNoAxeViolations(secretary);

    const groupPath = proposalPath.replace(/\/proposals\/.*$/, "");
    await visit(member, `${baseUrl}${groupPath}/decisions?words=${encodeURIComponent("relational commissioning recommendation")}`);
    await member.getByText(/sent to agencies for their plans/).first().waitFor();
    await member.getByText(reference!).first().waitFor();
    await expectNoAxeViolations(member);
  });
});
