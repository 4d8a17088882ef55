/**
 * Writes a brotli (`.br`) and a gzip (`.gz`) copy beside each JavaScript and CSS file of the
 * browser build, at the best quality each offers, once at build time. The server sends those
 * copies as files (server/http/compression.ts), so no asset is compressed per request
 * (docs/decisions/022-compression-and-caching.md).
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const compressible = /\.(js|css|json|svg|txt|map)$/;

/** Compresses every compressible file under `directory`; returns how many files it wrote. */
export async function precompressDirectory(directory: string): Promise<number> {
  const files = (fs.readdirSync(directory, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile() && compressible.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
  let written = 0;
  await Promise.all(
    files.map(async (file) => {
      const content = await fs.promises.readFile(file);
      const [brotli, gzip] = await Promise.all([
        brotliCompress(content, {
          params: {
            [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length,
            [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
          },
        }),
        gzipCompress(content, { level: zlib.constants.Z_BEST_COMPRESSION }),
      ]);
      // A copy no smaller than the file itself is not worth a second request path.
      if (brotli.length < content.length) {
        await fs.promises.writeFile(`${file}.br`, brotli);
        written += 1;
      }
      if (gzip.length < content.length) {
        await fs.promises.writeFile(`${file}.gz`, gzip);
        written += 1;
      }
    }),
  );
  return written;
}

function brotliCompress(content: Buffer, options: zlib.BrotliOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => zlib.brotliCompress(content, options, (error, result) => (error ? reject(error) : resolve(result))));
}

function gzipCompress(content: Buffer, options: zlib.ZlibOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => zlib.gzip(content, options, (error, result) => (error ? reject(error) : resolve(result))));
}
