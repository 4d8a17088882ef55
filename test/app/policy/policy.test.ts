import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { MembershipRole } from "../../../db/database.js";
import { type Action, type Actor, type Subject, actions, can, permissionsFor, permissionsMarkdown, subjects } from "../../../app/policy/policy.js";

const GROUP = "11111111-1111-4111-8111-111111111111";
const OTHER_GROUP = "22222222-2222-4222-8222-222222222222";

/**
 * The expected answers, written out by hand from DOMAIN.md's table of who may do what.
 * Kept separate from the module's own table on purpose, so a changed rule fails this test.
 */
const Y = true;
const N = false;
//                                    chair secr  memb  mino  cons  obsv  admin
const expected: Record<Action, [boolean, boolean, boolean, boolean, boolean, boolean, boolean]> = {
  "group.view":                      [Y,    Y,    Y,    Y,    Y,    Y,    N],
  "group.members.view":              [Y,    Y,    Y,    Y,    N,    Y,    Y],
  "group.members.invite":            [Y,    Y,    N,    N,    N,    N,    Y],
  "group.members.manage":            [Y,    Y,    N,    N,    N,    N,    Y],
  "group.audit.view":                [N,    N,    N,    N,    N,    N,    Y],
  "document.list":                   [Y,    Y,    Y,    Y,    N,    Y,    N],
  "document.read":                   [Y,    Y,    Y,    Y,    N,    Y,    N],
  "document.history":                [Y,    Y,    Y,    Y,    N,    Y,    N],
  "document.create":                 [Y,    Y,    Y,    N,    N,    N,    N],
  "document.edit":                   [Y,    Y,    Y,    N,    N,    N,    N],
  "document.archive":                [Y,    Y,    N,    N,    N,    N,    N],
  "document.comment":                [Y,    Y,    Y,    Y,    N,    N,    N],
  "document.follow":                 [Y,    Y,    Y,    Y,    N,    Y,    N],
  "comment.edit":                    [Y,    Y,    Y,    Y,    N,    N,    N],
  "document.submit":                 [Y,    Y,    N,    N,    N,    N,    N],
  "document.approve":                [N,    N,    N,    Y,    N,    N,    N],
  "submission.withdraw":             [Y,    Y,    N,    N,    N,    N,    N],
  "consultation.manage":             [Y,    Y,    N,    N,    N,    N,    N],
  "consultation.view":               [Y,    Y,    Y,    Y,    N,    Y,    N],
  "meeting.view":                    [Y,    Y,    Y,    Y,    N,    Y,    N],
  "meeting.manage":                  [Y,    Y,    N,    N,    N,    N,    N],
  "meeting.run":                     [Y,    N,    N,    N,    N,    N,    N],
  "decision.record":                 [Y,    Y,    N,    N,    N,    N,    N],
  "minutes.confirm":                 [Y,    Y,    N,    N,    N,    N,    N],
  "action.update":                   [Y,    Y,    N,    N,    N,    N,    N],
  "proposal.view":                   [Y,    Y,    Y,    Y,    N,    Y,    N],
  "proposal.open":                   [Y,    Y,    N,    N,    N,    N,    N],
  "proposal.take_part":              [Y,    N,    Y,    N,    N,    N,    N],
  "proposal.results.view":           [Y,    Y,    Y,    Y,    N,    Y,    N],
  "proposal.participation.view":     [Y,    Y,    N,    N,    N,    N,    N],
  "proposal.settings":               [Y,    Y,    N,    N,    N,    N,    N],
  "proposal.close":                  [Y,    N,    N,    N,    N,    N,    N],
  "proposal.run_live":               [Y,    N,    N,    N,    N,    N,    N],
  "proposal.show_of_hands":          [Y,    Y,    N,    N,    N,    N,    N],
  "platform.administer":             [N,    N,    N,    N,    N,    N,    Y],
};

