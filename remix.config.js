/** Remix v2 classic compiler. The app is served by our own server (server/main.ts). */
/** @type {import('@remix-run/dev').AppConfig} */
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.{ts,tsx}"],
  serverModuleFormat: "esm",
  serverPlatform: "node",
  // Kysely is some 400 small modules: loading them one by one was a fifth of a restart. Bundled
  // here and in build/server.mjs (server/cli/build-server.ts); two copies are safe, because Kysely
  // recognises query parts by their shape, not by their class.
  serverDependenciesToBundle: [/^kysely(\/.*)?$/],
  // Node built-ins may be imported by *.server.ts modules; they are never bundled for the browser.
  browserNodeBuiltinsPolyfill: { modules: {} },
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: true,
  },
};
