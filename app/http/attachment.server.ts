/** Files people download (the Word exports): one way to answer with them. */

export const DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/**
 * A download of `file` as `fileName` (ASCII, from exportFileName). Classified content: never kept
 * by a shared cache, never sniffed as another type.
 */
export function attachment(file: Uint8Array, fileName: string, type: string): Response {
  return new Response(new Uint8Array(file), {
    headers: {
      "Content-Type": type,
      "Content-Length": String(file.byteLength),
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
