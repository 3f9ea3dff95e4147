import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  applyStaffTransition,
  DEFAULT_APPLICATION_SETTINGS,
  GATE_ITEMS,
  reportGateItems,
  requestReconsideration,
  submit,
} from '../../../src/elar/applications/index.ts';
import type { Browser } from '../../helpers/portal.ts';
import { profilesFor, signInToElar, startElar, type TestElar } from '../../helpers/elar.ts';
import { BIOLOGY, completeDraft } from '../applications/helpers.ts';

/**
 * Attack review s18 (S2): F6's rule is "a fee is refunded in full only once its application is
 * withdrawn or decided", and a denial counts as decided. But a denial is not final: within the
 * reconsideration window the educator asks again, a supervisor reopens the review, and the
 * application is evaluated (and may be approved) on a fee that was given back in full.
 */
let elar: TestElar;
let people: Record<'educator' | 'officer' | 'supervisor', { userName: string; sub: string }>;
const browsers = {} as Record<'educator' | 'officer', Browser>;
const deps = () => ({ db: elar.db, settings: DEFAULT_APPLICATION_SETTINGS });
const CARD = { cardholderName: 'Rita Refund', cardNumber: '4242 4242 4242 4242', expiry: '04/39', cvc: '123' };

before(async () => {
  elar = await startElar();
  people = await profilesFor(elar, ['educator', 'officer', 'supervisor'], 84);
  for (const [i, role] of (['educator', 'officer'] as const).entries()) {
    browsers[role] = elar.browser(`10.84.1.${i + 1}`);
    await signInToElar(browsers[role], people[role].userName);
  }
  await elar.db
    .updateTable('elar.session')
    .set({ staff_roles: ['payments'] })
    .where('sub', '=', people.officer.sub)
    .execute();
});
after(() => elar.close());

const stateOf = async (id: string) =>
  (await elar.db.selectFrom('application').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;

describe('a fee refunded in full never pays for a review', () => {
  test('denied, refunded in full, then reconsidered: the review does not start again on the refunded fee', async () => {
    const person = { sub: people.educator.sub, mepid: null, email: null };
    const draft = await completeDraft(deps(), person, [BIOLOGY]);
    await reportGateItems(deps(), person.sub, draft.id, GATE_ITEMS);
    await submit(deps(), person, draft.id);
    const b = browsers.educator;
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
    assert.equal(await stateOf(draft.id), 'ready-for-review');

    const supervisor = {
      kind: 'staff' as const,
      sub: people.supervisor.sub,
      staffRoles: ['licensure-supervisor' as const],
    };
    await applyStaffTransition(deps(), supervisor, draft.id, 'start-review');
    await applyStaffTransition(deps(), supervisor, draft.id, 'deny', { reason: 'Program not approved' });
    assert.equal(await stateOf(draft.id), 'denied');

    // A payments officer returns the whole fee: the application is "decided".
    await browsers.officer.get(`/elar/payments/${payment.id}/refund`);
    const refund = await browsers.officer.post(`/elar/payments/${payment.id}/refund`, {
      amount: (payment.amount_cents / 100).toFixed(2),
      reason: 'Denied: fee returned',
    });
    if (refund.status !== 303) {
      // Refused while the denial can still be reconsidered: the rule holds, said as a conflict.
      assert.equal(refund.status, 409);
      return;
    }

    // Within the window the educator asks again; the Department would review it for nothing.
    let reopened = true;
    try {
      await requestReconsideration(deps(), person.sub, draft.id, { reason: 'My program is approved' });
      await applyStaffTransition(deps(), supervisor, draft.id, 'reopen-review');
    } catch {
      reopened = false;
    }
    assert.equal(reopened, false, 'a review reopened on a fee refunded in full');
    assert.equal(await stateOf(draft.id), 'denied');
  });
});
