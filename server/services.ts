/**
 * The services one server process holds. The app's view of them (what loaders, actions and models
 * may use) is `AppServices` in app/services.ts; the process itself also holds its configuration in
 * full and the database handle it opened. server/app.ts builds them.
 */
import type { AppServices } from "../app/services.js";
import type { DatabaseHandle } from "../db/connect.js";
import type { Config } from "./config.js";

export type { AppServices, RequestContext } from "../app/services.js";

export interface ServerServices extends AppServices {
  config: Config;
  database: DatabaseHandle;
}
