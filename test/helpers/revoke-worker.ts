/**
 * A separate process for the revocation crash test: it opens the database named by the
 * environment (DATABASE_URL, or PGlite in DATA_DIR), arms FAULT_INJECT, and revokes the
 * role given as arguments (profile id, organization code, application id, role) as the
 * console does. Armed at `grants.revoke:after-queue-logouts`, it dies inside the
 * revocation's transaction, after the application's logouts were queued.
 */
import { openDatabase } from '../../src/database.ts';
import { findApplication, findOrganizationByCode } from '../../src/directory/index.ts';
import { revokeRole } from '../../src/directory/service.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { armFaults } from '../../src/platform/faults.ts';
import { findProfileById } from '../../src/portal/index.ts';

const [profileId, organizationCode, applicationId, role] = process.argv.slice(2) as [string, string, string, string];
const config = loadConfig();
armFaults(config.faultInject);
const { db, close } = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const [person, org, app] = await Promise.all([
  findProfileById(db, profileId),
  findOrganizationByCode(db, organizationCode),
  findApplication(db, applicationId),
]);
if (!person || !org || !app) throw new Error('no such person, organization or application');
await revokeRole(db, null, { person, org, app, role }, null);
await close();
