/**
 * A consultation's summary of comments as a Word document (.docx): each anchored thread with the
 * words it points at, then every comment with who (and their organisation) and when in New
 * Zealand time. The page shell (marking on every page) is classified-document.server.ts.
 */
import { HeadingLevel, Paragraph, TextRun } from "docx";
import type { SummaryThread } from "../models/consultations.server.js";
import { formatNzDateTime } from "../utils/dates.js";
import { classifiedDocumentToDocx, exportAuthor } from "./classified-document.server.js";

export interface ConsultationSummaryExport {
  documentTitle: string;
  groupName: string;
  classification: string;
  /** E.g. "Open for comments until Friday 5 March 2027 at 11:59 pm". */
  consultationLine: string | null;
  threads: SummaryThread[];
  /** The group's secretary, named with the group in the file's properties. */
  secretaryName?: string | null;
}

/** Builds the .docx file for a consultation summary. */
export async function consultationSummaryToDocx(input: ConsultationSummaryExport): Promise<Buffer> {
  const title = `Consultation summary: ${input.documentTitle}`;
  const children: Paragraph[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(title)] }),
    new Paragraph({ children: [new TextRun({ text: input.groupName, italics: true })] }),
    ...(input.consultationLine ? [new Paragraph({ children: [new TextRun(input.consultationLine)] })] : []),
  ];
  if (input.threads.length === 0) children.push(new Paragraph({ children: [new TextRun("No comments were made.")] }));
  input.threads.forEach((thread, index) => {
    children.push(
      new Paragraph({
        heading: HeadingLevel.HEADING_2,
        children: [new TextRun(`Comment ${index + 1}${thread.status ? ` (${thread.status})` : ""}`)],
      }),
      new Paragraph({
        indent: { left: 720 },
        children: [new TextRun({ text: "On: ", bold: true }), new TextRun({ text: `“${thread.quote}”`, italics: true })],
      }),
    );
    for (const comment of thread.comments) {
      const who = comment.organisation ? `${comment.author}, ${comment.organisation}` : comment.author;
      children.push(
        new Paragraph({ children: [new TextRun({ text: `${who} · ${formatNzDateTime(comment.createdAt)}`, bold: true })] }),
        ...comment.body.split("\n").map((line) => new Paragraph({ children: [new TextRun(line)] })),
      );
    }
  });

  return classifiedDocumentToDocx({
    title,
    classification: input.classification,
    description: title,
    author: exportAuthor(input.groupName, input.secretaryName),
    children,
  });
}
