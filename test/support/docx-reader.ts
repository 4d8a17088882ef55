/**
 * Reading a Word file back in tests without the docx package: the zip's parts by name, and each
 * paragraph's text with its tabs and line breaks, so a test sees "1\tnoted that …" as Word shows it.
 */
import zlib from "node:zlib";

/** The parts of a .docx (a zip archive) by name; stored and deflated entries are enough for docx. */
export function docxParts(archive: Buffer): Map<string, string> {
  const parts = new Map<string, string>();
  // The end-of-central-directory record is the last thing in the file (no archive comment here).
  let end = archive.length - 22;
  while (end >= 0 && archive.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error("not a zip archive");
  let entry = archive.readUInt32LE(end + 16);
  for (let remaining = archive.readUInt16LE(end + 10); remaining > 0; remaining--) {
    if (archive.readUInt32LE(entry) !== 0x02014b50) throw new Error("bad central directory entry");
    const method = archive.readUInt16LE(entry + 10);
    const size = archive.readUInt32LE(entry + 20);
    const nameLength = archive.readUInt16LE(entry + 28);
    const name = archive.toString("utf8", entry + 46, entry + 46 + nameLength);
    const local = archive.readUInt32LE(entry + 42);
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const data = archive.subarray(start, start + size);
    parts.set(name, (method === 0 ? data : zlib.inflateRawSync(data)).toString("utf8"));
    entry += 46 + nameLength + archive.readUInt16LE(entry + 30) + archive.readUInt16LE(entry + 32);
  }
  return parts;
}

export interface WordParagraph {
  /** The paragraph's text: runs joined, <w:tab/> as "\t", <w:br/> as "\n". */
  text: string;
  /** Its WordprocessingML, for checking styles and run properties. */
  xml: string;
  runs: WordRun[];
}

export interface WordRun {
  text: string;
  bold: boolean;
  italic: boolean;
}

const unescapeXml = (value: string) =>
  value.replace(/&(lt|gt|quot|apos|amp);/g, (_all, name: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[name]!);

/** Every paragraph (w:p) of a part, in document order. */
export function wordParagraphs(xml: string): WordParagraph[] {
  return [...xml.matchAll(/<w:p(?: [^>]*)?>[\s\S]*?<\/w:p>|<w:p(?: [^>]*)?\/>/g)].map(([paragraph]) => {
    const runs = [...paragraph.matchAll(/<w:r(?: [^>]*)?>([\s\S]*?)<\/w:r>/g)].map(([, run]) => {
      const properties = /<w:rPr>([\s\S]*?)<\/w:rPr>/.exec(run!)?.[1] ?? "";
      const content = run!.replace(/<w:rPr>[\s\S]*?<\/w:rPr>/, "");
      const text = [...content.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>|<w:tab\/>|<w:br\/>/g)]
        .map((piece) => (piece[0] === "<w:tab/>" ? "\t" : piece[0] === "<w:br/>" ? "\n" : unescapeXml(piece[1] ?? "")))
        .join("");
      return { text, bold: /<w:b\/>/.test(properties), italic: /<w:i\/>/.test(properties) };
    });
    return { text: runs.map((run) => run.text).join(""), xml: paragraph, runs };
  });
}
