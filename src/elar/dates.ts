/** A calendar date (YYYY-MM-DD, as licenses keep them) as the agency writes it: "July 1, 2022". */
export const dateWords = (date: string) =>
  new Date(`${date}T12:00:00Z`).toLocaleDateString('en-US', { timeZone: 'UTC', dateStyle: 'long' });

/** The day of a moment in the agency's time zone, as a calendar date (YYYY-MM-DD). */
export const agencyToday = (now = new Date()) => now.toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
