import { auditWriter } from '../platform/audit.ts';
import type { ElarDatabase } from './schema.ts';

/**
 * What ELAR records in its own audit trail (`elar.audit_event`): who signed in with which
 * staff roles, and each change to a licensure record. Actors are the issuer's `sub`.
 */
export const ELAR_AUDIT_EVENTS = [
  'elar.signedIn',
  // A license catalog file or requirement templates file taken (shipped at start, or an operator's import).
  'elar.catalogImported',
  // An application: started as a draft, moved by a named transition, or deleted as an expired draft.
  'elar.application.started',
  'elar.application.transitioned',
  'elar.application.draftDeleted',
  // A license recorded as held (src/elar/licenses): the subject is the license.
  'elar.license.issued',
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
