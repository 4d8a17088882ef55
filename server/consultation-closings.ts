/**
 * Consultations close by themselves at 11:59 pm New Zealand time on their closing day: the policy
 * already refuses consultees from that instant (app/models/consultations.server.ts), but a
 * consultee who has the document open keeps a live editor connection until access is next checked.
 * This check runs every half minute: for each consultation that reached its closing instant since
 * the last check, open connections are rechecked (the consultee's Yjs connection closes with 1008)
 * and everyone viewing the document is told over Socket.io, so their page reloads its data and
 * says comments are closed.
 */
import { consultationsClosedBetween } from "../app/models/consultations.server.js";
import { documentRoom } from "./realtime.js";
import type { AppServices } from "./services.js";

export type ClosingServices = Pick<AppServices, "db" | "logger" | "realtime" | "accessChanged">;

const CHECK_EVERY_MS = 30_000;

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

/** Starts the check; returns a function that stops it (called on shutdown). */
export function startConsultationClosings(services: ClosingServices, intervalMs = CHECK_EVERY_MS): () => void {
  let checkedUpTo = new Date();
  let running = false;
  const check = async () => {
    if (running) return;
    running = true;
    const now = new Date();
    try {
      await announceConsultationClosings(services, checkedUpTo, now);
      checkedUpTo = now;
    } catch (error) {
      // The next check covers the same span again.
      services.logger.error({ category: "consultation", err: error }, "checking for closed consultations failed");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
