import type { ColumnType, Generated } from 'kysely';

/** ELAR's payment tables (migration 0017), in schema `elar`, named unqualified as ELAR's handle is bound to it. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type PaymentState = 'open' | 'succeeded' | 'declined' | 'canceled' | 'partially_refunded' | 'refunded';

export interface PaymentTable {
  id: Generated<string>;
  idempotency_key: string;
  payable_kind: string;
  payable_id: string;
  purpose: string;
  description: string;
  owner_sub: string;
  amount_cents: number;
  refunded_cents: Generated<number>;
  currency: Generated<string>;
  state: Generated<PaymentState>;
  provider: string;
  provider_session_id: string | null;
  checkout_url: string | null;
  card_last4: string | null;
  decline_reason: string | null;
  receipt_number: ColumnType<string | null, never, string>;
  created_at: Timestamp;
  completed_at: Date | null;
  version: Generated<number>;
}

export interface ProviderEventTable {
  provider: string;
  event_id: string;
  payment_id: string | null;
  received_at: Timestamp;
}

export type RefundState = 'pending' | 'succeeded' | 'failed';

export interface RefundTable {
  id: Generated<string>;
  payment_id: string;
  amount_cents: number;
  reason: string;
  staff_sub: string;
  idempotency_key: string;
  provider_refund_id: string | null;
  state: Generated<RefundState>;
  created_at: Timestamp;
  completed_at: Date | null;
}

export type TestCheckoutState = 'open' | 'paid' | 'declined' | 'canceled';

/** The test provider's own record of a checkout session, as a card processor keeps one. */
export interface TestCheckoutTable {
  id: string;
  idempotency_key: string;
  amount_cents: number;
  currency: string;
  description: string;
  return_url: string;
  state: Generated<TestCheckoutState>;
  card_last4: string | null;
  refunded_cents: Generated<number>;
  created_at: Timestamp;
  completed_at: Date | null;
}

export interface TestRefundTable {
  id: string;
  idempotency_key: string;
  checkout_id: string;
  amount_cents: number;
  created_at: Timestamp;
}

export type PaymentTables = {
  payment: PaymentTable;
  provider_event: ProviderEventTable;
  refund: RefundTable;
  test_checkout: TestCheckoutTable;
  test_refund: TestRefundTable;
};
