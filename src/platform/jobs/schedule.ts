/** When a recurring job runs: every so many milliseconds, or once a day at a UTC time ("HH:MM"). */
export type Schedule = { everyMs: number } | { dailyAt: string };

const DAILY = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function checkSchedule(name: string, schedule: Schedule): void {
  if ('everyMs' in schedule && !(Number.isInteger(schedule.everyMs) && schedule.everyMs > 0)) {
    throw new Error(`Recurring job ${name}: everyMs must be a whole number of milliseconds above 0`);
  }
  if ('dailyAt' in schedule && !DAILY.test(schedule.dailyAt))
    throw new Error(`Recurring job ${name}: dailyAt must be HH:MM (UTC)`);
}

/**
 * The first run after `now`. A daily time is UTC, so no change of clocks moves it or runs
 * it twice; an interval counts from now, so an instance back from a long stop runs once
 * rather than catching up on every missed run.
 */
export function nextRun(schedule: Schedule, now: Date): Date {
  if ('everyMs' in schedule) return new Date(now.getTime() + schedule.everyMs);
  const [, hours, minutes] = DAILY.exec(schedule.dailyAt)!;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), Number(hours), Number(minutes));
  return new Date(today > now.getTime() ? today : today + 86_400_000);
}
