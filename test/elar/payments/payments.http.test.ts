import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { onPaid, quotePayable } from '../../../src/elar/payments/index.ts';
import { Browser, createProfile, type Response } from '../../helpers/portal.ts';
import { signInToElar, startElar, type TestElar } from '../../helpers/elar.ts';

/**
 * Paying through ELAR's pages with the built-in test provider: the hosted checkout, the
 * page the person comes back to, the receipt, the callback and a Department refund.
 */
let elar: TestElar;
/** Who owns each test fee: the quote answers only its owner, as an application's would. */
const owners = new Map<string, string>();
let serial = 0;

before(async () => {
  // The job runner polls every ten minutes: only a nudge sends a queued call within seconds (the last test).
  elar = await startElar({ JOBS_POLL_MS: '600000' });
  await sql`CREATE TABLE elar.test_fee_paid (payment_id uuid NOT NULL, payable_id text NOT NULL)`.execute(
    elar.portal.db,
  );
  quotePayable('http-fee', async (_db, { id, ownerSub }) =>
    owners.get(id) === ownerSub ? { amountCents: 12_500, description: `Application ${id}: 2 licenses` } : null,
  );
  onPaid('http-fee', async (trx, payment) => {
    await sql`INSERT INTO elar.test_fee_paid VALUES (${payment.id}, ${payment.payable_id})`.execute(trx);
    return 'completed';
  });
});
after(() => elar.close());

interface Educator {
  b: Browser;
  sub: string;
}

async function educator(): Promise<Educator> {
  serial++;
  const ip = `10.9.${serial}.1`;
  const { userName } = await createProfile(elar.browser(ip), {
    firstName: 'Paula',
    lastName: `Payer${'abcdefghijklmnop'[serial]}`,
    dob: ['6', String(serial), '1985'],
    ssn: `805-4${serial % 10}-67${String(serial).padStart(2, '0')}`,
  });
  const b = elar.browser(ip);
  const page = await signInToElar(b, userName);
  assert.equal(page.status, 200);
  const { id: sub } = await elar.portal.db
    .selectFrom('profile')
    .select('id')
    .where('user_name', '=', userName)
    .executeTakeFirstOrThrow();
  return { b, sub };
}

/** An educator whose ELAR session holds the payments role. */
async function paymentsOfficer(): Promise<Educator> {
  const officer = await educator();
  await elar.db
    .updateTable('elar.session')
    .set({ staff_roles: ['payments'] })
    .where('sub', '=', officer.sub)
    .execute();
  return officer;
}

function feeOf(person: Educator) {
  const id = String(1_000_000 + serial * 10 + owners.size);
  owners.set(id, person.sub);
  return id;
}

const pay = (b: Browser, payable: string) =>
  b.post('/elar/payments/pay', { kind: 'http-fee', payable, purpose: 'fee' });
const pathOf = (location: string) => location.replace(elar.origin, '');

