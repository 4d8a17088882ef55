/**
 * Dates as people in Aotearoa read them: stored as UTC instants, shown in Pacific/Auckland.
 * The one place dates are formatted, on the server and in the browser alike.
 */
export const NZ_TIME_ZONE = "Pacific/Auckland";

/** A format of dates or times in New Zealand's time zone. */
const nzFormat = (locale: string, options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { timeZone: NZ_TIME_ZONE, ...options });

const dateFormat = nzFormat("en-NZ", { weekday: "long", day: "numeric", month: "long", year: "numeric" });
const shortDateFormat = nzFormat("en-NZ", { day: "numeric", month: "long", year: "numeric" });
const timeFormat = nzFormat("en-NZ", { hour: "numeric", minute: "2-digit", hour12: true });
const isoDateFormat = nzFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit" });
const clockFormat = nzFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** "Tuesday 8 December 2026" */
export function formatNzDate(value: Date | string): string {
  return dateFormat.format(toDate(value)).replace(",", "");
}

/** "8 December 2026"; also for calendar dates stored as "YYYY-MM-DD". */
export function formatNzShortDate(value: Date | string): string {
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    // Midnight UTC is midday or later in New Zealand: the same calendar day.
    return shortDateFormat.format(new Date(`${value}T00:00:00Z`));
  }
  return shortDateFormat.format(toDate(value));
}

/** "10:00 am" */
export function formatNzTime(value: Date | string): string {
  return timeFormat.format(toDate(value)).replace(/\s?([ap])\.?m\.?$/i, (_m, ap: string) => ` ${ap.toLowerCase()}m`);
}

/** "Tuesday 8 December 2026, 10:00 am" */
export function formatNzDateTime(value: Date | string): string {
  return `${formatNzDate(value)}, ${formatNzTime(value)}`;
}

/** New Zealand wall-clock time "HH:MM" (24-hour), as a time field holds it. */
export function nzClockTime(value: Date | string): string {
  return clockFormat.format(toDate(value));
}

/** True for a real calendar date written "YYYY-MM-DD" (rejects 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** Today's calendar date in New Zealand, "YYYY-MM-DD". */
export function nzCalendarDate(at: Date = new Date()): string {
  return isoDateFormat.format(at);
}

const wallClockFormat = nzFormat("en-CA", {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

/** New Zealand's offset from UTC at an instant, in milliseconds (+12 h or +13 h in daylight time). */
function nzOffsetMs(at: Date): number {
  const parts = Object.fromEntries(wallClockFormat.formatToParts(at).map((part) => [part.type, part.value]));
  const wallClock = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wallClock - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The last instant (23:59:59.999) of a New Zealand calendar day "YYYY-MM-DD", as a UTC instant,
 * with the offset in force on that evening (daylight time or standard time).
 */
export function nzEndOfDay(calendarDate: string): Date {
  return nzWallClockInstant(calendarDate, 23, 59, 59, 999);
}

/**
 * The UTC instant of a New Zealand wall-clock time on a calendar day "YYYY-MM-DD", e.g. 7 am for
 * the daily digest. Times that do not exist (2:30 am as daylight time starts) move an hour on.
 */
export function nzWallClockInstant(calendarDate: string, hours: number, minutes = 0, seconds = 0, ms = 0): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(calendarDate);
  if (!match) throw new RangeError(`not a calendar date: ${calendarDate}`);
  const wallClock = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), hours, minutes, seconds, ms);
  // Date.UTC rolls 30 February over to March: a real date reads back the same day.
  if (new Date(wallClock).getUTCDate() !== Number(match[3])) throw new RangeError(`not a calendar date: ${calendarDate}`);
  // Guess with the offset at the wall-clock instant read as UTC, then correct once with the
  // offset at the guess: enough except within the hour NZ changes its clocks (2 am or 3 am).
  let instant = wallClock - nzOffsetMs(new Date(wallClock));
  instant = wallClock - nzOffsetMs(new Date(instant));
  return new Date(instant);
}

const monthNumbers: Record<string, number> = Object.fromEntries(
  ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"].flatMap(
    (name, index) => [
      [name, index + 1],
      [name.slice(0, 3), index + 1],
      ...(name === "september" ? [["sept", index + 1] as const] : []),
    ],
  ),
);

/**
 * A date as people in New Zealand type it, as "YYYY-MM-DD", or null when it is not a day that
 * exists: "8 December 2026" (or "8 Dec 2026", a weekday before it allowed), "8/12/2026" (day
 * first) and "2026-12-08" (what a browser's own date field and older links send).
 */
export function parseNzDate(text: string): string | null {
  const value = text.trim().toLowerCase().replace(/,/g, " ").replace(/\s+/g, " ");
  let year: number;
  let month: number | undefined;
  let day: number;
  let match: RegExpExecArray | null;
  if ((match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value))) {
    [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(value))) {
    [day, month, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(?:[a-z]+ )?(\d{1,2}) ([a-z]+)\.? (\d{4})$/.exec(value))) {
    [day, month, year] = [Number(match[1]), monthNumbers[match[2]!], Number(match[3])];
  } else {
    return null;
  }
  if (month === undefined) return null;
  const iso = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  return isCalendarDate(iso) ? iso : null;
}
