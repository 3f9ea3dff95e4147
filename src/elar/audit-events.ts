import { auditWriter } from '../platform/audit.ts';
import type { ElarDatabase } from './schema.ts';

/**
 * What ELAR records in its own audit trail (`elar.audit_event`): who signed in with which
 * staff roles, and each change to a licensure record. Actors are the issuer's `sub`.
 */
export const ELAR_AUDIT_EVENTS = [
  'elar.signedIn',
  // Payments (src/elar/payments): the subject is the payment.
  'payment.started',
  'payment.succeeded',
  'payment.declined',
  'payment.canceled',
  'payment.refund-requested',
  'payment.refunded',
  'payment.refund-failed',
] as const;

export type ElarAuditEventType = (typeof ELAR_AUDIT_EVENTS)[number];

export const audit = auditWriter<ElarDatabase, ElarAuditEventType>();
