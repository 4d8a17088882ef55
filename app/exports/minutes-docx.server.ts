/**
 * A minute of decision as a Word document (.docx), laid out like a Cabinet committee's Minute of
 * Decision (see the Cabinet Social Wellbeing Committee's minute in the domain notes): the group as
 * the committee, the reference, a confidentiality statement, the subject, the portfolio, "On
 * <date>, the <group>:", numbered paragraphs opening with their verb, sub-paragraphs 1.1, 1.2,
 * the secretary, who was present, apologies, officials and conflicts of interest declared.
 *
 * Paragraph numbers are written as text followed by a tab, not as Word list numbering: the
 * numbers are part of the record (other minutes cite "paragraph 3 of SSCSG-26-MIN-0002"), so they
 * must read back exactly as the minute page shows them, whatever Word or another reader does with
 * list definitions. The page shell (marking on every page) is classified-document.server.ts.
 */
import {
  AlignmentType,
  BorderStyle,
  HeadingLevel,
  Paragraph,
  Tab,
  TabStopType,
  TextRun,
} from "docx";
import { conflictLine } from "../meetings/conflict-line.js";
import { DECIDED_WITHOUT_QUORUM, quorumRecord } from "../meetings/quorum.js";
import type { Attendee } from "../models/attendance.server.js";
import type { MinuteParagraph, MinuteView } from "../models/minutes.server.js";
import { formatNzShortDate } from "../utils/dates.js";
import { classifiedDocumentToDocx, exportAuthor } from "./classified-document.server.js";

/** Twentieths of a point: where numbered paragraphs' text starts, and sub-paragraphs' text. */
const NUMBER_INDENT = 851; // 1.5 cm
const SUB_NUMBER_INDENT = NUMBER_INDENT * 2;

export const DRAFT_LINE = "DRAFT — not yet confirmed";

/** Builds the .docx file for a meeting's minute; the meeting must have one (it has started). */
export async function minutesToDocx(view: MinuteView): Promise<Buffer> {
  const minute = view.minute;
  if (!minute) throw new Error("this meeting has no minute yet");
  const classification = minute.classification;
  const draft = minute.status === "draft";


  const children: Paragraph[] = [
    new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: view.group.name, bold: true, size: 32 })] }),
    new Paragraph({ alignment: AlignmentType.CENTER, heading: HeadingLevel.TITLE, children: [new TextRun("Minute of Decision")] }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      children: [new TextRun({ text: draft ? DRAFT_LINE : (minute.reference ?? ""), bold: true })],
    }),
    ...confirmationLine(view),
    confidentialityStatement(view.group.name, classification),
    new Paragraph({ heading: HeadingLevel.HEADING_1, spacing: { before: 240 }, children: [new TextRun(clean(view.meeting.title))] }),
    new Paragraph({
      tabStops: [{ type: TabStopType.LEFT, position: 2835 }],
      children: [new TextRun({ text: "Portfolio", bold: true }), new TextRun({ children: [new Tab()], bold: true }), new TextRun({ text: view.group.portfolio, bold: true })],
    }),
    ...(view.meeting.heldNote ? [new Paragraph({ spacing: { before: 240 }, children: [new TextRun({ text: view.meeting.heldNote, italics: true })] })] : []),
    new Paragraph({ spacing: { before: 240, after: 120 }, children: [new TextRun(`On ${view.meeting.dateLabel}, the ${view.group.name}:`)] }),
    ...(view.withoutQuorum ? [new Paragraph({ spacing: { after: 120 }, children: [new TextRun({ text: view.withoutQuorum, bold: true })] })] : []),
    ...view.paragraphs.flatMap(decisionParagraphs),
    ...signature(minute.secretaryName),
    ...attendance(view),
  ];

  const title = `Minute of Decision: ${clean(view.meeting.title)}`;
  return classifiedDocumentToDocx({
    title,
    classification,
    description: `${draft ? "draft minute" : minute.reference} of the ${view.group.name}`,
    author: exportAuthor(view.group.name, minute.secretaryName),
    // A draft printed and separated from its first page must still say it is a draft.
    ...(draft ? { note: DRAFT_LINE } : {}),
    children,
  });
}

function confirmationLine(view: MinuteView): Paragraph[] {
  const minute = view.minute;
  if (!minute || minute.status !== "confirmed" || !minute.confirmedAt) return [];
  const at = minute.confirmedAtMeeting
    ? `Confirmed at the meeting of ${formatNzShortDate(minute.confirmedAtMeeting.startsAt)}`
    : `Confirmed on ${formatNzShortDate(minute.confirmedAt)}`;
  return [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: at, size: 20 })] })];
}

/** The Cabinet minute's confidentiality statement, said for the group. */
function confidentialityStatement(groupName: string, classification: string): Paragraph {
  const rule = { style: BorderStyle.SINGLE, size: 6, color: "1B1F24", space: 6 };
  return new Paragraph({
    spacing: { before: 240, after: 240 },
    border: { top: rule, bottom: rule },
    children: [
      new TextRun({
        italics: true,
        text:
          `This document contains information for the ${groupName}. It must be treated in confidence and handled ` +
          `in accordance with its security classification (${classification}) and any other endorsement. The information can only be ` +
          "released, including under the Official Information Act 1982, by persons with the appropriate authority.",
      }),
    ],
  });
}