async function ledger(payable: string) {
  const payments = await elar.db.selectFrom('payment').select('state').where('payable_id', '=', payable).execute();
  const { rows } = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM elar.test_fee_paid WHERE payable_id = ${payable}`.execute(elar.portal.db);
  return {
    succeeded: payments.filter((p) => p.state === 'succeeded').length,
    all: payments.length,
    completions: rows[0]!.n,
  };
}

const CARD = { cardholderName: 'Paula Payer', cardNumber: '4242 4242 4242 4242', expiry: '04/39', cvc: '123' };
const DECLINED = { ...CARD, cardNumber: '4000 0000 0000 0002' };

async function checkoutFor(b: Browser, payable: string): Promise<string> {
  await b.get('/elar');
  const res = await pay(b, payable);
  assert.equal(res.status, 303);
  assert.match(res.location!, /\/elar\/payments\/test-checkout\/tcs_[0-9a-f]+$/);
  return pathOf(res.location!);
}

async function submitCard(b: Browser, checkout: string, card: Record<string, string>): Promise<Response> {
  await b.get(checkout);
  return b.post(checkout, card);
}

describe('paying with the built-in test provider', () => {
  test('the checkout page says plainly it is a test, labels every field and takes no amount from the browser', async () => {
    const person = await educator();
    const checkout = await checkoutFor(person.b, feeOf(person));
    const page = await person.b.get(checkout);
    assert.equal(page.status, 200);
    assert.match(page.body, /This is a test\. No money moves\./);
    assert.match(page.body, /\$125\.00/);
    for (const field of ['cardholderName', 'cardNumber', 'expiry', 'cvc'])
      assert.match(page.body, new RegExp(`<label[^>]*for="${field}"`), field);
    assert.doesNotMatch(page.body, /name="amount/);
  });

  test('bad card details come back with 422, an error summary and what was typed', async () => {
    const person = await educator();
    const checkout = await checkoutFor(person.b, feeOf(person));
    const res = await submitCard(person.b, checkout, { ...CARD, expiry: '13/40', cvc: '' });
    assert.equal(res.status, 422);
    assert.match(res.body, /There is a problem/);
    assert.match(res.body, /<a href="#expiry">Enter the expiry date as MM\/YY/);
    assert.match(res.body, /<a href="#cvc">Enter the security code/);
    assert.match(res.body, /value="Paula Payer"/);
    assert.match(res.body, /<title>Error: /);
  });

  test('declined, then paid: a clear decline with "try again", then one payment, its receipt and one completion', async () => {
    const person = await educator();
    const fee = feeOf(person);
    const first = await checkoutFor(person.b, fee);
    const declined = await person.b.follow(await submitCard(person.b, first, DECLINED));
    assert.equal(declined.status, 200);
    assert.match(declined.body, /data-outcome="declined"/);
    assert.match(declined.body, /Your card was declined/);
    assert.match(declined.body, /Try again/);
    assert.match(declined.body, /Pay later/);

    const second = await checkoutFor(person.b, fee);
    assert.notEqual(second, first, 'a new attempt after a decline');
    const paid = await person.b.follow(await submitCard(person.b, second, CARD));
    assert.match(paid.body, /data-outcome="paid"/);
    const receiptLink = /href="(\/elar\/payments\/[0-9a-f-]+\/receipt)"/.exec(paid.body)![1]!;
    const receipt = await person.b.get(receiptLink);
    assert.equal(receipt.status, 200);
    assert.match(receipt.body, /data-receipt-number="true">[0-9]{6,}</);
    assert.match(receipt.body, /\$125\.00/);
    assert.match(receipt.body, /Card ending 4242/);
    assert.match(receipt.body, new RegExp(`Application ${fee}: 2 licenses`));

    // The provider's callbacks arrive after the redirect: they change nothing.
    await elar.portal.elarJobs.runDue();
    assert.deepEqual(await ledger(fee), { succeeded: 1, all: 2, completions: 1 });
  });

  test('the callback before the person comes back records the payment; coming back shows it', async () => {
    const person = await educator();
    const fee = feeOf(person);
    const checkout = await checkoutFor(person.b, fee);
    const res = await submitCard(person.b, checkout, CARD);
    await elar.portal.elarJobs.runDue();
    assert.deepEqual(await ledger(fee), { succeeded: 1, all: 1, completions: 1 });
    const back = await person.b.get(pathOf(res.location!));
    assert.match(back.body, /data-outcome="paid"/);
    assert.deepEqual(await ledger(fee), { succeeded: 1, all: 1, completions: 1 });
  });

  test('a double click on Pay and the back button to the card form charge once', async () => {
    const person = await educator();
    const fee = feeOf(person);
    await person.b.get('/elar');
    const [a, b] = await Promise.all([pay(person.b, fee), pay(person.b, fee)]);
    assert.equal(a.location, b.location);
    const checkout = pathOf(a.location!);
    await submitCard(person.b, checkout, CARD);
    // The back button: the card form sent again.
    const again = await person.b.post(checkout, CARD);
    assert.equal(again.status, 303);
    const ended = await person.b.get(checkout);
    assert.match(ended.body, /This checkout has ended/);
    // And Pay once more from an old page: straight to the receipt.
    await person.b.get('/elar');
    const payAgain = await pay(person.b, fee);
    assert.match(payAgain.location!, /\/receipt$/);
    await elar.portal.elarJobs.runDue();
    assert.deepEqual(await ledger(fee), { succeeded: 1, all: 1, completions: 1 });
  });
});

describe('another person’s payment cannot be reached', () => {
  test('another person’s receipt, return page or fee answers exactly like one that does not exist', async () => {
    const owner = await educator();
    const fee = feeOf(owner);
    const checkout = await checkoutFor(owner.b, fee);
    const back = await submitCard(owner.b, checkout, CARD);
    const paymentPath = pathOf(back.location!).replace(/\/return$/, '');
    const stranger = await educator();
    const missing = `/elar/payments/${randomUUID()}`;
    for (const suffix of ['/receipt', '/return']) {
      const theirs = await stranger.b.get(`${paymentPath}${suffix}`);
      const none = await stranger.b.get(`${missing}${suffix}`);
      assert.equal(theirs.status, 404, suffix);
      assert.equal(none.status, 404);
      assert.doesNotMatch(theirs.body, /Paula|\$125/);
    }
    assert.equal((await stranger.b.get('/elar/payments/not-a-uuid/receipt')).status, 404);
    await stranger.b.get('/elar');
    assert.equal((await pay(stranger.b, fee)).status, 404);
  });

  test('signed out, the payment pages send the person to sign in', async () => {
    const b = elar.browser('10.9.200.1');
    const res = await b.get(`/elar/payments/${randomUUID()}/receipt`);
    assert.equal(res.status, 303);
    assert.equal(res.location, '/elar');
  });
});

describe('the provider’s callback route', () => {
  const post = (path: string, body: string, headers: Record<string, string>) =>
    elar.portal.app.inject({
      method: 'POST',
      url: path,
      payload: body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  test('an unsigned or wrongly signed callback is refused with 400; another provider’s path is 404', async () => {
    const body = JSON.stringify({ id: 'tevt_forged', session: 'tcs_forged' });
    assert.equal((await post('/elar/payments/webhooks/test', body, {})).statusCode, 400);
    const forged = await post('/elar/payments/webhooks/test', body, {
      'elar-test-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
    });
    assert.equal(forged.statusCode, 400);
    assert.equal((await post('/elar/payments/webhooks/stripe', body, {})).statusCode, 404);
  });
});

describe('refunds by the Department', () => {
  async function paidFee(person: Educator) {
    const fee = feeOf(person);
    const checkout = await checkoutFor(person.b, fee);
    const back = await person.b.follow(await submitCard(person.b, checkout, CARD));
    return /href="\/elar\/payments\/([0-9a-f-]+)\/receipt"/.exec(back.body)![1]!;
  }

  test('an educator cannot open the refund page', async () => {
    const person = await educator();
    const id = await paidFee(person);
    assert.equal((await person.b.get(`/elar/payments/${id}/refund`)).status, 403);
  });

  test('a partial refund with a reason is audited and shown on the educator’s receipt; more than is left is refused', async () => {
    const person = await educator();
    const id = await paidFee(person);
    const officer = await paymentsOfficer();
    const form = await officer.b.get(`/elar/payments/${id}/refund`);
    assert.equal(form.status, 200);
    assert.match(form.body, /Up to \$125\.00 can be refunded/);

    const tooMuch = await officer.b.post(`/elar/payments/${id}/refund`, { amount: '200.00', reason: 'Duplicate' });
    assert.equal(tooMuch.status, 422);
    assert.match(tooMuch.body, /The refund can be at most \$125\.00/);
    const noReason = await officer.b.post(`/elar/payments/${id}/refund`, { amount: '25.00', reason: '' });
    assert.equal(noReason.status, 422);
    assert.match(noReason.body, /Enter the reason for the refund/);

    const ok = await officer.b.post(`/elar/payments/${id}/refund`, {
      amount: '25.00',
      reason: 'One license withdrawn',
    });
    assert.equal(ok.status, 303);
    await elar.portal.elarJobs.runDue();

    const receipt = await person.b.get(`/elar/payments/${id}/receipt`);
    assert.match(receipt.body, /data-refunded-cents="2500"/);
    assert.match(receipt.body, /One license withdrawn/);
    assert.match(receipt.body, /Refunded to your card/);
    const payment = await elar.db
      .selectFrom('payment')
      .select(['state', 'refunded_cents'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(payment, { state: 'partially_refunded', refunded_cents: 2500 });
    const audited = await elar.db
      .selectFrom('audit_event')
      .select(['type', 'actor_id'])
      .where('subject_id', '=', id)
      .where('type', 'like', 'payment.refund%')
      .orderBy('id')
      .execute();
    assert.deepEqual(audited, [
      { type: 'payment.refund-requested', actor_id: officer.sub },
      { type: 'payment.refunded', actor_id: officer.sub },
    ]);

    // The rest, in full: the payment is refunded.
    await officer.b.get(`/elar/payments/${id}/refund`);
    await officer.b.post(`/elar/payments/${id}/refund`, { amount: '100', reason: 'Application withdrawn' });
    await elar.portal.elarJobs.runDue();
    const after = await elar.db
      .selectFrom('payment')
      .select(['state', 'refunded_cents'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(after, { state: 'refunded', refunded_cents: 12_500 });
  });
});

describe('queued calls go out at once', () => {
  async function until(what: string, check: () => Promise<boolean>) {
    const end = Date.now() + 5_000;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`still waiting after 5 s (the next poll is in ten minutes): ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  test('the test provider’s callback and a Department refund are sent as soon as they are queued, not at the next poll', async () => {
    await elar.portal.elarJobs.start();
    try {
      const person = await educator();
      const fee = feeOf(person);
      // The person does not come back from the checkout: only the callback can record the payment.
      const back = await submitCard(person.b, await checkoutFor(person.b, fee), CARD);
      await until('the callback records the payment', async () => (await ledger(fee)).succeeded === 1);

      const id = /\/elar\/payments\/([0-9a-f-]+)\/return$/.exec(back.location!)![1]!;
      const officer = await paymentsOfficer();
      await officer.b.get(`/elar/payments/${id}/refund`);
      const refund = await officer.b.post(`/elar/payments/${id}/refund`, {
        amount: '25.00',
        reason: 'One license withdrawn',
      });
      assert.equal(refund.status, 303);
      await until('the provider is asked for the refund', async () => {
        const payment = await elar.db
          .selectFrom('payment')
          .select('refunded_cents')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return payment.refunded_cents === 2500;
      });
    } finally {
      await elar.portal.elarJobs.stop();
    }
  });
});
