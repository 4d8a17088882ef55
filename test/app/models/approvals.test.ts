/**
 * Approval of the terms of reference by the Lead Minister's office (journey 2): the commands in
 * app/models/approvals.server.ts against PGlite and PostgreSQL with the real collaboration service,
 * then the HTTP refusals (403 for the wrong role, 400 for missing reasons) against the real server.
 */
import crypto from "node:crypto";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { renderText } from "../../../app/documents/content.js";
import {
  type ApprovalNotification,
  approveSubmission,
  returnSubmission,
  submitForApproval,
  withdrawSubmission,
} from "../../../app/models/approval-commands.server.js";
import { approvalStatus, findApprovedVersion, findSubmission, listPendingForApprover } from "../../../app/models/approvals.server.js";
import type { Actor } from "../../../app/policy/policy.js";
import type { Database } from "../../../db/database.js";
import { seedDemo } from "../../../server/seed-demo.js";
import { CollaborationEndpoint } from "../../../server/collab/endpoint.js";
import { createLogger } from "../../../server/logger.js";
import { appendParagraph } from "../../server/collab/collab-clients.js";
import { demoTermsServerForSuite } from "../../support/demo-terms-server.js";
import { describeEachDatabase } from "../../support/database.js";
import { docxParts, wordParagraphs } from "../../support/docx-reader.js";
import { actorFor } from "../../support/actors.js";
import type { TestServer } from "../../support/server.js";
import { AppError } from "../../../app/errors.js";

/** Expects `promise` to fail with an ApprovalError of `code`; returns it. */
async function refusal(promise: Promise<unknown>, code: AppError["code"]): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

const sha256 = (text: string) => crypto.createHash("sha256").update(text, "utf8").digest("hex");

