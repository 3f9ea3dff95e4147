import { defineErrors } from '../platform/errors.ts';

/** ELAR's errors (platform's generic ones, such as not found, are the platform's). */
export const elarErrors = defineErrors('ELAR', {
  signIn: {
    code: 'ELAR_ERR_SIGN_IN',
    status: 400,
    message: 'Signing in to ELAR did not complete. Go to ELAR and try again.',
  },
  /** The catalog's own not-found page says which license or type it could not find. */
  catalogNotFound: { code: 'ELAR_ERR_CATALOG_NOT_FOUND', status: 404, message: 'We could not find that license' },

  // Applications
  applicationNotFound: {
    code: 'ELAR_ERR_APPLICATION_NOT_FOUND',
    status: 404,
    message: 'We could not find that application.',
  },
  applicationChanged: {
    code: 'ELAR_ERR_APPLICATION_CHANGED',
    status: 409,
    message:
      'This application changed while you were looking at it. Reload the page to see where it stands, then try again.',
  },
  /** `reference`: the open application's, when it is known. */
  licenseAlreadyOpen: {
    code: 'ELAR_ERR_LICENSE_ALREADY_OPEN',
    status: 409,
    message: (reference: string | undefined) =>
      reference
        ? `You already have an open application for this license (reference ${reference}). Continue that one, or withdraw it first.`
        : 'You already have an open application for this license. Continue that one, or withdraw it first.',
  },
  /** `license`: its name, as the catalog gives it. */
  licenseNoLongerOffered: {
    code: 'ELAR_ERR_LICENSE_NO_LONGER_OFFERED',
    status: 422,
    message: (license: string) =>
      `We no longer issue ${license}, so this application cannot be sent with it. Remove it from the licenses you are applying for, then send the application.`,
  },
  notADraft: {
    code: 'ELAR_ERR_NOT_A_DRAFT',
    status: 409,
    message:
      'This application has been sent, so its answers can no longer be changed. Reload the page to see where it stands.',
  },
  gateItemUnknown: { code: 'ELAR_ERR_GATE_ITEM_UNKNOWN', status: 422, message: 'Choose only from the items listed.' },
  gateItemsClosed: {
    code: 'ELAR_ERR_GATE_ITEMS_CLOSED',
    status: 409,
    message: 'An evaluator has this application now: what is on file is theirs to check.',
  },
  noFeeSchedule: {
    code: 'ELAR_ERR_NO_FEE_SCHEDULE',
    status: 503,
    message: 'Applications cannot be submitted right now because no fee is set. Try again later or call the help desk.',
  },
  /** A staff member (or the educator) whose permissions do not include this transition. */
  forbidden: {
    code: 'ELAR_ERR_FORBIDDEN',
    status: 403,
    message: 'You cannot make this change to this application.',
  },
  /** A staff member who is also an educator, acting on their own application. */
  ownApplication: {
    code: 'ELAR_ERR_OWN_APPLICATION',
    status: 403,
    message: 'This is your own application. Another member of the Department’s staff must act on it.',
  },
  transitionRefused: {
    code: 'ELAR_ERR_TRANSITION_REFUSED',
    status: 409,
    message: 'This application cannot be changed this way now. Reload the page to see where it stands.',
  },

  // The transitions' guards (transitions.ts): each refusal says which step refused.
  applicationIncomplete: {
    code: 'ELAR_ERR_APPLICATION_INCOMPLETE',
    status: 422,
    message: 'Complete every section of your application, and sign the affidavit, before you submit it.',
  },
  noLicenseChosen: {
    code: 'ELAR_ERR_NO_LICENSE_CHOSEN',
    status: 422,
    message: 'Choose at least one license to apply for.',
  },
  gateItemsMissing: {
    code: 'ELAR_ERR_GATE_ITEMS_MISSING',
    status: 422,
    message: 'Some of what an evaluator needs before a review can start is not on file yet.',
  },
  gateItemsOnFile: {
    code: 'ELAR_ERR_GATE_ITEMS_ON_FILE',
    status: 422,
    message: 'Everything an evaluator needs to start is already on file.',
  },
  reconsiderationClosed: {
    code: 'ELAR_ERR_RECONSIDERATION_CLOSED',
    status: 422,
    message: (reconsiderationDays: number) =>
      `Reconsideration can be asked for within ${reconsiderationDays} days of a decision. That time has passed.`,
  },
  /** `which`: the reason the step needs, when it needs a particular one. */
  reasonRequired: {
    code: 'ELAR_ERR_REASON_REQUIRED',
    status: 422,
    message: (which = 'a reason') => `Give ${which}.`,
  },

  // Payments
  paymentNotYours: {
    code: 'ELAR_ERR_PAYMENT_NOT_YOURS',
    status: 409,
    message: 'Someone else is paying for this. Call the Licensure Help Desk.',
  },
  paymentConflict: {
    code: 'ELAR_ERR_PAYMENT_CONFLICT',
    status: 409,
    message: 'This payment changed while we were working on it. Reload the page.',
  },
  paymentNotFound: { code: 'ELAR_ERR_PAYMENT_NOT_FOUND', status: 404, message: 'We could not find that payment.' },
  refundNotPaid: {
    code: 'ELAR_ERR_REFUND_NOT_PAID',
    status: 409,
    message: 'Only a payment that went through, and is not refunded in full, can be refunded.',
  },
  /** `mostLeft`: what is left to refund, as shown ("$40.00"). */
  refundTooMuch: {
    code: 'ELAR_ERR_REFUND_TOO_MUCH',
    status: 422,
    message: (mostLeft: string) =>
      `The refund can be at most ${mostLeft}: what is left of this payment after earlier refunds.`,
  },
  streamSignedOut: {
    code: 'ELAR_ERR_STREAM_SIGNED_OUT',
    status: 401,
    message: 'You are signed out of ELAR. Reload the page to sign in again.',
  },
  /** F6: a payments officer who is also the payer; a second officer refunds it. */
  refundOwnPayment: {
    code: 'ELAR_ERR_REFUND_OWN_PAYMENT',
    status: 403,
    message: 'You cannot refund a payment you made yourself. Ask another payments officer to do it.',
  },
  /** F6: a refund in full of a fee whose application is still open would leave it evaluated for free. */
  refundWhileOpen: {
    code: 'ELAR_ERR_REFUND_WHILE_OPEN',
    status: 409,
    message:
      'The fee can be refunded in full only once the application is withdrawn or approved, or denied with its time to ask for reconsideration passed. Withdraw the application first, or refund part of the fee.',
  },
  /**
   * A part refund while the application is open (or a denial still reconsiderable) that would
   * return more than the fees of licenses dropped from it: all but one cent of a fee is a full
   * refund in all but name. `most`: what may still go back now, as shown ("$25.00").
   */
  refundBeyondDroppedLicenses: {
    code: 'ELAR_ERR_REFUND_BEYOND_DROPPED_LICENSES',
    status: 409,
    message: (most: string) =>
      `While the application is open, only the fees of licenses dropped from it can be refunded, never the first license’s fee: at most ${most} more. Withdraw the application first to refund the whole fee.`,
  },
  /** F5: a payment started with a provider this instance is no longer set up for. */
  paymentProviderUnavailable: {
    code: 'ELAR_ERR_PAYMENT_PROVIDER_UNAVAILABLE',
    status: 503,
    message: 'We cannot check this payment right now. Try again later or call the Licensure Help Desk.',
  },
  tooManyStreams: {
    code: 'ELAR_ERR_TOO_MANY_STREAMS',
    status: 429,
    message:
      'You have ELAR open in many windows. Close some of them; each page still shows the latest status when you reload it.',
  },
});
