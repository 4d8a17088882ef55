/**
 * Every migration, in order. A new migration is a new file here and a line below (a test checks
 * that the two agree); the server imports them all at start, so it needs no loader for `.ts` files.
 */
import type { Migration } from "kysely";
import * as m0 from "./20261123T1100_initial.js";
import * as m1 from "./20261123T1200_identity.js";
import * as m2 from "./20261123T1300_collaboration.js";
import * as m3 from "./20261123T1400_approvals.js";
import * as m4 from "./20261123T1410_notifications.js";
import * as m5 from "./20261123T1500_comments.js";
import * as m6 from "./20261123T1510_consultations.js";
import * as m7 from "./20261201T1000_meetings_and_decisions.js";
import * as m8 from "./20261204T1000_background_work.js";
import * as m9 from "./20261205T0900_comment_following.js";
import * as m10 from "./20261206T1000_comment_quote_context.js";
import * as m11 from "./20261206T1010_reply_tokens.js";
import * as m12 from "./20261207T1000_proposals.js";
import * as m13 from "./20261207T1100_search.js";
import * as m14 from "./20261207T1200_search_proposals.js";
import * as m15 from "./20261208T0100_proposal_reply_tokens.js";
import * as m16 from "./20261208T1000_proposals_at_meetings.js";

export const migrations: Record<string, Migration> = {
  "20261123T1100_initial": m0,
  "20261123T1200_identity": m1,
  "20261123T1300_collaboration": m2,
  "20261123T1400_approvals": m3,
  "20261123T1410_notifications": m4,
  "20261123T1500_comments": m5,
  "20261123T1510_consultations": m6,
  "20261201T1000_meetings_and_decisions": m7,
  "20261204T1000_background_work": m8,
  "20261205T0900_comment_following": m9,
  "20261206T1000_comment_quote_context": m10,
  "20261206T1010_reply_tokens": m11,
  "20261207T1000_proposals": m12,
  "20261207T1100_search": m13,
  "20261207T1200_search_proposals": m14,
  "20261208T0100_proposal_reply_tokens": m15,
  "20261208T1000_proposals_at_meetings": m16,
};
