/**
 * The minute of decision as a Word document (journey 4), in the Cabinet minute's form: a minute is
 * built with the model commands (attendance with an alternate, an official, a conflict, headings,
 * numbered paragraphs and a sub-paragraph, a decision that directs with its action), confirmed,
 * exported and read back from the .docx XML. Over HTTP: who may download it, and the file's name
 * and headers, on PGlite and on PostgreSQL.
 */
import type { Kysely } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Database, Meeting } from "../../../db/database.js";
import { DRAFT_LINE, minutesToDocx } from "../../../app/exports/minutes-docx.server.js";
import { loadActor } from "../../../app/models/actor.server.js";
import { addOfficial, declareConflict, meetingAttendees, recordAttendance } from "../../../app/models/attendance.server.js";
import { recordDecision } from "../../../app/models/decisions.server.js";
import { endMeeting, startMeeting } from "../../../app/models/live-meeting.server.js";
import { scheduleMeeting } from "../../../app/models/meeting-scheduling.server.js";
import { confirmMinutes } from "../../../app/models/minute-confirmation.server.js";
import { minuteView } from "../../../app/models/minutes.server.js";
import type { Actor } from "../../../app/policy/policy.js";
import { describeEachDatabase } from "../../support/database.js";
import { demoAttendance } from "../../support/demo-records.js";
import { type WordParagraph, docxParts, wordParagraphs } from "../../support/docx-reader.js";
import { type TestServer, signIn, startTestServer } from "../../support/server.js";
import { demoMeeting } from "../../support/demo-meeting.js";

const GROUP_NAME = "Social Sector Commissioning Stewardship Group";
const BACKGROUND = "that on 3 August 2022 the Cabinet Social Wellbeing Committee agreed to the Action Plan [SWC-22-MIN-0140], and that the group:";
const SUB_AGREED = "to adopt a relational approach to commissioning for whānau and Māori providers;";
const SUB_PLAIN = "supports individuals, families and whānau to live a life they value;";
const DIRECTED = "the Social Sector Commissioning Hub to report on whānau-centred commissioning with Te Puni Kōkiri";
const AGREED = "to publish the terms of reference once the Lead Minister approves them;";

