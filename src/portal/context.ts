import type { StaffLookupRules } from '../directory/index.ts';
import type { Config } from '../platform/config.ts';
import type { Db } from '../database.ts';
import type { CookieNames, cookieOptions } from '../platform/http.tsx';
import type { SecretBox } from '../platform/secrets.ts';
import type { AccountRules } from './accounts.ts';
import type { LoginRules } from './login.ts';
import type { WizardDeps } from './profile-wizard.ts';

/** Everything the portal's routes need, built once from the configuration (by the composition root). */
export interface Portal {
  config: Config;
  db: Db;
  /** Seals and opens the secrets kept in the database (client secrets, signing keys). */
  box: SecretBox;
  cookies: CookieNames;
  cookieOptions: ReturnType<typeof cookieOptions>;
  accounts: AccountRules;
  login: LoginRules;
  wizard: WizardDeps;
  staffLookup: StaffLookupRules;
  isReady: () => boolean;
  /** The back-channel logouts a committed revocation queued go out now rather than at the next poll. */
  sendQueuedLogouts: () => void;
  /** Ends single sign-on for this browser, or for every browser of an account (S3). */
  singleSignOut: (
    which:
      | { browserCookies: Record<string, string | undefined> }
      | { accountId: string; exceptBrowserCookies?: Record<string, string | undefined> },
  ) => Promise<void>;
}
