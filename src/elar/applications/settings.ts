import { z } from 'zod';
import { ConfigError } from '../../platform/config.ts';

/**
 * The application rules LICENSURE.md marks *(setting)*, with the agency's numbers as defaults.
 */
export interface ApplicationSettings {
  /** A draft not submitted within this many days of being started is deleted. */
  draftKeepDays: number;
  /** Reminders before a draft is deleted, in days before; the most urgent one due is sent. */
  draftReminderDays: readonly number[];
  /** A denial can be taken to reconsideration for this many days after the decision. */
  reconsiderationDays: number;
}

export const DEFAULT_APPLICATION_SETTINGS: ApplicationSettings = {
  draftKeepDays: 180,
  draftReminderDays: [14, 7],
  reconsiderationDays: 30,
};

const days = z.coerce
  .number({ error: 'must be a whole number of days' })
  .int('must be a whole number of days')
  .positive('must be more than 0');

const schema = z.object({
  ELAR_DRAFT_KEEP_DAYS: days.optional(),
  ELAR_DRAFT_REMINDER_DAYS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be whole numbers of days separated by commas, like 14,7')
    .transform((s) => [...new Set(s.split(',').map(Number))].sort((a, b) => b - a))
    .optional(),
  ELAR_RECONSIDERATION_DAYS: days.optional(),
});

/** From the environment: `ELAR_DRAFT_KEEP_DAYS`, `ELAR_DRAFT_REMINDER_DAYS` (like `14,7`), `ELAR_RECONSIDERATION_DAYS`. */
export function loadApplicationSettings(env: NodeJS.ProcessEnv = process.env): ApplicationSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${String(issue.path[0])} ${issue.message}`);
  }
  const settings = {
    draftKeepDays: parsed.data.ELAR_DRAFT_KEEP_DAYS ?? DEFAULT_APPLICATION_SETTINGS.draftKeepDays,
    draftReminderDays: parsed.data.ELAR_DRAFT_REMINDER_DAYS ?? DEFAULT_APPLICATION_SETTINGS.draftReminderDays,
    reconsiderationDays: parsed.data.ELAR_RECONSIDERATION_DAYS ?? DEFAULT_APPLICATION_SETTINGS.reconsiderationDays,
  };
  if (settings.draftReminderDays.some((d) => d === 0 || d >= settings.draftKeepDays)) {
    throw new ConfigError(
      'Invalid configuration: ELAR_DRAFT_REMINDER_DAYS must be more than 0 and fewer than ELAR_DRAFT_KEEP_DAYS',
    );
  }
  return settings;
}