/**
 * One decision as the minute prints it: its heading (if it starts one), "3<tab>agreed …" for a
 * numbered paragraph with the verb in bold, "3.1<tab>agreed …" indented for a sub-paragraph with
 * the verb in plain type, then any correction and action notes under it.
 */
function decisionParagraphs(paragraph: MinuteParagraph): Paragraph[] {
  const sub = paragraph.parentId !== null;
  const indent = sub ? SUB_NUMBER_INDENT : NUMBER_INDENT;
  const out: Paragraph[] = [];
  if (paragraph.heading && !sub) {
    out.push(new Paragraph({ heading: HeadingLevel.HEADING_2, spacing: { before: 240 }, children: [new TextRun(clean(paragraph.heading))] }));
  }
  const bodyLines = clean(paragraph.body).split("\n");
  out.push(
    new Paragraph({
      spacing: { after: 120 },
      indent: { left: indent, hanging: NUMBER_INDENT },
      tabStops: [{ type: TabStopType.LEFT, position: indent }],
      children: [
        new TextRun({ children: [paragraph.number, new Tab()] }),
        ...(paragraph.verb ? [new TextRun({ text: paragraph.verb, bold: !sub }), new TextRun(" ")] : []),
        // References in brackets stay exactly as written, as in a Cabinet minute.
        ...bodyLines.map((line, index) => new TextRun({ text: line, ...(index > 0 ? { break: 1 } : {}) })),
      ],
    }),
  );
  const note = (text: string) =>
    new Paragraph({ spacing: { after: 120 }, indent: { left: indent }, children: [new TextRun({ text, italics: true, size: 20 })] });
  if (paragraph.withoutQuorum) out.push(note(DECIDED_WITHOUT_QUORUM));
  if (paragraph.corrects) out.push(note(`This paragraph corrects ${paragraphLocation(paragraph.corrects)}.`));
  for (const later of paragraph.correctedBy) out.push(note(`Corrected later by ${paragraphLocation(later)}.`));
  for (const action of paragraph.actions) {
    out.push(note(`Action: ${clean(action.description)} (${clean(action.owner)}, by ${formatNzShortDate(action.dueOn)}).`));
  }
  return out;
}

function paragraphLocation(location: { reference: string | null; number: string }): string {
  return location.reference ? `paragraph ${location.number} of ${location.reference}` : `paragraph ${location.number} of a draft minute not yet confirmed`;
}

/** "Sophie Lin / Secretary", as the Cabinet minute closes with the committee secretary. */
function signature(secretaryName: string | null): Paragraph[] {
  return [
    new Paragraph({ spacing: { before: 480 }, children: [new TextRun(secretaryName ? clean(secretaryName) : "")] }),
    new Paragraph({ children: [new TextRun("Secretary")] }),
  ];
}

function attendeeLine(attendee: Attendee, actingChairUserId: string | null = null): string {
  const parts = [clean(attendee.name), ...(attendee.organisation ? [`, ${clean(attendee.organisation)}`] : [])];
  if (attendee.userId === actingChairUserId) parts.push(" (Acting chair)");
  else if (attendee.alternateForName) parts.push(` (alternate for ${clean(attendee.alternateForName)})`);
  else if (attendee.role === "chair") parts.push(" (Chair)");
  else if (attendee.role === "secretary") parts.push(" (Secretary)");
  return parts.join("");
}

function attendance(view: MinuteView): Paragraph[] {
  const heading = (text: string) =>
    new Paragraph({
      spacing: { before: 240 },
      keepNext: true,
      children: [new TextRun({ text, bold: true })],
    });
  const line = (text: string) => new Paragraph({ children: [new TextRun(text)] });
  const out: Paragraph[] = [
    new Paragraph({ spacing: { before: 240 }, border: { top: { style: BorderStyle.SINGLE, size: 6, color: "1B1F24", space: 6 } }, children: [] }),
    // Decisions made between meetings have no attendance; each paragraph says how many seats took part.
    ...(view.meeting.betweenMeetings
      ? []
      : [
          heading("Present:"),
          ...(view.present.length ? view.present.map((attendee) => line(attendeeLine(attendee, view.meeting.actingChairUserId))) : [line("No attendance was recorded.")]),
          new Paragraph({ spacing: { before: 120 }, children: [new TextRun({ text: quorumRecord(view.quorum), italics: true })] }),
        ]),
  ];
  if (view.apologies.length) out.push(heading("Apologies:"), ...view.apologies.map((attendee) => line(attendeeLine(attendee))));
  if (view.officials.length) {
    out.push(heading("Officials present from:"), ...view.officials.map((official) => line(`${clean(official.name)}, ${clean(official.agency)}`)));
  }
  out.push(heading("Conflicts of interest declared:"));
  if (view.conflicts.length === 0) out.push(line("None."));
  for (const conflict of view.conflicts) {
    const { who, details } = conflictLine(conflict);
    out.push(new Paragraph({ children: [new TextRun({ text: clean(who), bold: true }), new TextRun(clean(details))] }));
  }
  return out;
}

/**
 * Text as typed, minus the control characters XML 1.0 cannot carry (one would make Word refuse
 * the whole file); Windows line ends become plain ones.
 */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "");
}
