/** Types the Remix `context` argument as what server/app.ts passes (see app/services.ts). */
import type { RequestContext } from "./services.js";

declare module "@remix-run/server-runtime" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends RequestContext {}
}

export type { RequestContext };
