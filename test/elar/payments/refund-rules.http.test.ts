import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_APPLICATION_SETTINGS, submit, withdraw } from '../../../src/elar/applications/index.ts';
import type { Browser } from '../../helpers/portal.ts';
import { profilesFor, signInToElar, startElar, type TestElar } from '../../helpers/elar.ts';
import { BIOLOGY, CHEMISTRY, completeDraft } from '../applications/helpers.ts';

/**
 * Who may refund an application fee, and what a refund means for the application (attack
 * review F6): an officer never refunds their own fee, and a fee is refunded in full only
 * once its application is withdrawn or decided, so no application is evaluated for free.
 */
let elar: TestElar;
let people: Record<'educator' | 'officer' | 'officerWhoApplies', { userName: string; sub: string }>;
const browsers = {} as Record<keyof typeof people, Browser>;
const deps = () => ({ db: elar.db, settings: DEFAULT_APPLICATION_SETTINGS });
const CARD = { cardholderName: 'Rita Refund', cardNumber: '4242 4242 4242 4242', expiry: '04/39', cvc: '123' };

before(async () => {
  elar = await startElar();
  people = await profilesFor(elar, ['educator', 'officer', 'officerWhoApplies'], 61);
  for (const [i, role] of (['educator', 'officer', 'officerWhoApplies'] as const).entries()) {
    browsers[role] = elar.browser(`10.61.1.${i + 1}`);
    await signInToElar(browsers[role], people[role].userName);
  }
  // A payments officer's ELAR session carries the role (as the portal's `roles` claim would give it).
  await elar.db
    .updateTable('elar.session')
    .set({ staff_roles: ['payments'] })
    .where('sub', 'in', [people.officer.sub, people.officerWhoApplies.sub])
    .execute();
});
after(() => elar.close());

/** An application of `role`'s, submitted and paid with the test card: its payment id. */
async function paidApplication(role: 'educator' | 'officerWhoApplies', license = BIOLOGY) {
  const person = { sub: people[role].sub, mepid: null, email: null };
  const draft = await completeDraft(deps(), person, [license]);
  await submit(deps(), person, draft.id);
  const b = browsers[role];
  await b.get(`/elar/applications/${draft.id}`);
  const pay = await b.post('/elar/payments/pay', {
    kind: 'application',
    payable: draft.id,
    purpose: 'application-fee',
  });
  const checkout = pay.location!.replace(elar.origin, '');
  await b.get(checkout);
  await b.follow(await b.post(checkout, CARD));
  const payment = await elar.db
    .selectFrom('payment')
    .select(['id', 'amount_cents', 'state'])
    .where('payable_id', '=', draft.id)
    .executeTakeFirstOrThrow();
  assert.equal(payment.state, 'succeeded');
  return { applicationId: draft.id, person, paymentId: payment.id, cents: payment.amount_cents };
}

const refundsOf = (paymentId: string) =>
  elar.db.selectFrom('refund').select(['amount_cents', 'state']).where('payment_id', '=', paymentId).execute();
const refusals = (paymentId: string) =>
  elar.db
    .selectFrom('audit_event')
    .select(['actor_id', 'detail'])
    .where('subject_id', '=', paymentId)
    .where('type', '=', 'payment.refund-refused')
    .execute();
const stateOf = async (id: string) =>
  (await elar.db.selectFrom('application').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;

async function askRefund(role: 'officer' | 'officerWhoApplies', paymentId: string, amount: string, reason: string) {
  const b = browsers[role];
  await b.get(`/elar/payments/${paymentId}/refund`);
  return b.post(`/elar/payments/${paymentId}/refund`, { amount, reason });
}

describe('refunding an application fee', () => {
  test('a payments officer cannot refund their own fee: 403 with its code, no refund, the attempt audited', async () => {
    const own = await paidApplication('officerWhoApplies');
    const page = await browsers.officerWhoApplies.get(`/elar/payments/${own.paymentId}/refund`);
    assert.equal(page.status, 403);
    assert.match(page.body, /You cannot refund a payment you made yourself/);
    const res = await browsers.officerWhoApplies.post(`/elar/payments/${own.paymentId}/refund`, {
      amount: '10.00',
      reason: 'Mine',
    });
    assert.equal(res.status, 403);
    assert.match(res.body, /ELAR_ERR_REFUND_OWN_PAYMENT/);
    assert.deepEqual(await refundsOf(own.paymentId), []);
    const audited = await refusals(own.paymentId);
    assert.equal(audited.length, 1);
    assert.equal(audited[0]!.actor_id, people.officerWhoApplies.sub);
    assert.equal((audited[0]!.detail as { code: string }).code, 'ELAR_ERR_REFUND_OWN_PAYMENT');
    // Another officer may: the rule is about the person, not the payment.
    const byOther = await askRefund('officer', own.paymentId, '10.00', 'Fee charged twice by mistake');
    assert.equal(byOther.status, 303);
  });

  test('a full refund while the application is open is refused and says why; a part refund is taken', async () => {
    const paid = await paidApplication('educator');
    const full = await askRefund('officer', paid.paymentId, (paid.cents / 100).toFixed(2), 'Asked for it back');
    assert.equal(full.status, 409);
    assert.match(full.body, /There is a problem/);
    assert.match(full.body, /refunded in full only once the application is withdrawn or approved/);
    assert.match(full.body, /Asked for it back/, 'the entered reason is kept');
    assert.deepEqual(await refundsOf(paid.paymentId), []);
    assert.equal(((await refusals(paid.paymentId))[0]!.detail as { code: string }).code, 'ELAR_ERR_REFUND_WHILE_OPEN');
    assert.notEqual(await stateOf(paid.applicationId), 'withdrawn');

    const part = await askRefund('officer', paid.paymentId, '5.00', 'Overcharged');
    assert.equal(part.status, 303);
    // What is left, in full, is also refused while open: the two together would return the whole fee.
    const rest = ((paid.cents - 500) / 100).toFixed(2);
    assert.equal((await askRefund('officer', paid.paymentId, rest, 'The rest')).status, 409);
  });

  test('once the application is withdrawn, its fee is refunded in full and the application stays withdrawn', async () => {
    const paid = await paidApplication('educator', CHEMISTRY);
    await withdraw(deps(), paid.person.sub, paid.applicationId, { reason: 'Moving out of state' });
    const full = await askRefund('officer', paid.paymentId, (paid.cents / 100).toFixed(2), 'Withdrawn');
    assert.equal(full.status, 303);
    await elar.portal.elarJobs.runDue();
    const payment = await elar.db
      .selectFrom('payment')
      .select(['state', 'refunded_cents'])
      .where('id', '=', paid.paymentId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(payment, { state: 'refunded', refunded_cents: paid.cents });
    assert.equal(await stateOf(paid.applicationId), 'withdrawn');
  });
});
