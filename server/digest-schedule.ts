/**
 * Runs the daily digest from the server process: a check every hour that sends once a day, on the
 * first check at or after 7 am New Zealand time. Notifications up to 7 am go out, and each is
 * marked as emailed, so a restart later the same day does not send them again.
 */
import { sendDailyDigests, type DigestServices } from "../app/models/digests.server.js";
import { nzCalendarDate, nzWallClockInstant } from "../app/utils/dates.js";

export const DIGEST_HOUR = 7;
const HOUR_MS = 60 * 60 * 1000;

/** Starts the hourly check; returns a function that stops it (called on shutdown). */
export function startDigestSchedule(services: DigestServices, intervalMs = HOUR_MS): () => void {
  let sentOn: string | null = null;
  let running = false;
  const check = async () => {
    if (running) return;
    const now = new Date();
    const today = nzCalendarDate(now);
    const sendAt = nzWallClockInstant(today, DIGEST_HOUR);
    if (sentOn === today || now < sendAt) return;
    running = true;
    try {
      await sendDailyDigests(services, sendAt);
      sentOn = today;
    } catch (error) {
      services.logger.error({ category: "digest", err: error }, "daily digest run failed");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
