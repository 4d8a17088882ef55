/**
 * Undelivered email, for the Hub's administrator: messages the job queue gave up on after every
 * retry (server/jobs/job-queue.ts). The administrator sees who each was for, its subject and the
 * mail server's last answer (never the body: it may hold a sign-in or invitation link), and can
 * try one again or discard it. Both are audited.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { forbidden, notFound } from "../errors.js";
import { type Actor, can } from "../policy/policy.js";
import type { DeadLetter, JobsService } from "../services.js";
import { isUuid } from "../utils/ids.js";
import { recordAudit } from "./audit.server.js";

type DeadLetters = Pick<JobsService, "deadLetters" | "resendDeadLetter" | "discardDeadLetter">;

function requireAdministrator(actor: Actor): void {
  if (!can(actor, "platform.administer", { type: "platform" })) throw forbidden();
}

export async function listUndeliveredEmail(jobs: DeadLetters, actor: Actor): Promise<DeadLetter[]> {
  requireAdministrator(actor);
  return jobs.deadLetters();
}

/** One administrator's command on a dead letter, audited as `action`. */
type UndeliveredEmailCommand = (
  db: Kysely<Database>,
  jobs: DeadLetters,
  actor: Actor,
  id: string,
  options?: { ip?: string | null },
) => Promise<void>;

/**
 * The command that finds the dead letter, does `change` to it and audits it (whom it was for,
 * never its body); NOT_FOUND when it is no longer there.
 */
function undeliveredEmailCommand(action: string, change: (jobs: DeadLetters, id: string) => Promise<boolean>): UndeliveredEmailCommand {
  return async (db, jobs, actor, id, { ip = null } = {}) => {
    requireAdministrator(actor);
    const letter = isUuid(id) ? (await jobs.deadLetters()).find((candidate) => candidate.id === id) : undefined;
    if (!letter || !(await change(jobs, id))) throw notFound();
    await recordAudit(db, { actorId: actor.id, action, subjectType: "email", subjectId: id, ip, details: { to: letter.to } });
  };
}

/** Tries the message again from its first attempt; NOT_FOUND when it is no longer there. */
export const resendUndeliveredEmail = undeliveredEmailCommand("email.resent", (jobs, id) => jobs.resendDeadLetter(id));

/** Drops the message; NOT_FOUND when it is no longer there. */
export const discardUndeliveredEmail = undeliveredEmailCommand("email.discarded", (jobs, id) => jobs.discardDeadLetter(id));
