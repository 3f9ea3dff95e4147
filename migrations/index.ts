import type { Migration } from 'kysely/migration';
import * as accounts from './0001_accounts.ts';
import * as directory from './0002_directory.ts';
import * as sso from './0003_sso.ts';
import * as oidcAccount from './0004_oidc_account.ts';
import * as temporaryPasswordExpiry from './0005_temporary_password_expiry.ts';
import * as designationIsNotMembership from './0006_designation_is_not_membership.ts';
import * as confusableNameKeys from './0007_confusable_name_keys.ts';
import * as directoryUsability from './0008_directory_usability.ts';
import * as staffConfirmation from './0009_staff_confirmation.ts';
import * as departmentRoles from './0010_department_roles.ts';
import * as jobsAndMail from './0011_jobs_and_mail.ts';
import * as documents from './0012_documents.ts';
import * as elarSession from '../src/elar/migrations/0013_elar_session.ts';
import * as elarPlatformTables from '../src/elar/migrations/0014_elar_platform_tables.ts';
import * as licenseCatalog from '../src/elar/migrations/0015_license_catalog.ts';
import * as elarApplications from '../src/elar/migrations/0016_applications.ts';
import * as elarPayments from '../src/elar/migrations/0017_payments.ts';
import * as elarApplicationCatalog from '../src/elar/migrations/0018_application_catalog.ts';
import * as elarLicensesHeld from '../src/elar/migrations/0020_licenses_held.ts';
import * as elarApplicationQueue from '../src/elar/migrations/0021_application_queue.ts';

/** Every migration, in order. A static list so bundling or a missing file can't skip one. */
export const migrations: Record<string, Migration> = {
  '0001_accounts': accounts,
  '0002_directory': directory,
  '0003_sso': sso,
  '0004_oidc_account': oidcAccount,
  '0005_temporary_password_expiry': temporaryPasswordExpiry,
  '0006_designation_is_not_membership': designationIsNotMembership,
  '0007_confusable_name_keys': confusableNameKeys,
  '0008_directory_usability': directoryUsability,
  '0009_staff_confirmation': staffConfirmation,
  '0010_department_roles': departmentRoles,
  '0011_jobs_and_mail': jobsAndMail,
  '0012_documents': documents,
  '0013_elar_session': elarSession,
  '0014_elar_platform_tables': elarPlatformTables,
  '0015_license_catalog': licenseCatalog,
  '0016_applications': elarApplications,
  '0017_payments': elarPayments,
  '0018_application_catalog': elarApplicationCatalog,
  '0020_licenses_held': elarLicensesHeld,
  '0021_application_queue': elarApplicationQueue,
};
