/**
 * Consultations close by themselves at 11:59 pm New Zealand time on their closing day: the policy
 * already refuses consultees from that instant (app/models/consultations.server.ts), but a
 * consultee who has the document open keeps a live editor connection until access is next checked.
 * For each consultation that reached its closing instant since the last check, open connections are rechecked (the consultee's Yjs connection closes with 1008)
 * and everyone viewing the document is told over Socket.io, so their page reloads its data and
 * says comments are closed. The check is a job that runs every minute, once across all processes
 * (server/jobs/job-queue.ts); it covers the span since the last run, whichever process ran it.
 */
import { consultationsClosedBetween } from "../app/models/consultations.server.js";
import { readScheduleMark, writeScheduleMark } from "../app/models/schedule-marks.server.js";
import { documentRoom } from "./realtime.js";
import type { AppServices } from "./services.js";

export type ClosingServices = Pick<AppServices, "db" | "logger" | "realtime" | "accessChanged">;

/**
 * Acts on the consultations that closed in (`after`, `upTo`]; returns the documents they were on.
 * Exported for tests, which pass their own instants.
 */
export async function announceConsultationClosings(services: ClosingServices, after: Date, upTo: Date): Promise<string[]> {
  const closed = await consultationsClosedBetween(services.db, after, upTo);
  if (closed.length === 0) return [];
  await services.accessChanged();
  const documentIds = [...new Set(closed.map((consultation) => consultation.document_id))];
  for (const documentId of documentIds) {
    services.realtime.emitToRoom(documentRoom(documentId), "consultation:changed", { documentId });
  }
  services.logger.info({ category: "consultation", documentIds }, "consultations closed at their closing date");
  return documentIds;
}

const markName = "consultation-closings";

/** One run of the check: from where the last run got to (or a minute ago, the first time) to now. */
export async function runConsultationClosings(services: ClosingServices, now: Date = new Date()): Promise<string[]> {
  const after = (await readScheduleMark(services.db, markName)) ?? new Date(now.getTime() - 60_000);
  const documentIds = await announceConsultationClosings(services, after, now);
  await writeScheduleMark(services.db, markName, now);
  return documentIds;
}
