/**
 * The set-up many HTTP tests share: a server of the suite's own with the demo group's terms of
 * reference, and demo people signed in.
 */
import { afterAll, beforeAll } from "vitest";
import type { DatabaseHandle } from "../../db/connect.js";
import { demoTermsOfReference, makePriyaAnObserver } from "./demo-records.js";
import { type TestServer, signIn, startTestServer } from "./server.js";

export interface DemoTermsServer<Role extends string> {
  server: TestServer;
  groupId: string;
  /** The terms of reference's document id. */
  termsId: string;
  /** Each role's Cookie header. */
  cookies: Record<Role, string>;
}

/**
 * Starts a server (on `database`, when given, or a fresh PGlite) before the suite and signs in
 * each role, in the order given, as `<role>@example.org`; "observer" is Priya Naidu, made an
 * observer who can sign in (makePriyaAnObserver) before anyone signs in. Hands it all to `onReady`;
 * closes the server after the suite.
 */
export function demoTermsServerForSuite<Role extends string>(
  roles: readonly Role[],
  onReady: (opened: DemoTermsServer<Role>) => void,
  options: { database?: () => DatabaseHandle } = {},
): void {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(options.database ? { database: options.database() } : {});
    const db = server.services.db;
    const terms = await demoTermsOfReference(db);
    if (roles.includes("observer" as Role)) await makePriyaAnObserver(db, terms.group_id);
    const cookies = {} as Record<Role, string>;
    for (const role of roles) {
      cookies[role] = await signIn(server, role === "observer" ? "priya.naidu@example.org" : `${role}@example.org`);
    }
    onReady({ server, groupId: terms.group_id, termsId: terms.id, cookies });
  });
  afterAll(async () => {
    await server?.close();
  });
}
