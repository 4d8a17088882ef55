/**
 * A document version as a Word document (.docx), e.g. the approved terms of reference sent to a
 * Minister's office. The text is read from the version's stored Yjs state (the same tree the
 * editor shows, see app/documents/content.ts) rather than by parsing its HTML. Every page carries
 * the classification marking in its header and footer (NZ Protective Security Requirements).
 *
 * Lists: bulleted and numbered lists nest; numbered lists number as 1, 1.1, 1.1.1 and each
 * top-level numbered list starts again at 1. Tables are written as one line per row (cells
 * separated by tabs): enough for the record, not a laid-out table.
 */
import { AlignmentType, BorderStyle, ExternalHyperlink, HeadingLevel, LevelFormat, Paragraph, type ParagraphChild, TextRun } from "docx";
import * as Y from "yjs";
import { COLLAB_FIELD } from "../documents/content.js";
import { type ExportApproval, approvalHashLine, approvalSentence } from "../documents/approval-wording.js";
import { classifiedDocumentToDocx, exportAuthor } from "./classified-document.server.js";

export type { ExportApproval };

export interface VersionExport {
  title: string;
  groupName: string;
  classification: string;
  /** The version's stored Yjs state (document_versions.state), or the Y.Doc itself. */
  content: Uint8Array | Y.Doc;
  /** E.g. "Version 3, saved Tuesday 8 December 2026"; shown under the title. */
  versionLabel?: string;
  /** The group's secretary, named with the group in the file's properties. */
  secretaryName?: string | null;
  approval?: ExportApproval;
}

const ORDERED_LIST = "ordered-list";
const HEADINGS = [
  HeadingLevel.HEADING_1,
  HeadingLevel.HEADING_2,
  HeadingLevel.HEADING_3,
  HeadingLevel.HEADING_4,
  HeadingLevel.HEADING_5,
  HeadingLevel.HEADING_6,
] as const;
/** Word supports nine list levels; deeper lists stay at the ninth. */
const MAX_LIST_LEVEL = 8;

/** Builds the .docx file for one version. */
export async function versionToDocx(input: VersionExport): Promise<Buffer> {
  const doc = input.content instanceof Y.Doc ? input.content : docFromState(input.content);
  const writer = new BodyWriter();
  for (const node of doc.getXmlFragment(COLLAB_FIELD).toArray()) writer.block(node, null);

  const children: Paragraph[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(input.title)] }),
    new Paragraph({ children: [new TextRun({ text: input.groupName, italics: true })] }),
    ...(input.versionLabel ? [new Paragraph({ children: [new TextRun(input.versionLabel)] })] : []),
    ...writer.paragraphs,
    ...(input.approval ? approvalBlock(input.approval) : []),
  ];
  return classifiedDocumentToDocx({
    title: input.title,
    classification: input.classification,
    description: input.versionLabel ? `${input.title}, ${input.versionLabel}` : input.title,
    author: exportAuthor(input.groupName, input.secretaryName),
    numbering: {
      config: [
        {
          reference: ORDERED_LIST,
          levels: Array.from({ length: MAX_LIST_LEVEL + 1 }, (_, level) => ({
            level,
            format: LevelFormat.DECIMAL,
            // 1. / 1.1. / 1.1.1.
            text: `${Array.from({ length: level + 1 }, (_unused, i) => `%${i + 1}`).join(".")}.`,
            alignment: AlignmentType.START,
            style: { paragraph: { indent: { left: 720 * (level + 1), hanging: 360 + 180 * Math.min(level, 3) } } },
          })),
        },
      ],
    },
    children,
  });
}

function docFromState(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}

function approvalBlock(approval: ExportApproval): Paragraph[] {
  const border = { style: BorderStyle.SINGLE, size: 8, color: "1B1F24", space: 6 };
  return [
    new Paragraph({ heading: HeadingLevel.HEADING_2, spacing: { before: 480 }, children: [new TextRun("Approval")] }),
    new Paragraph({
      border: { top: border, left: border, right: border },
      children: [new TextRun({ text: approvalSentence(approval), bold: true })],
    }),
    new Paragraph({
      border: { bottom: border, left: border, right: border },
      children: [new TextRun({ text: approvalHashLine(approval), font: "Courier New", size: 18 })],
    }),
  ];
}

/** Where a paragraph sits in a list: its level and how it is marked. */
interface ListContext {
  level: number;
  ordered: boolean;
  /** Numbered lists: the numbering instance (one per top-level list, so each starts at 1). */
  instance: number;
  /** A list item's second and later paragraphs are indented, not numbered again. */
  continuation: boolean;
}

type XmlNode = Y.XmlElement | Y.XmlText | Y.XmlHook;

interface DeltaOp {
  insert?: unknown;
  attributes?: Record<string, unknown>;
}

/** Walks the Yjs tree (TipTap's node names) and collects the body's paragraphs. */
class BodyWriter {
  readonly paragraphs: Paragraph[] = [];
  private listInstances = 0;

