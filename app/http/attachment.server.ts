/** Files people download (the Word exports): one way to answer with them. */
import crypto from "node:crypto";

export const DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/**
 * Identifies the code that renders exports: a new process (a deploy or restart) may render them
 * differently, so its ETags differ from the last one's. Within one process the same inputs make
 * the same file.
 */
const renderer = crypto.randomUUID();

/**
 * The ETag of an export made from `inputs` (what the file is rendered from: the version's content,
 * the title, the marking…). The Word files are zipped with the time they were made, so their bytes
 * differ each time; the inputs do not (docs/decisions/022-compression-and-caching.md).
 */
export function exportETag(inputs: unknown): string {
  const hash = crypto.createHash("sha256").update(renderer);
  hash.update(JSON.stringify(inputs, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString("base64") : value)));
  return `"${hash.digest("base64url")}"`;
}

/** A 304 when the browser already holds the export with this ETag; otherwise null. */
export function notModified(request: Request, etag: string): Response | null {
  const given = request.headers.get("if-none-match");
  if (!given) return null;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  const matches = given.trim() === "*" || given.split(",").some((tag) => bare(tag) === bare(etag));
  return matches ? new Response(null, { status: 304, headers: { ETag: etag, "Cache-Control": "private, no-cache" } }) : null;
}

/**
 * A download of `file` as `fileName` (ASCII, from exportFileName). Classified content: never kept
 * by a shared cache (the browser keeps it privately and asks again each time, with its ETag),
 * never sniffed as another type.
 */
export function attachment(file: Uint8Array, fileName: string, type: string, etag?: string): Response {
  return new Response(new Uint8Array(file), {
    headers: {
      "Content-Type": type,
      "Content-Length": String(file.byteLength),
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "private, no-cache",
      "X-Content-Type-Options": "nosniff",
      ...(etag ? { ETag: etag } : {}),
    },
  });
}
