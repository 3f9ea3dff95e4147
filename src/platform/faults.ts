/**
 * Deterministic crash points for the reliability tests. A test starts the portal with
 * FAULT_INJECT naming one point; when the code reaches it, the process kills itself with
 * SIGKILL (no cleanup, no rollback, no answer), exactly as a power cut at that line would.
 * The test then restarts the portal and proves what the database kept. Config refuses
 * FAULT_INJECT when NODE_ENV=production, so no deployment can arm one.
 *
 * Points are named `<operation>:<where>` so the same harness serves other writes (payments)
 * by adding names here and one `faultPoint()` call at each place.
 */
export const FAULT_POINTS = [
  // The Create Profile final submit: one transaction, killed between its statements...
  'profile.create:after-insert-profile',
  'profile.create:after-password-history',
  'profile.create:after-audit',
  'profile.create:before-commit',
  // ...and after its commit, before the person is answered.
  'profile.create:after-commit',
  // Setting a new password (Change Password, and the end of a password reset): one
  // transaction with its history row, the other sessions ended and the audit row.
  'password.replace:after-set-password',
  'password.replace:after-password-history',
  'password.replace:after-audit',
  // Grants of an application revoked and its back-channel logouts queued, in the
  // transaction of the change that revoked them (a role, a membership, an organization).
  'grants.revoke:after-queue-logouts',
  // A mail handed to the SMTP server and accepted, before the outbox records it as sent.
  'mail.send:after-send',
  // A card payment the provider reports as taken, before ELAR records it (and the thing paid for).
  'payment.settle:before-record',
] as const;

export type FaultPoint = (typeof FAULT_POINTS)[number];

let armed: ReadonlySet<FaultPoint> = new Set();

/** Called once at start with the validated configuration. */
export function armFaults(points: readonly FaultPoint[]): void {
  armed = new Set(points);
}

export function faultPoint(point: FaultPoint): void {
  if (armed.has(point)) process.kill(process.pid, 'SIGKILL');
}