describeEachDatabase("the minute of decision as a Word document", (getDb, getHandle) => {
  let server: TestServer;
  let groupId: string;
  let confirmedId: string;
  let reference: string;
  let draftId: string;
  let notStartedId: string;
  const actors = new Map<string, Actor>();
  const cookies = new Map<string, string>();
  const as = (who: string) => actors.get(who)!;

  const meetingRow = (db: Kysely<Database>, id: string): Promise<Meeting> =>
    db.selectFrom("meetings").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const exportOf = async (id: string) => {
    const parts = docxParts(await minutesToDocx(await minuteView(getDb(), await meetingRow(getDb(), id))));
    return { parts, body: wordParagraphs(parts.get("word/document.xml")!) };
  };
  const get = async (path: string, who: string | null) => {
    if (who && !cookies.has(who)) cookies.set(who, await signIn(server, `${who}@example.org`));
    return fetch(`${server.url}${path}`, { redirect: "manual", headers: who ? { cookie: cookies.get(who)! } : {} });
  };
  /** The paragraphs after the line `label`, up to the next blank or bold label. */
  const listUnder = (body: WordParagraph[], label: string) => {
    const start = body.findIndex((paragraph) => paragraph.text === label);
    expect(start, label).toBeGreaterThan(-1);
    const list: string[] = [];
    for (const paragraph of body.slice(start + 1)) {
      if (paragraph.text === "" || paragraph.text.endsWith(":")) break;
      list.push(paragraph.text);
    }
    return list;
  };

  beforeAll(async () => {
    // The server seeds the demo group into the empty database.
    server = await startTestServer({ database: getHandle() });
    const db = getDb();
    for (const user of await db.selectFrom("users").select(["id", "email", "display_name", "is_platform_admin"]).execute()) {
      actors.set(user.email.split("@")[0]!, await loadActor(db, { id: user.id, email: user.email, displayName: user.display_name, isPlatformAdmin: user.is_platform_admin }));
    }
    groupId = (await db.selectFrom("groups").select("id").executeTakeFirstOrThrow()).id;
    notStartedId = (await demoMeeting(db)).id;

    confirmedId = await scheduleMeeting(db, null, as("secretary"), {
      groupId, title: "Hui ā-rōpū: whānau-centred commissioning", date: "2026-12-08", time: "13:00", durationMinutes: 120,
      location: "Te Puni Kōkiri, Wellington", onlineUrl: null, openers: ["karakia"],
    });
    // Started at its scheduled time, so held on the day it was scheduled for.
    await startMeeting(db, null, as("chair"), { meetingId: confirmedId, now: (await meetingRow(db, confirmedId)).starts_at });
    const meeting = await meetingRow(db, confirmedId);
    const byName = new Map((await meetingAttendees(db, meeting)).map((attendee) => [attendee.name, attendee.membershipId]));
    await recordAttendance(db, null, as("secretary"), { meetingId: confirmedId, entries: demoAttendance(byName) });
    await addOfficial(db, null, as("secretary"), { meetingId: confirmedId, name: "Aroha Pēne", agency: "Te Puni Kōkiri" });
    await declareConflict(db, null, as("secretary"), {
      meetingId: confirmedId, membershipId: byName.get("Priya Naidu")!, agendaItemId: null,
      interest: "Trustee of a Māori provider named in the paper", management: "Left the room for the item",
    });
    const background = await recordDecision(db, null, as("secretary"), { meetingId: confirmedId, parentId: null, agendaItemId: null, heading: "Background", verb: "noted", body: BACKGROUND });
    await recordDecision(db, null, as("secretary"), { meetingId: confirmedId, parentId: background, agendaItemId: null, heading: null, verb: "agreed", body: SUB_AGREED });
    await recordDecision(db, null, as("secretary"), { meetingId: confirmedId, parentId: background, agendaItemId: null, heading: null, verb: null, body: SUB_PLAIN });
    const msd = await db.selectFrom("organisations").select("id").where("name", "=", "Ministry of Social Development").executeTakeFirstOrThrow();
    await recordDecision(db, null, as("chair"), {
      meetingId: confirmedId, parentId: null, agendaItemId: null, heading: "Next steps", verb: "directed", body: DIRECTED,
      actions: [{ description: "Report on whānau-centred commissioning", ownerUserId: null, ownerOrganisationId: msd.id, dueOn: "2027-03-31" }],
    });
    await recordDecision(db, null, as("chair"), { meetingId: confirmedId, parentId: null, agendaItemId: null, heading: null, verb: "agreed", body: AGREED });
    await endMeeting(db, null, as("chair"), { meetingId: confirmedId });
    reference = await confirmMinutes(db, null, as("secretary"), { meetingId: confirmedId });

    // A later meeting, still in progress, whose draft minute corrects the confirmed one.
    draftId = await scheduleMeeting(db, null, as("secretary"), {
      groupId, title: "Stewardship Group hui, February 2027", date: "2027-02-09", time: "10:00", durationMinutes: 90,
      location: "Wellington", onlineUrl: null, openers: [],
    });
    await startMeeting(db, null, as("chair"), { meetingId: draftId, now: (await meetingRow(db, draftId)).starts_at });
    const corrected = await db
      .selectFrom("decisions")
      .innerJoin("minutes", "minutes.id", "decisions.minute_id")
      .select("decisions.id")
      .where("minutes.meeting_id", "=", confirmedId)
      .where("decisions.verb", "=", "directed")
      .executeTakeFirstOrThrow();
    await recordDecision(db, null, as("secretary"), {
      meetingId: draftId, parentId: null, agendaItemId: null, heading: "Correction", verb: "agreed",
      body: `to correct paragraph 2 of [${reference}]: the Hub reports by 30 April 2027`, correctsDecisionId: corrected.id,
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("confirmed the minute with the group's first reference of 2026", () => {
    expect(reference).toBe("SSCSG-26-MIN-0001");
  });

  it("opens like a Cabinet minute: committee, Minute of Decision, reference, confidentiality, title, portfolio, date line", async () => {
    const { body } = await exportOf(confirmedId);
    const lines = body.map((paragraph) => paragraph.text);
    expect(lines.slice(0, 3)).toEqual([GROUP_NAME, "Minute of Decision", reference]);
    expect(body[2]!.runs[0]!.bold).toBe(true);
    const statement = lines.find((line) => line.startsWith("This document contains information for the"))!;
    expect(statement).toContain(GROUP_NAME);
    expect(statement).toContain("must be treated in confidence and handled in accordance with its security classification (IN-CONFIDENCE)");
    expect(statement).toContain("Official Information Act 1982");
    expect(lines).toContain("Hui ā-rōpū: whānau-centred commissioning");
    expect(lines).toContain("Portfolio\tSocial Development and Employment");
    expect(lines).toContain(`On Tuesday 8 December 2026, the ${GROUP_NAME}:`);
    expect(lines).not.toContain(DRAFT_LINE);
  });

  it("numbers paragraphs 1, 1.1, 1.2, 2, 3 in text, each opening with its verb, headings as headings", async () => {
    const { body } = await exportOf(confirmedId);
    const numbered = body.filter((paragraph) => /^\d+(\.\d+)?\t/.test(paragraph.text));
    expect(numbered.map((paragraph) => paragraph.text)).toEqual([
      `1\tnoted ${BACKGROUND}`,
      `1.1\tagreed ${SUB_AGREED}`,
      `1.2\t${SUB_PLAIN}`,
      `2\tdirected ${DIRECTED}`,
      `3\tagreed ${AGREED}`,
    ]);
    // No Word list numbering: the numbers are the text above, nothing Word could renumber.
    for (const paragraph of numbered) expect(paragraph.xml).not.toContain("<w:numPr>");
    const heading = (text: string) => body.find((paragraph) => paragraph.text === text)!.xml;
    expect(heading("Background")).toContain('<w:pStyle w:val="Heading2"/>');
    expect(heading("Next steps")).toContain('<w:pStyle w:val="Heading2"/>');
    const order = body.map((paragraph) => paragraph.text);
    expect(order.indexOf("Background")).toBeLessThan(order.indexOf(numbered[0]!.text));
    expect(order.indexOf("Next steps")).toBeLessThan(order.indexOf(numbered[3]!.text));
    expect(order.indexOf("Next steps")).toBeGreaterThan(order.indexOf(numbered[2]!.text));
  });

  it("sets the verb of a numbered paragraph in bold and a sub-paragraph's verb in plain type, indented further", async () => {
    const { body } = await exportOf(confirmedId);
    const verbRun = (start: string) => {
      const paragraph = body.find((candidate) => candidate.text.startsWith(start))!;
      return { run: paragraph.runs.find((run) => run.text.trim().length > 0 && !/^\d/.test(run.text))!, xml: paragraph.xml };
    };
    for (const [start, verb] of [["1\t", "noted"], ["2\t", "directed"], ["3\t", "agreed"]] as const) {
      expect(verbRun(start).run).toMatchObject({ text: verb, bold: true });
    }
    expect(verbRun("1.1\t").run).toMatchObject({ text: "agreed", bold: false });
    // The body after the verb is not bold.
    const first = body.find((paragraph) => paragraph.text.startsWith("1\t"))!;
    expect(first.runs.filter((run) => run.bold).map((run) => run.text)).toEqual(["noted"]);
    const left = (xml: string) => Number(/<w:ind w:left="(\d+)"/.exec(xml)?.[1]);
    expect(left(verbRun("1.1\t").xml)).toBeGreaterThan(left(verbRun("1\t").xml));
  });

  it("keeps references in brackets as written, notes the action, and keeps macrons intact", async () => {
    const { parts, body } = await exportOf(confirmedId);
    const lines = body.map((paragraph) => paragraph.text);
    expect(lines.find((line) => line.startsWith("1\t"))).toContain("[SWC-22-MIN-0140]");
    expect(lines).toContain("Action: Report on whānau-centred commissioning (Ministry of Social Development, by 31 March 2027).");
    const xml = parts.get("word/document.xml")!;
    // Precomposed letters (NFC), as typed: not split into a vowel and a combining macron.
    for (const word of ["whānau", "Māori", "Te Puni Kōkiri", "Rāwiri Te Awa", "Aroha Pēne"]) expect(xml).toContain(word);
    expect(xml).not.toMatch(/\u0304/);
  });

  it("closes with the secretary's name, who was present, apologies, officials and conflicts of interest", async () => {
    const { body } = await exportOf(confirmedId);
    const lines = body.map((paragraph) => paragraph.text);
    const secretary = lines.lastIndexOf("Secretary");
    expect(lines[secretary - 1]).toBe("Sophie Lin");
    expect(secretary).toBeGreaterThan(lines.findIndex((line) => line.startsWith("3\t")));
    const present = listUnder(body, "Present:");
    expect(present).toEqual(
      expect.arrayContaining([
        "Rāwiri Te Awa, Te Rūnanga o Ngā Kaitiaki (demo iwi provider) (Chair)",
        "Priya Naidu, Hapori Hauora Community Trust (demo)",
        "Ana Tupou, Whaikaha – Ministry of Disabled People (alternate for Tama Ngata)",
        "Sophie Lin, Ministry of Social Development (Secretary)",
      ]),
    );
    // Four people, then the quorum as it stood when the minute was confirmed.
    expect(present).toHaveLength(5);
    expect(present.at(-1)).toMatch(/^(Quorum present|No quorum): \d+ of \d+ members \(\d+ needed\)\.$/);
    expect(listUnder(body, "Apologies:")).toEqual(["Tama Ngata, Whaikaha – Ministry of Disabled People"]);
    expect(listUnder(body, "Officials present from:")).toEqual(["Aroha Pēne, Te Puni Kōkiri"]);
    expect(listUnder(body, "Conflicts of interest declared:")).toEqual([
      "Priya Naidu, Hapori Hauora Community Trust (demo): Trustee of a Māori provider named in the paper. Managed: Left the room for the item.",
    ]);
    for (const label of ["Present:", "Apologies:", "Officials present from:"]) {
      expect(body.find((paragraph) => paragraph.text === label)!.runs[0]!.bold).toBe(true);
    }
  });

  it("marks the minute's classification, bold and centred, in the header and footer of every page", async () => {
    const { parts } = await exportOf(confirmedId);
    const view = await minuteView(getDb(), await meetingRow(getDb(), confirmedId));
    expect(view.minute!.classification).toBe("IN-CONFIDENCE");
    const headers = [...parts.keys()].filter((name) => /^word\/header\d*\.xml$/.test(name));
    const footers = [...parts.keys()].filter((name) => /^word\/footer\d*\.xml$/.test(name));
    expect(headers.length).toBeGreaterThan(0);
    expect(footers.length).toBeGreaterThan(0);
    for (const name of [...headers, ...footers]) {
      const marking = wordParagraphs(parts.get(name)!).find((paragraph) => paragraph.text === "IN-CONFIDENCE");
      expect(marking, name).toBeDefined();
      expect(marking!.runs[0]!.bold).toBe(true);
      expect(marking!.xml).toContain('<w:jc w:val="center"/>');
      expect(parts.get(name)).not.toContain(DRAFT_LINE);
    }
    const document = parts.get("word/document.xml")!;
    expect(document).toMatch(/<w:headerReference w:type="default"/);
    expect(document).toMatch(/<w:footerReference w:type="default"/);
    expect(document).not.toContain("<w:titlePg");
  });

  it("says DRAFT on a draft minute, in place of a reference and on every page, and notes its correction", async () => {
    const { parts, body } = await exportOf(draftId);
    const lines = body.map((paragraph) => paragraph.text);
    expect(lines.slice(0, 3)).toEqual([GROUP_NAME, "Minute of Decision", DRAFT_LINE]);
    expect(lines.join("\n")).not.toMatch(/SSCSG-27-MIN/);
    for (const [name, xml] of parts) {
      if (/^word\/(header|footer)\d*\.xml$/.test(name)) expect(wordParagraphs(xml).map((paragraph) => paragraph.text)).toContain(DRAFT_LINE);
    }
    expect(lines).toContain(`1\tagreed to correct paragraph 2 of [${reference}]: the Hub reports by 30 April 2027`);
    expect(lines).toContain(`This paragraph corrects paragraph 2 of ${reference}.`);
    // The confirmed minute is unchanged, but its export points to the later correction.
    const confirmed = (await exportOf(confirmedId)).body.map((paragraph) => paragraph.text);
    expect(confirmed).toContain(`2\tdirected ${DIRECTED}`);
    expect(confirmed).toContain("Corrected later by paragraph 1 of a draft minute not yet confirmed.");
  });

  it("downloads the confirmed minute for a member, named by its reference and never cached", async () => {
    const response = await get(`/groups/${groupId}/meetings/${confirmedId}/minutes.docx`, "member");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="${reference}.docx"`);
    expect(response.headers.get("cache-control")).toBe("private, no-cache");
    const body = wordParagraphs(docxParts(Buffer.from(await response.arrayBuffer())).get("word/document.xml")!);
    expect(body[2]!.text).toBe(reference);
  });

  it("names a draft minute's download by the meeting's New Zealand date", async () => {
    const response = await get(`/groups/${groupId}/meetings/${draftId}/minutes.docx`, "minister");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="draft-minutes-2027-02-09.docx"');
  });

  it("answers not found for a meeting that has not started, so has no minute", async () => {
    const response = await get(`/groups/${groupId}/meetings/${notStartedId}/minutes.docx`, "chair");
    expect(response.status).toBe(404);
  });

  it("refuses a consultee and a platform administrator who is not a member (not found), and sends a visitor to sign in", async () => {
    expect((await get(`/groups/${groupId}/meetings/${confirmedId}/minutes.docx`, "ngo")).status).toBe(404);
    expect((await get(`/groups/${groupId}/meetings/${confirmedId}/minutes.docx`, "admin")).status).toBe(404);
    const visitor = await get(`/groups/${groupId}/meetings/${confirmedId}/minutes.docx`, null);
    expect(visitor.status).toBe(302);
    expect(visitor.headers.get("location")).toBe(`/login?redirectTo=${encodeURIComponent(`/groups/${groupId}/meetings/${confirmedId}/minutes.docx`)}`);
  });

  it("answers not found for a meeting in another group's address or one that does not exist", async () => {
    const otherGroup = "00000000-0000-4000-8000-000000000000";
    expect((await get(`/groups/${otherGroup}/meetings/${confirmedId}/minutes.docx`, "member")).status).toBe(404);
    expect((await get(`/groups/${groupId}/meetings/${otherGroup}/minutes.docx`, "member")).status).toBe(404);
    expect((await get(`/groups/${groupId}/meetings/not-a-meeting/minutes.docx`, "member")).status).toBe(404);
  });
});
