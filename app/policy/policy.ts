/**
 * The one authorization module: `can(actor, action, resource)` answers every "may this person do
 * this?" in the product. Loaders, actions, the Socket.io handshake and events, and the Yjs upgrade
 * all call it; no rule lives anywhere else, including the ones about authorship (your own comment,
 * your own submission) and state (archived, pending). docs/permissions.md is generated from
 * `rules` below (`npm run docs:permissions`) and a test fails when the two differ.
 *
 * Pure: it reads only what it is given, so the same answer comes from every transport. Each kind
 * of resource is built in one function (app/models/policy-resources.server.ts); a page asks
 * `permissionsFor` once for what to show (Outline's policy serialisation).
 */
import type { MembershipRole } from "../../db/database.js";

/** The person asking, with the roles they hold today in each group. */
export interface Actor {
  id: string;
  isPlatformAdmin: boolean;
  /** Current roles by group id (memberships whose dates include today). */
  rolesByGroup: ReadonlyMap<string, MembershipRole>;
}

export type Resource =
  | { type: "platform" }
  | { type: "group"; groupId: string }
  | {
      type: "document";
      groupId: string;
      /** Locked once archived: kept read-only for the record. */
      locked?: boolean;
      /** A submission of it waits for the Lead Minister's office (it cannot be archived meanwhile). */
      awaitingApproval?: boolean;
      /** Consultees may read a document only while it is opened to them in a consultation. */
      openToActorForConsultation?: boolean;
    }
  | {
      type: "meeting";
      groupId: string;
      /** Whether the person asking has been asked to chair this meeting in the chair's place. */
      actorIsActingChair?: boolean;
    }
  | {
      type: "comment";
      groupId: string;
      /** Whether the person asking wrote the comment. */
      actorIsAuthor: boolean;
      /** As for its document: consultees may comment only while it is opened to them. */
      openToActorForConsultation?: boolean;
    }
  | {
      type: "submission";
      groupId: string;
      /** Whether the person asking submitted it. */
      actorIsSubmitter: boolean;
      /** Still waiting for the Lead Minister's office (not decided or withdrawn). */
      pending: boolean;
    }
  | {
      type: "action";
      groupId: string;
      /** Whether the action is owned by the person asking, or by their organisation in the group. */
      actorOwns?: boolean;
    }
  | {
      type: "consultation";
      groupId: string;
      /** Whether the person asking was one of its invited consultees. */
      actorInvited?: boolean;
    }
  | {
      type: "proposal";
      groupId: string;
      /** Still open for stances. */
      open: boolean;
      /** Results are shown as people take part, or it has closed. */
      resultsShown: boolean;
      /** The person asking may take part for a seat (its member or their alternate, no conflict declared, still a member). */
      actorEligible?: boolean;
      /** Every eligible seat has taken part. */
      everyoneTookPart?: boolean;
      /** Put live at its meeting, which is in progress (docs/decisions/021). */
      liveAtMeeting?: boolean;
    };

export const actions = [
  "group.view",
  "group.members.view",
  "group.members.invite",
  "group.members.manage",
  "group.audit.view",
  "document.list",
  "document.read",
  "document.history",
  "document.create",
  "document.edit",
  "document.archive",
  "document.comment",
  "document.follow",
  "comment.edit",
  "document.submit",
  "document.approve",
  "submission.withdraw",
  "consultation.manage",
  "consultation.view",
  "meeting.view",
  "meeting.manage",
  "meeting.run",
  "decision.record",
  "minutes.confirm",
  "action.update",
  "proposal.view",
  "proposal.open",
  "proposal.take_part",
  "proposal.results.view",
  "proposal.participation.view",
  "proposal.settings",
  "proposal.close",
  "proposal.run_live",
  "proposal.show_of_hands",
  "platform.administer",
] as const;
export type Action = (typeof actions)[number];

/** "platform_admin" is the Hub's administrator acting without a group role. */
export type Subject = MembershipRole | "platform_admin";
export const subjects: readonly Subject[] = [
  "chair",
  "secretary",
  "member",
  "minister_office",
  "consultee",
  "observer",
  "platform_admin",
];

type Rule = {
  allowed: readonly Subject[];
  /** A plain-English note for docs/permissions.md on any condition beyond the role. */
  condition?: string;
};

