import { sql } from 'kysely';
import { elarTables } from '../../../src/elar/index.ts';
import { migrate, openDatabase } from '../../../src/database.ts';
import { PaymentService } from '../../../src/elar/payments/service.ts';
import { TestPaymentProvider } from '../../../src/elar/payments/test-provider.ts';
import { PERSON_A, TEST_KIND, WEBHOOK_SECRET } from './harness.ts';

/** The crash test's database and payments, the same in the process that dies and in the one that looks after. */
export async function openScene(options: { databaseUrl: string | undefined; dataDir: string }) {
  const database = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir, poolSize: 2 });
  await migrate(database.db);
  await sql`CREATE TABLE IF NOT EXISTS elar.test_fee_paid (payment_id uuid NOT NULL, payable_id text NOT NULL)`.execute(
    database.db,
  );
  const db = elarTables(database.db);
  const provider = new TestPaymentProvider(db, {
    checkoutUrl: (id) => `http://elar.test/elar/payments/test-checkout/${id}`,
    webhookUrl: 'http://elar.test/elar/payments/webhooks/test',
    webhookSecret: WEBHOOK_SECRET,
  });
  const service = new PaymentService(db, provider, {
    returnUrl: (id) => `http://elar.test/elar/payments/${id}/return`,
  });
  return {
    db,
    service,
    provider,
    payable: (id: string) => ({
      kind: TEST_KIND,
      id,
      purpose: 'fee',
      amountCents: 12_500,
      description: `Crash fee ${id}`,
      ownerSub: PERSON_A,
    }),
    pay: (sessionId: string) => provider.complete(sessionId, { ok: true, result: 'paid', last4: '4242' }),
    close: () => database.close(),
  };
}
