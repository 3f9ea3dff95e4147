/**
 * Dates as the agency writes them. Each formatter is made once: `toLocaleString` with
 * options builds a new one on every call (about 0.25 ms), which a page listing fifty
 * applications felt (issue 13: the dashboard under 20 ms).
 */
const CALENDAR_DATE = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', dateStyle: 'long' });
const AGENCY_DAY = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', dateStyle: 'long' });
const AGENCY_ISO_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' });

/** A calendar date (YYYY-MM-DD, as licenses keep them): "July 1, 2022". */
export const dateWords = (date: string) => CALENDAR_DATE.format(new Date(`${date}T12:00:00Z`));

/** The day of a moment in the agency's time zone: "July 1, 2022". */
export const dayWords = (at: Date) => AGENCY_DAY.format(at);

/** Today in the agency's time zone, as a calendar date (YYYY-MM-DD). */
export const agencyToday = (now = new Date()) => AGENCY_ISO_DAY.format(now);
