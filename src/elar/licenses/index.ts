/** The licenses a person holds: what the dashboard, "advance" and the demo use. */
export { issueLicense, licensesHeldBy, type LicenseHeld, type LicenseRecord } from './service.ts';
export { LICENSE_STATUSES, type LicenseStatus, type LicenseTables } from './schema.ts';