describeEachDatabase("approving the terms of reference", (getDb, getHandle) => {
  let db: Kysely<Database>;
  let collaboration: CollaborationEndpoint;
  let termsId: string;
  let agendaId: string;
  const actors: Record<"chair" | "secretary" | "member" | "minister", Actor> = {} as never;
  const notifications: ApprovalNotification[] = [];
  const notify = async (notification: ApprovalNotification) => {
    notifications.push(notification);
  };

  beforeAll(async () => {
    db = getDb();
    await seedDemo(db);
    collaboration = new CollaborationEndpoint({
      database: getHandle(),
      logger: createLogger({ nodeEnv: "test", logLevel: "silent" }),
      authenticate: async () => null,
    });
    const documents = await db.selectFrom("documents").select(["id", "kind"]).execute();
    termsId = documents.find((document) => document.kind === "terms_of_reference")!.id;
    agendaId = documents.find((document) => document.kind === "agenda")!.id;
    for (const role of ["chair", "secretary", "member", "minister"] as const) actors[role] = await actorFor(db, `${role}@example.org`);
  });
  afterAll(async () => {
    await collaboration?.close();
  });

  /** Appends a paragraph to the live draft through the collaboration service, as an editor would. */
  async function editDraft(text: string): Promise<void> {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, await collaboration.encodeState(termsId));
    const before = Y.encodeStateVector(doc);
    appendParagraph(doc, text);
    await collaboration.applyUpdate(termsId, Y.encodeStateAsUpdate(doc, before));
    doc.destroy();
  }

  async function liveText(): Promise<string> {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, await collaboration.encodeState(termsId));
    return renderText(doc);
  }

  const documentStatus = async () =>
    (await db.selectFrom("documents").select("status").where("id", "=", termsId).executeTakeFirstOrThrow()).status;

  let firstId: string;

  it("freezes the current text as a submission version whose hash is the SHA-256 of the stored text", async () => {
    await editDraft("Quorum: half the members plus one.");
    const submitted = await submitForApproval(db, collaboration, actors.secretary, termsId, {
      coverNote: "  First draft for the Minister.  ",
      notify,
    });
    firstId = submitted.submissionId;
    const submission = (await findSubmission(db, firstId))!;
    expect(submission).toMatchObject({ status: "pending", cover_note: "First draft for the Minister.", version_number: submitted.versionNumber });
    expect(submission.content_text).toBe(await liveText());
    expect(submission.content_text).toContain("Quorum: half the members plus one.");
    expect(submission.content_hash).toBe(sha256(submission.content_text));
    expect(submission.version_hash).toBe(submission.content_hash);
    const version = await db.selectFrom("document_versions").select(["reason", "name"]).where("id", "=", submission.version_id).executeTakeFirstOrThrow();
    expect(version).toEqual({ reason: "submission", name: "Submitted for approval" });
    expect(await documentStatus()).toBe("submitted");

    const audit = await db.selectFrom("audit_log").select(["action", "details"]).where("subject_id", "=", termsId).where("action", "=", "document.submitted").execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ submissionId: firstId, contentHash: submission.content_hash });
    // The Lead Minister's office is told, after the commit.
    expect(notifications.at(-1)).toMatchObject({ kind: "approval.submitted", recipientIds: [actors.minister.id], link: `/approvals/${firstId}` });
    expect((await approvalStatus(db, termsId)).line).toMatch(/^Submitted for approval on \d{1,2} [A-Z][a-z]+ \d{4}, waiting for the Lead Minister's office$/);
  });

  it("keeps the draft editable while it is pending, and the submitted version unchanged by later edits", async () => {
    const before = (await findSubmission(db, firstId))!;
    await editDraft("TYPED AFTER SUBMISSION");
    expect(await liveText()).toContain("TYPED AFTER SUBMISSION");
    const after = (await findSubmission(db, firstId))!;
    expect(after.content_text).toBe(before.content_text);
    expect(after.content_html).toBe(before.content_html);
    expect(after.content_hash).toBe(before.content_hash);
    expect(after.content_text).not.toContain("TYPED AFTER SUBMISSION");
    expect(sha256(after.content_text)).toBe(after.content_hash);
  });

  it("allows only one pending submission per document", async () => {
    await refusal(submitForApproval(db, collaboration, actors.chair, termsId), "SUBMISSION_PENDING");
    const submission = (await findSubmission(db, firstId))!;
    // The database refuses a second pending row too.
    await expect(
      db
        .insertInto("document_submissions")
        .values({ document_id: termsId, version_id: submission.version_id, submitted_by: actors.chair.id, content_hash: submission.content_hash })
        .execute(),
    ).rejects.toThrow(/unique|duplicate/i);
  });

  it("lets only the chair or secretary submit, and only the terms of reference", async () => {
    await refusal(submitForApproval(db, collaboration, actors.member, termsId), "FORBIDDEN");
    await refusal(submitForApproval(db, collaboration, actors.minister, termsId), "FORBIDDEN");
    await refusal(submitForApproval(db, collaboration, actors.secretary, agendaId), "INVALID_INPUT");
  });

  it("lets only the Lead Minister's office approve or return: everyone else is FORBIDDEN", async () => {
    const { content_hash: hash } = (await findSubmission(db, firstId))!;
    for (const role of ["chair", "secretary", "member"] as const) {
      await refusal(approveSubmission(db, actors[role], firstId, hash), "FORBIDDEN");
      await refusal(returnSubmission(db, actors[role], firstId, "Not yours to return"), "FORBIDDEN");
    }
    expect((await findSubmission(db, firstId))!.status).toBe("pending");
    expect((await listPendingForApprover(db, actors.minister)).map((row) => row.id)).toEqual([firstId]);
    expect(await listPendingForApprover(db, actors.secretary)).toEqual([]);
  });

  it("needs reasons (1–2000 characters) to return a submission", async () => {
    expect((await refusal(returnSubmission(db, actors.minister, firstId, "   "), "INVALID_INPUT")).field).toBe("reasons");
    await refusal(returnSubmission(db, actors.minister, firstId, "x".repeat(2001)), "INVALID_INPUT");
    expect((await findSubmission(db, firstId))!.status).toBe("pending");
  });

  it("withdraws a pending submission (submitter, chair or secretary only) and refuses to decide it afterwards", async () => {
    await refusal(withdrawSubmission(db, actors.member, firstId), "FORBIDDEN");
    await withdrawSubmission(db, actors.chair, firstId);
    const withdrawn = (await findSubmission(db, firstId))!;
    expect(withdrawn.status).toBe("withdrawn");
    expect(await documentStatus()).toBe("draft");
    const stale = await refusal(approveSubmission(db, actors.minister, firstId, withdrawn.content_hash), "SUBMISSION_NOT_PENDING");
    expect(stale.message).toMatch(/^This submission was withdrawn on .+; reload to see the current one$/);
    await refusal(withdrawSubmission(db, actors.secretary, firstId), "SUBMISSION_NOT_PENDING");
    const audit = await db.selectFrom("audit_log").select("action").where("subject_id", "=", termsId).where("action", "=", "submission.withdrawn").execute();
    expect(audit).toHaveLength(1);
  });

  let secondId: string;

  it("returns a resubmission with reasons, and refuses a stale approval of the earlier one", async () => {
    secondId = (await submitForApproval(db, collaboration, actors.secretary, termsId, { notify })).submissionId;
    const second = (await findSubmission(db, secondId))!;
    expect(second.content_text).toContain("TYPED AFTER SUBMISSION");
    await refusal(approveSubmission(db, actors.minister, firstId, second.content_hash), "SUBMISSION_NOT_PENDING");
    await refusal(approveSubmission(db, actors.minister, secondId, "0".repeat(64)), "SUBMISSION_CHANGED");

    await returnSubmission(db, actors.minister, secondId, "Please add the reporting lines to the Social Wellbeing Board.", { notify });
    const returned = (await findSubmission(db, secondId))!;
    expect(returned).toMatchObject({ status: "returned", decision_reasons: "Please add the reporting lines to the Social Wellbeing Board." });
    expect(await documentStatus()).toBe("returned");
    expect((await approvalStatus(db, termsId)).line).toBe("Returned: Please add the reporting lines to the Social Wellbeing Board.");
    const told = notifications.at(-1)!;
    expect(told.kind).toBe("approval.returned");
    expect(told.recipientIds).toContain(actors.secretary.id);
    expect(told.recipientIds).toContain(actors.member.id);
    expect(told.recipientIds).not.toContain(actors.minister.id);
    const decided = await refusal(approveSubmission(db, actors.minister, secondId, returned.content_hash), "SUBMISSION_NOT_PENDING");
    expect(decided.message).toMatch(/has already been decided .*; reload to see the current one$/);
  });

  it("approves the exact version submitted, recording who, when and the hash", async () => {
    await editDraft("Reporting: the group reports to the Social Wellbeing Board.");
    const { submissionId } = await submitForApproval(db, collaboration, actors.secretary, termsId);
    await editDraft("TYPED WHILE THE MINISTER READS");
    const submission = (await findSubmission(db, submissionId))!;
    await approveSubmission(db, actors.minister, submissionId, submission.content_hash, { notify });
    const approved = (await findSubmission(db, submissionId))!;
    expect(approved.status).toBe("approved");
    expect(approved.decided_by_name).toBe("Alex Morgan");
    expect(approved.decided_at).toBeInstanceOf(Date);
    expect(await documentStatus()).toBe("approved");
    const inForce = (await findApprovedVersion(db, termsId))!;
    expect(inForce.id).toBe(submissionId);
    expect(inForce.content_text).not.toContain("TYPED WHILE THE MINISTER READS");
    expect(sha256(inForce.content_text)).toBe(approved.content_hash);
    expect((await approvalStatus(db, termsId)).line).toMatch(/^Approved on \d{1,2} [A-Z][a-z]+ \d{4} by the Lead Minister's office$/);
    const audit = await db.selectFrom("audit_log").select(["actor_id", "details"]).where("action", "=", "submission.approved").executeTakeFirstOrThrow();
    expect(audit.actor_id).toBe(actors.minister.id);
    expect(audit.details).toMatchObject({ submissionId, contentHash: approved.content_hash });
  });

  it("refuses in the database to change or delete a decided submission", async () => {
    await expect(db.updateTable("document_submissions").set({ decision_reasons: "Rewritten" }).where("id", "=", secondId).execute()).rejects.toThrow(
      /immutable/,
    );
    await expect(db.updateTable("document_submissions").set({ status: "pending" }).where("status", "=", "approved").execute()).rejects.toThrow(
      /immutable/,
    );
    await expect(db.deleteFrom("document_submissions").where("id", "=", firstId).execute()).rejects.toThrow(/never deleted/);
  });
});

