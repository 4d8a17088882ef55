/**
 * What each page of the web app makes the browser download: its JavaScript and CSS, raw, gzipped
 * and brotli-compressed, read from the Remix build (the browser manifest in public/build and the
 * compiler's esbuild metafile, build/metafile.js.json). Used by `npm run budgets`.
 *
 * A page is a route with a component (resource routes such as the .docx exports have none) and the
 * routes above it (root, layouts). Its JavaScript is the client entry, each route module of that
 * chain and everything those import, statically or lazily (`import()`): a lazy chunk is counted on
 * every page that can load it, so a page never looks lighter than it can be.
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

export interface FileSizes {
  raw: number;
  gzip: number;
  brotli: number;
}

export interface PageWeight {
  /** The leaf route's id, e.g. `routes/groups.$groupId.documents._index`. */
  routeId: string;
  js: FileSizes;
  css: FileSizes;
  jsFiles: string[];
  cssFiles: string[];
}

interface ManifestRoute {
  id: string;
  parentId?: string;
  module: string;
  imports?: string[];
}

interface BrowserManifest {
  entry: { module: string; imports?: string[] };
  routes: Record<string, ManifestRoute>;
}

interface Metafile {
  outputs: Record<string, { imports: { path: string; kind: string }[]; exports: string[] }>;
}

/** Sizes the way they go over the wire: brotli at its best quality, as the build precompresses them. */
export function compressedSizes(content: Buffer): FileSizes {
  return {
    raw: content.length,
    gzip: zlib.gzipSync(content, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(content, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length },
    }).length,
  };
}

/** The browser manifest the last build wrote (public/build/manifest-<hash>.js). */
export function readBrowserManifest(rootDir: string): BrowserManifest {
  const buildDir = path.join(rootDir, "public", "build");
  const names = fs.existsSync(buildDir) ? fs.readdirSync(buildDir).filter((name) => /^manifest-\w+\.js$/.test(name)) : [];
  if (names.length !== 1) {
    throw new Error(`expected one public/build/manifest-*.js, found ${names.length}: run \`npm run build\` first`);
  }
  const text = fs.readFileSync(path.join(buildDir, names[0]!), "utf8");
  const json = text.replace(/^window\.__remixManifest=/, "").replace(/;\s*$/, "");
  return JSON.parse(json) as BrowserManifest;
}

/** Every page's JavaScript and CSS, heaviest JavaScript first. */
export function measurePages(rootDir: string): PageWeight[] {
  const manifest = readBrowserManifest(rootDir);
  const metafilePath = path.join(rootDir, "build", "metafile.js.json");
  if (!fs.existsSync(metafilePath)) throw new Error("build/metafile.js.json is missing: run `npm run build` first");
  const metafile = JSON.parse(fs.readFileSync(metafilePath, "utf8")) as Metafile;
  // Manifest URLs are /build/…; metafile outputs are public/build/… relative to the root.
  const outputKey = (url: string) => `public${url}`;
  const sizeCache = new Map<string, FileSizes>();
  const sizesOf = (key: string): FileSizes => {
    let sizes = sizeCache.get(key);
    if (!sizes) {
      sizes = compressedSizes(fs.readFileSync(path.join(rootDir, key)));
      sizeCache.set(key, sizes);
    }
    return sizes;
  };

  const pages: PageWeight[] = [];
  for (const route of Object.values(manifest.routes)) {
    const output = metafile.outputs[outputKey(route.module)];
    if (!output) throw new Error(`the metafile has no output for ${route.module}`);
    if (!output.exports.includes("default")) continue; // a resource route: no page
    const chain: ManifestRoute[] = [];
    for (let at: ManifestRoute | undefined = route; at; at = at.parentId ? manifest.routes[at.parentId] : undefined) chain.unshift(at);

    const js = new Set<string>();
    const css = new Set<string>();
    const pending = [manifest.entry.module, ...(manifest.entry.imports ?? []), ...chain.flatMap((r) => [r.module, ...(r.imports ?? [])])].map(outputKey);
    while (pending.length > 0) {
      const key = pending.pop()!;
      if (js.has(key)) continue;
      js.add(key);
      for (const imported of metafile.outputs[key]?.imports ?? []) {
        if (imported.path.endsWith(".css")) css.add(imported.path);
        else if (imported.kind === "import-statement" || imported.kind === "dynamic-import") pending.push(imported.path);
      }
    }
    pages.push({
      routeId: route.id,
      js: sum([...js].map(sizesOf)),
      css: sum([...css].map(sizesOf)),
      jsFiles: [...js].sort(),
      cssFiles: [...css].sort(),
    });
  }
  return pages.sort((a, b) => b.js.brotli - a.js.brotli);
}

function sum(all: FileSizes[]): FileSizes {
  return all.reduce((total, sizes) => ({ raw: total.raw + sizes.raw, gzip: total.gzip + sizes.gzip, brotli: total.brotli + sizes.brotli }), {
    raw: 0,
    gzip: 0,
    brotli: 0,
  });
}

/** 123456 → "120.6 KB" (KB of 1,000 bytes, as the budgets are written). */
export function kilobytes(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} KB`;
}
