/**
 * Dates as people in Aotearoa read them: stored as UTC instants, shown in Pacific/Auckland.
 * The one place dates are formatted, on the server and in the browser alike.
 */
export const NZ_TIME_ZONE = "Pacific/Auckland";

const dateFormat = new Intl.DateTimeFormat("en-NZ", {
  timeZone: NZ_TIME_ZONE,
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
});
const shortDateFormat = new Intl.DateTimeFormat("en-NZ", {
  timeZone: NZ_TIME_ZONE,
  day: "numeric",
  month: "long",
  year: "numeric",
});
const timeFormat = new Intl.DateTimeFormat("en-NZ", {
  timeZone: NZ_TIME_ZONE,
  hour: "numeric",
  minute: "2-digit",
  hour12: true,
});
const isoDateFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: NZ_TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

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

/** Today's calendar date in New Zealand, "YYYY-MM-DD". */
export function nzCalendarDate(at: Date = new Date()): string {
  return isoDateFormat.format(at);
}