const editors = ["chair", "secretary", "member"] as const;
const commenters = ["chair", "secretary", "member", "minister_office", "consultee"] as const;
const groupReaders = ["chair", "secretary", "member", "minister_office", "observer"] as const;

/** The table of rules: which roles may take each action. Conditions are applied in `can`. */
export const rules: Record<Action, Rule> = {
  "group.view": { allowed: [...groupReaders, "consultee"] },
  "group.members.view": { allowed: [...groupReaders, "platform_admin"] },
  "group.members.invite": { allowed: ["chair", "secretary", "platform_admin"] },
  "group.members.manage": { allowed: ["chair", "secretary", "platform_admin"] },
  "group.audit.view": { allowed: ["platform_admin"] },
  "document.list": { allowed: [...groupReaders] },
  "document.read": {
    allowed: [...groupReaders, "consultee"],
    condition: "consultees only while the document is opened to them for consultation",
  },
  "document.history": { allowed: [...groupReaders] },
  "document.create": { allowed: [...editors] },
  "document.edit": { allowed: [...editors], condition: "not once the document is archived" },
  "document.archive": {
    allowed: ["chair", "secretary"],
    condition: "not once the document is archived, nor while a submission of it waits for approval",
  },
  "document.comment": {
    allowed: [...commenters],
    condition: "consultees only while the document is opened to them for consultation",
  },
  "document.follow": {
    allowed: [...groupReaders, "consultee"],
    condition: "anyone who may read the document: consultees only while it is opened to them (and they are told only then)",
  },
  "comment.edit": {
    allowed: [...commenters],
    condition: "only the comment's author (changing or deleting it), while they may still comment on the document",
  },
  "document.submit": { allowed: ["chair", "secretary"], condition: "not once the document is archived" },
  "document.approve": { allowed: ["minister_office"] },
  "submission.withdraw": {
    allowed: ["chair", "secretary", "member", "minister_office", "observer"],
    condition: "only while it is pending; other than the chair and secretary, only the person who submitted it",
  },
  "consultation.manage": { allowed: ["chair", "secretary"] },
  "consultation.view": {
    allowed: [...groupReaders, "consultee"],
    condition: "consultees only consultations they were invited to, also after they close",
  },
  "meeting.view": { allowed: [...groupReaders] },
  "meeting.manage": { allowed: ["chair", "secretary"] },
  "meeting.run": {
    allowed: ["chair", "member"],
    condition: "members only as the acting chair named for that meeting",
  },
  "decision.record": { allowed: ["chair", "secretary"] },
  "minutes.confirm": { allowed: ["chair", "secretary"] },
  "action.update": {
    allowed: ["chair", "secretary", "member"],
    condition: "members only actions they or their organisation own",
  },
  "proposal.view": { allowed: [...groupReaders] },
  "proposal.open": { allowed: ["chair", "secretary"] },
  "proposal.take_part": {
    allowed: ["chair", "member"],
    condition:
      "only while it is open, for a seat held on the day it opened (the member, or their alternate in their place), still a member, with no conflict of interest declared on it",
  },
  "proposal.results.view": { allowed: [...groupReaders], condition: "once it has closed when results are hidden until then" },
  "proposal.participation.view": { allowed: ["chair", "secretary"], condition: "who has and has not taken part (never a secret ballot's choices)" },
  "proposal.settings": { allowed: ["chair", "secretary"], condition: "only while it is open, and only in the safe direction" },
  "proposal.close": { allowed: ["chair"], condition: "early, only while it is open and once every eligible seat has taken part" },
  "proposal.run_live": {
    allowed: ["chair", "member"],
    condition: "at a meeting in progress: putting a proposal live from the Now panel and closing its vote; members only as the acting chair named for that meeting",
  },
  "proposal.show_of_hands": {
    allowed: ["chair", "secretary"],
    condition: "only while it is open and live at its meeting in progress; counts by choice, never names",
  },
  "platform.administer": { allowed: ["platform_admin"] },
};

