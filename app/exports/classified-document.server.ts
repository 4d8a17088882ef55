/**
 * The one Word page shell every export shares (versions, consultation summaries, minutes): the
 * classification marking in the header and footer of every page (NZ Protective Security
 * Requirements), an optional note printed with it (such as "DRAFT — not yet confirmed", so a page
 * separated from the first still says so), page numbers, and the file's properties: its title, a
 * description that starts with the classification, and who it is by (the group and its secretary,
 * never Word's "Un-named").
 */
import { AlignmentType, Document, Footer, Header, type INumberingOptions, Packer, PageNumber, Paragraph, TextRun } from "docx";

export interface ClassifiedDocument {
  title: string;
  classification: string;
  /** What the file is, after its classification: "SSCSG-26-MIN-0002 of the Stewardship Group". */
  description: string;
  /** Who the file is by, as its properties show it: the group, and the secretary when known. */
  author: string;
  /** Printed with the marking on every page. */
  note?: string;
  numbering?: INumberingOptions;
  children: Paragraph[];
}

export const PRODUCT_NAME = "Stewardship Workspace";

/** "Stewardship Group (secretary: Mere Tane)", or the group alone. */
export function exportAuthor(groupName: string, secretaryName: string | null | undefined): string {
  return secretaryName ? `${groupName} (secretary: ${secretaryName})` : groupName;
}

export async function classifiedDocumentToDocx(input: ClassifiedDocument): Promise<Buffer> {
  const marking = () =>
    new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: input.classification, bold: true })] });
  const note = () =>
    input.note ? [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: input.note, size: 18 })] })] : [];
  const document = new Document({
    title: input.title,
    creator: input.author,
    lastModifiedBy: PRODUCT_NAME,
    description: `${input.classification}: ${input.description}`,
    ...(input.numbering ? { numbering: input.numbering } : {}),
    sections: [
      {
        headers: { default: new Header({ children: [marking(), ...note()] }) },
        footers: {
          default: new Footer({
            children: [
              ...note(),
              marking(),
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [new TextRun({ children: ["Page ", PageNumber.CURRENT, " of ", PageNumber.TOTAL_PAGES], size: 18 })],
              }),
            ],
          }),
        },
        children: input.children,
      },
    ],
  });
  return Packer.toBuffer(document);
}
