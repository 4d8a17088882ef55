/** What the rest of the server may ask of the Yjs collaboration endpoint: see app/services.ts. */
export type { CollaborationService } from "../../app/services.js";