/** The subject an actor acts as for a resource: their role in its group, else platform admin. */
export function subjectFor(actor: Actor, resource: Resource): Subject | null {
  if (resource.type !== "platform") {
    const role = actor.rolesByGroup.get(resource.groupId);
    if (role) return role;
  }
  return actor.isPlatformAdmin ? "platform_admin" : null;
}

/** May `actor` take `action` on `resource`? Denies when there is no actor. */
export function can(actor: Actor | null, action: Action, resource: Resource): boolean {
  if (!actor) return false;
  const rule = rules[action];
  // A platform administrator who is also a member keeps their administrative rights.
  const subjectsHeld: Subject[] = [];
  const role = resource.type === "platform" ? undefined : actor.rolesByGroup.get(resource.groupId);
  if (role) subjectsHeld.push(role);
  if (actor.isPlatformAdmin) subjectsHeld.push("platform_admin");
  return subjectsHeld.some((subject) => allows(rule, action, subject, resource));
}

function allows(rule: Rule, action: Action, subject: Subject, resource: Resource): boolean {
  if (!rule.allowed.includes(subject)) return false;
  if (action === "proposal.run_live") {
    if (resource.type !== "meeting") return false;
    return subject !== "member" || resource.actorIsActingChair === true;
  }
  if (subject === "member" && action === "meeting.run") {
    return resource.type === "meeting" && resource.actorIsActingChair === true;
  }
  if (subject === "member" && action === "action.update") {
    return resource.type === "action" && resource.actorOwns === true;
  }
  if (subject === "consultee" && action === "consultation.view") {
    return resource.type === "consultation" && resource.actorInvited === true;
  }
  if (resource.type === "document") {
    if ((action === "document.edit" || action === "document.archive" || action === "document.submit") && resource.locked) return false;
    if (action === "document.archive" && resource.awaitingApproval) return false;
    if (subject === "consultee" && (action === "document.read" || action === "document.comment" || action === "document.follow")) {
      return resource.openToActorForConsultation === true;
    }
  }
  if (action === "comment.edit") {
    if (resource.type !== "comment" || !resource.actorIsAuthor) return false;
    return subject !== "consultee" || resource.openToActorForConsultation === true;
  }
  if (action.startsWith("proposal.") && action !== "proposal.view" && action !== "proposal.open") {
    if (resource.type !== "proposal") return false;
    if (action === "proposal.take_part") return resource.open && resource.actorEligible === true;
    if (action === "proposal.results.view") return resource.resultsShown;
    if (action === "proposal.settings") return resource.open;
    if (action === "proposal.close") return resource.open && resource.everyoneTookPart === true;
    if (action === "proposal.show_of_hands") return resource.open && resource.liveAtMeeting === true;
  }
  if (action === "submission.withdraw") {
    if (resource.type !== "submission" || !resource.pending) return false;
    return subject === "chair" || subject === "secretary" || resource.actorIsSubmitter;
  }
  return true;
}

/**
 * What the person may do here, for a page to show the right buttons: each asked action with the
 * policy's answer (Outline's policy serialisation). Loaders return it as `may`.
 */
export function permissionsFor<A extends Action>(actor: Actor | null, resource: Resource, asked: readonly A[]): Record<A, boolean> {
  return Object.fromEntries(asked.map((action) => [action, can(actor, action, resource)])) as Record<A, boolean>;
}

/** The rules as a Markdown table (docs/permissions.md). */
export function permissionsMarkdown(): string {
  const header = `| action | ${subjects.join(" | ")} | condition |`;
  const divider = `| --- | ${subjects.map(() => ":---:").join(" | ")} | --- |`;
  const rows = actions.map((action) => {
    const rule = rules[action];
    const cells = subjects.map((subject) => (rule.allowed.includes(subject) ? "yes" : "no"));
    return `| \`${action}\` | ${cells.join(" | ")} | ${rule.condition ?? ""} |`;
  });
  return [
    "# Permissions",
    "",
    "Generated from `app/policy/policy.ts` by `npm run docs:permissions`; a test fails when this file",
    "and the module differ. Roles are the person's membership role in the group on today's date;",
    "`platform_admin` is the Hub's administrator acting without a role in the group (they manage",
    "groups, organisations and accounts but do not read a group's documents unless they are members).",
    "",
    header,
    divider,
    ...rows,
    "",
  ].join("\n");
}