function actorFor(subject: Subject): Actor {
  const rolesByGroup = new Map<string, MembershipRole>();
  if (subject !== "platform_admin") rolesByGroup.set(GROUP, subject);
  return { id: `user-${subject}`, isPlatformAdmin: subject === "platform_admin", rolesByGroup };
}

function resourceFor(action: Action) {
  if (action === "platform.administer") return { type: "platform" } as const;
  // Another person's comment, and someone else's pending submission: only the role decides.
  if (action === "comment.edit") return { type: "comment", groupId: GROUP, actorIsAuthor: true } as const;
  if (action === "submission.withdraw") return { type: "submission", groupId: GROUP, actorIsSubmitter: false, pending: true } as const;
  if (action.startsWith("document.")) return { type: "document", groupId: GROUP } as const;
  if (action.startsWith("consultation.")) return { type: "consultation", groupId: GROUP } as const;
  if (action.startsWith("action.")) return { type: "action", groupId: GROUP } as const;
  if (action === "proposal.run_live") return { type: "meeting", groupId: GROUP } as const;
  if (action.startsWith("proposal.")) return { type: "proposal", groupId: GROUP, open: true, resultsShown: true, actorEligible: true, everyoneTookPart: true, liveAtMeeting: true } as const;
  return { type: "group", groupId: GROUP } as const;
}