  block(node: XmlNode, list: ListContext | null, options: { indent?: number; code?: boolean } = {}): void {
    if (node instanceof Y.XmlText) {
      this.paragraphs.push(new Paragraph({ children: inlineRuns(node, options.code ?? false) }));
      return;
    }
    if (!(node instanceof Y.XmlElement)) return;
    switch (node.nodeName) {
      case "paragraph":
        this.paragraphs.push(
          new Paragraph({ ...listProperties(list, options.indent), children: inlineChildren(node, options.code ?? false) }),
        );
        return;
      case "heading": {
        const level = Number(node.getAttribute("level"));
        const heading = HEADINGS[Number.isInteger(level) && level >= 1 && level <= 6 ? level - 1 : 0];
        this.paragraphs.push(new Paragraph({ heading, children: inlineChildren(node, false) }));
        return;
      }
      case "bulletList":
      case "orderedList": {
        const ordered = node.nodeName === "orderedList";
        const level = list ? Math.min(list.level + 1, MAX_LIST_LEVEL) : 0;
        // Nested numbered lists share their top-level list's instance: Word then numbers them 1.1, 1.2.
        const instance = ordered && (!list || !list.ordered) ? ++this.listInstances : (list?.instance ?? 0);
        for (const item of node.toArray()) {
          if (!(item instanceof Y.XmlElement)) continue;
          let first = true;
          for (const child of item.toArray()) {
            const isList = child instanceof Y.XmlElement && (child.nodeName === "bulletList" || child.nodeName === "orderedList");
            this.block(child, { level, ordered, instance, continuation: !first && !isList });
            if (!isList) first = false;
          }
        }
        return;
      }
      case "blockquote":
        for (const child of node.toArray()) this.block(child, list, { indent: 720 });
        return;
      case "codeBlock":
        this.paragraphs.push(new Paragraph({ ...listProperties(list, options.indent), children: inlineChildren(node, true) }));
        return;
      case "horizontalRule":
        this.paragraphs.push(
          new Paragraph({ border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: "999999", space: 1 } }, children: [] }),
        );
        return;
      case "tableRow":
        this.paragraphs.push(new Paragraph({ children: [new TextRun(node.toArray().map(cellText).join("\t"))] }));
        return;
      default:
        // table, or a node type this writer does not know yet: keep its text rather than lose it.
        for (const child of node.toArray()) this.block(child, list, options);
    }
  }
}

function listProperties(list: ListContext | null, indent: number | undefined) {
  if (!list) return indent ? { indent: { left: indent } } : {};
  if (list.continuation) return { indent: { left: 720 * (list.level + 1) } };
  return list.ordered
    ? { numbering: { reference: ORDERED_LIST, level: list.level, instance: list.instance } }
    : { bullet: { level: list.level } };
}

function cellText(cell: XmlNode): string {
  if (cell instanceof Y.XmlText) return plainText(cell);
  if (!(cell instanceof Y.XmlElement)) return "";
  return cell
    .toArray()
    .map((child) => cellText(child))
    .filter((text) => text.trim().length > 0)
    .join(" ");
}

function plainText(text: Y.XmlText): string {
  return (text.toDelta() as DeltaOp[]).map((op) => (typeof op.insert === "string" ? op.insert : "")).join("");
}

function inlineChildren(node: Y.XmlElement, code: boolean): ParagraphChild[] {
  const children: ParagraphChild[] = [];
  for (const child of node.toArray()) {
    if (child instanceof Y.XmlText) children.push(...inlineRuns(child, code));
    else if (child instanceof Y.XmlElement && child.nodeName === "hardBreak") children.push(new TextRun({ text: "", break: 1 }));
    else if (child instanceof Y.XmlElement) children.push(...inlineChildren(child, code));
  }
  return children;
}

/** Marks as Word run properties; mark names may carry a `--hash` suffix (overlapping marks). */
function inlineRuns(text: Y.XmlText, code: boolean): ParagraphChild[] {
  const runs: ParagraphChild[] = [];
  for (const op of text.toDelta() as DeltaOp[]) {
    if (typeof op.insert !== "string") continue;
    const marks = new Map<string, unknown>();
    for (const [name, value] of Object.entries(op.attributes ?? {})) marks.set(name.replace(/--.*$/, ""), value);
    const lines = op.insert.split("\n");
    const href = linkHref(marks.get("link"));
    const style = {
      ...(marks.has("bold") ? { bold: true } : {}),
      ...(marks.has("italic") ? { italics: true } : {}),
      ...(marks.has("strike") ? { strike: true } : {}),
      ...(marks.has("underline") || href ? { underline: {} } : {}),
      ...(code || marks.has("code") ? { font: "Courier New" } : {}),
      ...(href ? { color: "0B5B6E" } : {}),
    };
    const textRuns = lines.map((line, index) => new TextRun({ text: line, ...style, ...(index > 0 ? { break: 1 } : {}) }));
    runs.push(...(href ? [new ExternalHyperlink({ link: href, children: textRuns })] : textRuns));
  }
  return runs;
}

/** Only absolute web and mail links become live links in Word; others stay plain text. */
function linkHref(attrs: unknown): string | null {
  const href = typeof attrs === "object" && attrs !== null ? (attrs as { href?: unknown }).href : undefined;
  return typeof href === "string" && /^(https?:\/\/|mailto:)/i.test(href) ? href : null;
}