describe("approvals over HTTP", () => {
  let server: TestServer;
  let groupId: string;
  let termsId: string;
  let cookies: Record<string, string>;

  demoTermsServerForSuite(["member", "minister", "secretary", "ngo"], (opened) => {
    ({ server, groupId, termsId, cookies } = opened);
  });

  const base = () => `/groups/${groupId}/documents/${termsId}`;
  const get = (path: string, role: string) => fetch(`${server.url}${path}`, { headers: { cookie: cookies[role]! } });
  function post(path: string, fields: Record<string, string>, role: string) {
    return fetch(`${server.url}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.origin, cookie: cookies[role]! },
      body: new URLSearchParams(fields),
    });
  }
  const pending = () =>
    server.services.db.selectFrom("document_submissions").select(["id", "content_hash"]).where("status", "=", "pending").executeTakeFirst();

  it("refuses a submission from a member with 403, and a cover note over 2000 characters with 400", async () => {
    expect((await post(`${base()}/approvals`, { intent: "submit" }, "member")).status).toBe(403);
    const long = await post(`${base()}/approvals`, { intent: "submit", coverNote: "x".repeat(2001) }, "secretary");
    expect(long.status).toBe(400);
    expect(await long.text()).toContain("Keep the cover note to 2000 characters or fewer");
    expect(await pending()).toBeUndefined();
  });

  it("puts the document first on its page: the status line above the text, the approval form below it", async () => {
    const page = await (await get(base(), "secretary")).text();
    const text = page.indexOf('aria-label="Document text"');
    const status = page.indexOf('class="approval-status"');
    const form = page.indexOf('class="submit-approval-form"');
    expect(text).toBeGreaterThan(-1);
    expect(form).toBeGreaterThan(-1);
    expect(status).toBeGreaterThan(-1);
    expect(status).toBeLessThan(text);
    expect(form).toBeGreaterThan(text);
    expect(page.match(/class="approval-status"/g)).toHaveLength(1);
  });

  it("submits from the secretary and shows the queue only to the Lead Minister's office", async () => {
    const response = await post(`${base()}/approvals`, { intent: "submit", coverNote: "For your approval" }, "secretary");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`${base()}?submitted=1`);
    const page = await (await get(base(), "member")).text();
    expect(page).toContain("waiting for the Lead Minister&#x27;s office");
    expect((await get("/approvals", "member")).status).toBe(403);
    const queue = await (await get("/approvals", "minister")).text();
    expect(queue).toContain(`/approvals/${(await pending())!.id}`);
    expect(queue).toContain('href="/approvals"');
  });

  it("refuses a decision from the secretary with 403, and a return without reasons with 400", async () => {
    const { id, content_hash } = (await pending())!;
    expect((await post(`/approvals/${id}`, { intent: "approve", expectedHash: content_hash }, "secretary")).status).toBe(403);
    expect((await post(`/approvals/${id}`, { intent: "return", reasons: "No" }, "member")).status).toBe(403);
    const empty = await post(`/approvals/${id}`, { intent: "return", reasons: "  " }, "minister");
    expect(empty.status).toBe(400);
    const html = await empty.text();
    expect(html).toContain("Enter the reasons for returning the terms of reference");
    expect(html).toContain('aria-invalid="true"');
    expect((await pending())?.id).toBe(id);
  });

  it("shows the submission with the classification marking and the first-submission notice, then approves it", async () => {
    const { id, content_hash } = (await pending())!;
    const review = await (await get(`/approvals/${id}`, "minister")).text();
    expect(review.match(/<p class="classification classification--(top|bottom)"[^>]*>/g)).toHaveLength(2);
    expect(review).toContain("First submission: there is no earlier submission to compare with.");
    expect(review).toContain(`name="expectedHash" value="${content_hash}"`);
    const approve = await post(`/approvals/${id}`, { intent: "approve", expectedHash: content_hash }, "minister");
    expect(approve.status).toBe(302);
    const again = await post(`/approvals/${id}`, { intent: "approve", expectedHash: content_hash }, "minister");
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("has already been decided");
    const home = await (await get(`/groups/${groupId}`, "member")).text();
    expect(home).toMatch(/Approved on \d{1,2} [A-Z][a-z]+ \d{4} by the Lead Minister&#x27;s office/);
    const approved = await (await get(`${base()}/approved`, "member")).text();
    expect(approved).toContain("(approved version)");
    const history = await (await get(`${base()}/approvals`, "member")).text();
    expect(history).toContain("For your approval");
    expect(history).toContain(content_hash);
  });

  it("exports the approved version with its approval block, in Word and for printing", async () => {
    const approved = await (await get(`${base()}/approved`, "member")).text();
    const versionNumber = /versions\/(\d+)\/export\.docx/.exec(approved)?.[1];
    expect(versionNumber).toBeDefined();
    const { content_hash } = await server.services.db
      .selectFrom("document_submissions")
      .select("content_hash")
      .where("status", "=", "approved")
      .executeTakeFirstOrThrow();
    const print = await (await get(`${base()}/versions/${versionNumber}/print`, "member")).text();
    expect(print).toMatch(/Approved by the Lead Minister&#x27;s office \(Alex Morgan\) on \d{1,2} [A-Z][a-z]+ \d{4}/);
    expect(print).toContain(content_hash);
    const docx = await get(`${base()}/versions/${versionNumber}/export.docx`, "member");
    expect(docx.status).toBe(200);
    expect(docx.headers.get("content-type")).toContain("wordprocessingml");
  });

  it("says in both exports what the approved version is now, and names the group and its secretary in the Word file's properties", async () => {
    const approved = await (await get(`${base()}/approved`, "member")).text();
    const versionNumber = /versions\/(\d+)\/export\.docx/.exec(approved)![1]!;
    const standing = new RegExp(`^Version ${versionNumber}: approved on \\d{1,2} [A-Z][a-z]+ \\d{4} by the Lead Minister's office \\(Alex Morgan\\)\\. Saved .+\\.$`);
    const print = (await (await get(`${base()}/versions/${versionNumber}/print`, "member")).text()).replace(/<!-- -->/g, "");
    const subtitle = /<p class="print-view__subtitle">([^<]*)<\/p>/.exec(print)![1]!.replace(/&#x27;/g, "'");
    expect(subtitle).not.toContain("Submitted for approval");
    expect(subtitle.split(" · ").at(-1)).toMatch(standing);
    const parts = docxParts(Buffer.from(await (await get(`${base()}/versions/${versionNumber}/export.docx`, "member")).arrayBuffer()));
    const lines = wordParagraphs(parts.get("word/document.xml")!).map((paragraph) => paragraph.text);
    expect(lines.join("\n")).not.toContain("Submitted for approval");
    expect(lines[2]).toMatch(standing);
    const core = parts.get("docProps/core.xml")!;
    expect(core).toContain("<dc:creator>Social Sector Commissioning Stewardship Group (secretary: Sophie Lin)</dc:creator>");
    expect(core).not.toContain("Un-named");
  });

  it("shows a resubmission against the returned submission with its reasons, and against the approved version, switchable", async () => {
    const reasons = "Please name the reporting line to the Social Wellbeing Board.";
    const submitAndReview = async () => {
      expect((await post(`${base()}/approvals`, { intent: "submit" }, "secretary")).status).toBe(302);
      return (await pending())!;
    };
    /** Types a paragraph into the live draft through the collaboration service, as an editor would. */
    const edit = async (text: string) => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, await server.services.collaboration.encodeState(termsId));
      const before = Y.encodeStateVector(doc);
      appendParagraph(doc, text);
      await server.services.collaboration.applyUpdate(termsId, Y.encodeStateAsUpdate(doc, before));
      doc.destroy();
    };
    await edit("Reporting: quarterly to the Lead Minister.");
    const first = await submitAndReview();
    expect((await post(`/approvals/${first.id}`, { intent: "return", reasons }, "minister")).status).toBe(302);
    await edit("The group reports to the Social Wellbeing Board.");
    const second = await submitAndReview();
    // The page's text: screen-reader-only "[inserted: …]" labels and React's markers left out.
    const text = (html: string) => html.replace(/<span class="visually-hidden">[^<]*<\/span>/g, "").replace(/<!-- -->/g, "").replace(/&#x27;/g, "'");
    const versionOf = async (id: string) =>
      (await server.services.db.selectFrom("document_submissions").innerJoin("document_versions as v", "v.id", "version_id").select("v.number").where("document_submissions.id", "=", id).executeTakeFirstOrThrow()).number;
    const [returnedNumber, approvedNumber] = [await versionOf(first.id), Number(/version (\d+), approved on/.exec(text(await (await get(`/approvals/${second.id}?compare=approved`, "minister")).text()))?.[1])];

    // The reviewer's first question: did they make the changes asked for? The returned one comes first, its reasons beside it.
    const review = text(await (await get(`/approvals/${second.id}`, "minister")).text());
    expect(review).not.toContain("First submission");
    expect(review).toContain(`Since version ${returnedNumber}, returned on`);
    expect(review).toContain(reasons);
    expect(review).toMatch(/<ins[^>]*>[^<]*Social Wellbeing Board/);
    expect(review).not.toMatch(/<ins[^>]*>[^<]*quarterly to the Lead Minister/);
    expect(review).toContain(`href="/approvals/${second.id}?compare=approved"`);

    // Switched: since the version in force, both paragraphs are new.
    const sinceApproved = text(await (await get(`/approvals/${second.id}?compare=approved`, "minister")).text());
    expect(Number.isInteger(approvedNumber)).toBe(true);
    expect(sinceApproved).toMatch(/<ins[^>]*>[^<]*quarterly to the Lead Minister/);
    expect(sinceApproved).toContain(`href="/approvals/${second.id}?compare=returned"`);
    // A comparison asked for that does not exist falls back to the default; nonsense is ignored.
    expect((await get(`/approvals/${second.id}?compare=%00nonsense`, "minister")).status).toBe(200);
    expect((await post(`/approvals/${second.id}`, { intent: "approve", expectedHash: second.content_hash }, "minister")).status).toBe(302);
  });

  it("keeps the history of a document from a consultee of that very document: every history route refuses them", async () => {
    const ngoId = (await server.services.db.selectFrom("users").select("id").where("email", "=", "ngo@example.org").executeTakeFirstOrThrow()).id;
    const closesOn = new Date(Date.now() + 7 * 86_400_000).toLocaleDateString("en-CA", { timeZone: "Pacific/Auckland" });
    const opened = await post(`${base()}/consultation`, { intent: "open", consulteeId: ngoId, closesOn, brief: "Your view on the purpose, please." }, "secretary");
    expect(opened.status).toBe(302);
    // The consultee reads the text opened to them…
    expect((await get(base(), "ngo")).status).toBe(200);
    const { id: submissionId } = await server.services.db
      .selectFrom("document_submissions")
      .select("id")
      .where("document_id", "=", termsId)
      .executeTakeFirstOrThrow();
    const { number: version_number } = await server.services.db
      .selectFrom("document_versions")
      .select("number")
      .where("document_id", "=", termsId)
      .orderBy("number", "desc")
      .executeTakeFirstOrThrow();
    const historyRoutes = [
      `/approvals/${submissionId}`,
      `${base()}/approvals`,
      `${base()}/approved`,
      `${base()}/versions`,
      `${base()}/versions/${version_number}`,
      `${base()}/versions/compare?from=${version_number}&to=${version_number}`,
      `${base()}/versions/${version_number}/export.docx`,
      `${base()}/versions/${version_number}/print`,
    ];
    for (const path of historyRoutes) {
      // …but none of its history: not the submitter, the cover note, the fingerprint or older text.
      const response = await get(path, "ngo");
      expect([403, 404], `${path} answered ${response.status}`).toContain(response.status);
      const body = await response.text();
      expect(body).not.toContain("For your approval");
      expect(body).not.toMatch(/[0-9a-f]{64}/);
      // A group reader still sees each of them.
      expect((await get(path, "member")).status, path).toBe(200);
    }
  });
});