describe("the policy", () => {
  it("knows every action in the expected table", () => {
    expect(Object.keys(expected).sort()).toEqual([...actions].sort());
  });

  for (const action of actions) {
    subjects.forEach((subject, column) => {
      const allowed = expected[action][column];
      it(`${allowed ? "allows" : "denies"} ${subject} to ${action}`, () => {
        expect(can(actorFor(subject), action, resourceFor(action))).toBe(allowed);
      });
    });
  }

  it("denies everything to someone not signed in", () => {
    for (const action of actions) expect(can(null, action, resourceFor(action))).toBe(false);
  });

  it("gives a member of one group nothing in another group", () => {
    const member = actorFor("chair");
    for (const action of actions) {
      if (action === "platform.administer") continue;
      const resource = action.startsWith("document.")
        ? ({ type: "document", groupId: OTHER_GROUP } as const)
        : ({ type: "group", groupId: OTHER_GROUP } as const);
      expect(can(member, action, resource)).toBe(false);
    }
  });

  it("lets nobody edit a document locked for approval", () => {
    for (const subject of subjects) {
      expect(can(actorFor(subject), "document.edit", { type: "document", groupId: GROUP, locked: true })).toBe(false);
    }
    expect(can(actorFor("secretary"), "document.read", { type: "document", groupId: GROUP, locked: true })).toBe(true);
  });

  it("lets a consultee read and comment only on a document opened to them, never edit it", () => {
    const consultee = actorFor("consultee");
    const opened = { type: "document", groupId: GROUP, openToActorForConsultation: true } as const;
    expect(can(consultee, "document.read", opened)).toBe(true);
    expect(can(consultee, "document.comment", opened)).toBe(true);
    expect(can(consultee, "document.follow", opened)).toBe(true);
    expect(can(consultee, "document.follow", { ...opened, openToActorForConsultation: false })).toBe(false);
    expect(can(consultee, "document.edit", opened)).toBe(false);
    expect(can(consultee, "document.history", opened)).toBe(false);
    expect(can(consultee, "document.list", { type: "group", groupId: GROUP })).toBe(false);
  });

  it("shows a consultee only the consultations they were invited to, open or closed", () => {
    const consultee = actorFor("consultee");
    expect(can(consultee, "consultation.view", { type: "consultation", groupId: GROUP, actorInvited: true })).toBe(true);
    expect(can(consultee, "consultation.view", { type: "consultation", groupId: GROUP, actorInvited: false })).toBe(false);
    expect(can(consultee, "consultation.view", { type: "consultation", groupId: OTHER_GROUP, actorInvited: true })).toBe(false);
    expect(can(actorFor("member"), "consultation.view", { type: "consultation", groupId: GROUP })).toBe(true);
  });

  it("lets a member run a meeting only as its named acting chair", () => {
    const member = actorFor("member");
    expect(can(member, "meeting.run", { type: "meeting", groupId: GROUP, actorIsActingChair: true })).toBe(true);
    expect(can(member, "meeting.run", { type: "meeting", groupId: GROUP, actorIsActingChair: false })).toBe(false);
    expect(can(member, "meeting.run", { type: "group", groupId: GROUP })).toBe(false);
    expect(can(actorFor("secretary"), "meeting.run", { type: "meeting", groupId: GROUP, actorIsActingChair: true })).toBe(false);
    expect(can(actorFor("chair"), "meeting.run", { type: "meeting", groupId: GROUP })).toBe(true);
  });

  it("lets only a comment's author change or delete it, and a consultee only while the document is open to them", () => {
    for (const subject of ["chair", "secretary", "member", "minister_office"] as const) {
      expect(can(actorFor(subject), "comment.edit", { type: "comment", groupId: GROUP, actorIsAuthor: true })).toBe(true);
      expect(can(actorFor(subject), "comment.edit", { type: "comment", groupId: GROUP, actorIsAuthor: false })).toBe(false);
    }
    const consultee = actorFor("consultee");
    expect(can(consultee, "comment.edit", { type: "comment", groupId: GROUP, actorIsAuthor: true, openToActorForConsultation: true })).toBe(true);
    expect(can(consultee, "comment.edit", { type: "comment", groupId: GROUP, actorIsAuthor: true, openToActorForConsultation: false })).toBe(false);
    expect(can(actorFor("observer"), "comment.edit", { type: "comment", groupId: GROUP, actorIsAuthor: true })).toBe(false);
  });

  it("lets the submitter, the chair or the secretary withdraw a submission, and only while it is pending", () => {
    const own = { type: "submission", groupId: GROUP, actorIsSubmitter: true, pending: true } as const;
    expect(can(actorFor("member"), "submission.withdraw", own)).toBe(true);
    expect(can(actorFor("member"), "submission.withdraw", { ...own, actorIsSubmitter: false })).toBe(false);
    expect(can(actorFor("secretary"), "submission.withdraw", { ...own, actorIsSubmitter: false })).toBe(true);
    expect(can(actorFor("chair"), "submission.withdraw", { ...own, pending: false })).toBe(false);
    expect(can(actorFor("consultee"), "submission.withdraw", own)).toBe(false);
  });

  it("lets nobody archive a document twice", () => {
    expect(can(actorFor("chair"), "document.archive", { type: "document", groupId: GROUP, locked: true })).toBe(false);
    expect(can(actorFor("chair"), "document.archive", { type: "document", groupId: GROUP, locked: false })).toBe(true);
  });

  it("answers a page's questions at once (policy serialisation)", () => {
    const may = permissionsFor(actorFor("member"), { type: "document", groupId: GROUP }, ["document.edit", "document.archive"]);
    expect(may).toEqual({ "document.edit": true, "document.archive": false });
  });

  it("lets only an eligible seat take part, only while open; shows hidden results only at close; closes early only once everyone took part", () => {
    const open = { type: "proposal", groupId: GROUP, open: true, resultsShown: false, actorEligible: true, everyoneTookPart: false } as const;
    const closed = { ...open, open: false, resultsShown: true } as const;
    for (const subject of ["chair", "member"] as const) {
      expect(can(actorFor(subject), "proposal.take_part", open)).toBe(true);
      expect(can(actorFor(subject), "proposal.take_part", { ...open, actorEligible: false })).toBe(false);
      expect(can(actorFor(subject), "proposal.take_part", closed)).toBe(false);
    }
    for (const subject of ["secretary", "minister_office", "observer", "consultee", "platform_admin"] as const) {
      expect(can(actorFor(subject), "proposal.take_part", open)).toBe(false);
    }
    for (const subject of ["chair", "secretary", "member", "minister_office", "observer"] as const) {
      expect(can(actorFor(subject), "proposal.results.view", open)).toBe(false);
      expect(can(actorFor(subject), "proposal.results.view", closed)).toBe(true);
    }
    expect(can(actorFor("chair"), "proposal.close", open)).toBe(false);
    expect(can(actorFor("chair"), "proposal.close", { ...open, everyoneTookPart: true })).toBe(true);
    expect(can(actorFor("chair"), "proposal.close", { ...closed, everyoneTookPart: true })).toBe(false);
    expect(can(actorFor("secretary"), "proposal.settings", closed)).toBe(false);
    expect(can(actorFor("platform_admin"), "proposal.view", open)).toBe(false);
    // A proposal action asked of something that is not a proposal is refused.
    expect(can(actorFor("chair"), "proposal.take_part", { type: "group", groupId: GROUP })).toBe(false);
  });

  it("lets the chair, or a member named acting chair, run a proposal live; a show of hands only while it is live and open", () => {
    const meeting = { type: "meeting", groupId: GROUP } as const;
    const acting = { ...meeting, actorIsActingChair: true } as const;
    expect(can(actorFor("chair"), "proposal.run_live", meeting)).toBe(true);
    expect(can(actorFor("member"), "proposal.run_live", meeting)).toBe(false);
    expect(can(actorFor("member"), "proposal.run_live", acting)).toBe(true);
    for (const subject of ["secretary", "minister_office", "observer", "consultee", "platform_admin"] as const) {
      // Named acting chair or not, only a chair or member runs the vote.
      expect(can(actorFor(subject), "proposal.run_live", acting)).toBe(false);
    }
    // Asked of something that is not a meeting, it is refused.
    expect(can(actorFor("chair"), "proposal.run_live", { type: "group", groupId: GROUP })).toBe(false);
    const live = { type: "proposal", groupId: GROUP, open: true, resultsShown: true, actorEligible: false, everyoneTookPart: false, liveAtMeeting: true } as const;
    for (const subject of ["chair", "secretary"] as const) {
      expect(can(actorFor(subject), "proposal.show_of_hands", live)).toBe(true);
      expect(can(actorFor(subject), "proposal.show_of_hands", { ...live, liveAtMeeting: false })).toBe(false);
      expect(can(actorFor(subject), "proposal.show_of_hands", { ...live, open: false })).toBe(false);
      expect(can(actorFor(subject), "proposal.show_of_hands", meeting)).toBe(false);
    }
    for (const subject of ["member", "minister_office", "observer", "consultee", "platform_admin"] as const) {
      expect(can(actorFor(subject), "proposal.show_of_hands", live)).toBe(false);
    }
  });

  it("lets a member update only the actions they or their organisation own", () => {
    const member = actorFor("member");
    expect(can(member, "action.update", { type: "action", groupId: GROUP, actorOwns: true })).toBe(true);
    expect(can(member, "action.update", { type: "action", groupId: GROUP, actorOwns: false })).toBe(false);
    expect(can(member, "action.update", { type: "group", groupId: GROUP })).toBe(false);
    expect(can(actorFor("secretary"), "action.update", { type: "action", groupId: GROUP, actorOwns: false })).toBe(true);
    expect(can(actorFor("observer"), "action.update", { type: "action", groupId: GROUP, actorOwns: true })).toBe(false);
  });

  it("keeps a platform administrator who is also a member to their member's rights on documents", () => {
    const adminMember: Actor = { id: "u", isPlatformAdmin: true, rolesByGroup: new Map([[GROUP, "member"]]) };
    expect(can(adminMember, "document.read", { type: "document", groupId: GROUP })).toBe(true);
    expect(can(adminMember, "document.approve", { type: "document", groupId: GROUP })).toBe(false);
    expect(can(adminMember, "group.members.manage", { type: "group", groupId: GROUP })).toBe(true);
  });

  it("matches docs/permissions.md (run `npm run docs:permissions` after changing a rule)", () => {
    const file = fs.readFileSync(path.resolve(import.meta.dirname, "..", "..", "..", "docs", "permissions.md"), "utf8");
    expect(file).toBe(permissionsMarkdown());
  });
});
