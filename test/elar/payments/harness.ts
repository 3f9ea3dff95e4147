import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { onPaid } from '../../../src/elar/payments/payables.ts';
import { elarTables } from '../../../src/elar/index.ts';
import { PaymentService, type Payable } from '../../../src/elar/payments/service.ts';
import {
  TestPaymentProvider,
  TEST_NOTICE_JOB,
  signTestNotice,
  TEST_SIGNATURE_HEADER,
} from '../../../src/elar/payments/test-provider.ts';
import type { PaymentProvider } from '../../../src/elar/payments/provider.ts';
import { freshDatabase } from '../../helpers/database.ts';

/**
 * Payments on a real database (PGlite, or PostgreSQL with DATABASE_URL), with a small
 * payable of the tests' own: a fee whose completion hook writes one row per call, with no
 * unique constraint, so a second completion would show.
 */
export const TEST_KIND = 'test-fee';
/** Two people, as the portal's `sub` claims. */
export const PERSON_A = randomUUID();
export const PERSON_B = randomUUID();
export const WEBHOOK_SECRET = 'test-provider-webhook-secret-0123456789';

onPaid(TEST_KIND, async (trx, payment) => {
  await sql`INSERT INTO elar.test_fee_paid (payment_id, payable_id) VALUES (${payment.id}, ${payment.payable_id})`.execute(
    trx,
  );
  return 'completed';
});

export async function paymentsScene(wrap: (p: TestPaymentProvider) => PaymentProvider = (p) => p) {
  const database = await freshDatabase('payments');
  await sql`CREATE TABLE elar.test_fee_paid (payment_id uuid NOT NULL, payable_id text NOT NULL)`.execute(database.db);
  const db = elarTables(database.db);
  const testProvider = new TestPaymentProvider(db, {
    checkoutUrl: (id) => `http://elar.test/elar/payments/test-checkout/${id}`,
    webhookUrl: 'http://elar.test/elar/payments/webhooks/test',
    webhookSecret: WEBHOOK_SECRET,
  });
  const service = new PaymentService(db, wrap(testProvider), {
    returnUrl: (id) => `http://elar.test/elar/payments/${id}/return`,
  });
  let serial = 0;
  return {
    db,
    service,
    testProvider,
    /** A fee of `amountCents` for a new thing, owned by `ownerSub`. */
    payable(over: Partial<Payable> = {}): Payable {
      serial++;
      return {
        kind: TEST_KIND,
        id: `thing-${serial}`,
        purpose: 'fee',
        amountCents: 12_500,
        description: `Test fee ${serial}`,
        ownerSub: PERSON_A,
        ...over,
      };
    },
    /** The card network's side: the person submits the test checkout page. */
    async pay(sessionId: string, result: 'paid' | 'declined' = 'paid') {
      return testProvider.complete(sessionId, {
        ok: true,
        result,
        last4: result === 'paid' ? '4242' : '0002',
        ...(result === 'declined' ? { reason: 'Your card was declined.' } : {}),
      } as Parameters<TestPaymentProvider['complete']>[1]);
    },
    /** The signed callbacks the test provider has queued, as its job would post them. */
    async queuedNotices() {
      const jobs = await db.selectFrom('job').select('payload').where('name', '=', TEST_NOTICE_JOB).execute();
      return jobs.map(({ payload }) => {
        const p = payload as { eventId: string; sessionId: string };
        const body = JSON.stringify({ id: p.eventId, type: 'checkout.ended', session: p.sessionId });
        return { body: Buffer.from(body), headers: { [TEST_SIGNATURE_HEADER]: signTestNotice(WEBHOOK_SECRET, body) } };
      });
    },
    /** What a person and the Department would count: payments by state, and completions of the thing. */
    async ledger(payableId: string) {
      const payments = await db.selectFrom('payment').select(['state']).where('payable_id', '=', payableId).execute();
      const { rows } = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM elar.test_fee_paid WHERE payable_id = ${payableId}`.execute(db);
      const count = (state: string) => payments.filter((p) => p.state === state).length;
      return { succeeded: count('succeeded'), open: count('open'), all: payments.length, completions: rows[0]!.n };
    },
    close: database.close,
  };
}
