import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_APPLICATION_SETTINGS, submit, withdraw } from '../../../src/elar/applications/index.ts';
import type { Browser } from '../../helpers/portal.ts';
import { profilesFor, signInToElar, startElar, type TestElar } from '../../helpers/elar.ts';
import { BIOLOGY, CHEMISTRY, completeDraft } from './helpers.ts';

/**
 * An application paid for from its own page (SPEC E2): the fee it was quoted, the test
 * provider's checkout, a declined card, then a good one, and the application moving on in
 * the payment's transaction — once, whatever arrives twice.
 */
let elar: TestElar;
let people: Record<'owner' | 'stranger', { userName: string; sub: string }>;
const deps = () => ({ db: elar.db, settings: DEFAULT_APPLICATION_SETTINGS });

before(async () => {
  elar = await startElar();
  people = await profilesFor(elar, ['owner', 'stranger'], 21);
});
after(() => elar.close());

const CARD = { cardholderName: 'Paz Paytest', cardNumber: '4242 4242 4242 4242', expiry: '04/39', cvc: '123' };
const DECLINED = { ...CARD, cardNumber: '4000 0000 0000 0002' };
const pathOf = (location: string) => location.replace(elar.origin, '');
const payForm = (id: string) => ({ kind: 'application', payable: id, purpose: 'application-fee' });

async function submitted(licenses = [BIOLOGY, CHEMISTRY]) {
  const person = { sub: people.owner.sub, mepid: null, email: null };
  const draft = await completeDraft(deps(), person, licenses);
  await submit(deps(), person, draft.id);
  return draft;
}

/** A text as a regular expression that matches it exactly. */
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function stateOf(id: string) {
  return (await elar.db.selectFrom('application').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;
}

async function payments(id: string) {
  return elar.db.selectFrom('payment').select(['state', 'amount_cents']).where('payable_id', '=', id).execute();
}

async function checkout(b: Browser, id: string) {
  const res = await b.post('/elar/payments/pay', payForm(id));
  assert.equal(res.status, 303);
  return pathOf(res.location!);
}

describe('paying for an application from its page', () => {
  test('two licenses: $125 on the page; a declined card leaves it awaiting payment; a good card moves it on, once', async () => {
    const draft = await submitted();
    const b = elar.browser('10.9.6.1');
    await signInToElar(b, people.owner.userName);
    const page = await b.get(`/elar/applications/${draft.id}`);
    assert.match(page.body, /data-application-status="awaiting-payment"/);
    assert.match(page.body, /Pay \$125\.00/);
    assert.match(page.body, /pay later/);

    const declined = await b.post(await checkout(b, draft.id), DECLINED);
    const back = await b.get(pathOf(declined.location!));
    assert.match(back.body, /declined/i);
    assert.equal(await stateOf(draft.id), 'awaiting-payment');

    const paid = await b.post(await checkout(b, draft.id), CARD);
    await b.get(pathOf(paid.location!));
    await elar.portal.elarJobs.runDue();
    // Gate items are self-reported and none are yet: Not Ready, with the payment on file.
    assert.equal(await stateOf(draft.id), 'not-ready');
    assert.deepEqual(
      (await payments(draft.id)).filter((p) => p.state === 'succeeded'),
      [{ state: 'succeeded', amount_cents: 12_500 }],
    );
    const after = await b.get(`/elar/applications/${draft.id}`);
    assert.match(after.body, /data-application-status="not-ready"/);
    assert.doesNotMatch(after.body, /data-pay/, 'nothing left to pay');
    const again = await b.post('/elar/payments/pay', payForm(draft.id));
    assert.equal(again.status, 404, 'a paid application is not for sale again');
  });

  test('the checkout, the page paid on and the receipt name each license paid for', async () => {
    const draft = await submitted([
      { ...BIOLOGY, catalogCode: 'TCH-PHYS-8-12' },
      { ...CHEMISTRY, catalogCode: 'TCH-ESS-8-12' },
    ]);
    const paidFor = `Application ${draft.reference}: Physics (8-12), Initial license; Earth and Space Science (8-12), Initial license`;
    const b = elar.browser('10.9.6.6');
    await signInToElar(b, people.owner.userName);
    await b.get(`/elar/applications/${draft.id}`);
    const checkoutPage = await checkout(b, draft.id);
    assert.match((await b.get(checkoutPage)).body, new RegExp(`${escaped(paidFor)}: <strong>\\$125\\.00</strong>`));

    const paid = await b.post(checkoutPage, CARD);
    const back = await b.get(pathOf(paid.location!));
    assert.match(back.body, new RegExp(`We have your payment of \\$125\\.00 for ${escaped(paidFor)}\\.`));
    const receiptUrl = /href="(\/elar\/payments\/[^"]+\/receipt)"/.exec(back.body)?.[1];
    assert.ok(receiptUrl, 'the page paid on links to the receipt');
    const receipt = await b.get(receiptUrl);
    assert.match(receipt.body, new RegExp(`<dt>Paid for</dt><dd>${escaped(paidFor)}</dd>`));
  });

  test('ten licenses with long names: the checkout names as many as fit in 500 characters, then how many more', async () => {
    const codes =
      'POL-5-12 CS-5-12 HEALTH-ALL ESL-PREK-6 TECH-5-12 MOD-PREK-8 MOD-5-12 ECE-PREK-2 HUM-5-8 GSCI-5-8'.split(' ');
    const draft = await submitted(codes.map((code) => ({ ...BIOLOGY, catalogCode: `TCH-${code}` })));
    const b = elar.browser('10.9.6.7');
    await signInToElar(b, people.owner.userName);
    await b.get(`/elar/applications/${draft.id}`);
    const page = await b.get(await checkout(b, draft.id));
    const paidFor = /<p class="usa-intro">(.*?): <strong>/.exec(page.body)?.[1] ?? '';
    assert.ok(paidFor.length < 500, `${paidFor.length} characters`);
    assert.match(
      paidFor,
      new RegExp(
        `^Application ${draft.reference}: Political Science/Political Philosophy \\(5-12\\), Initial license; `,
      ),
    );
    assert.match(paidFor, /; Early Childhood \(PreK-2\), Initial license; and 2 more$/);
    assert.equal(paidFor.split('; ').length, 9, 'eight licenses by name, then the two more');
  });

  test('forty Pay clicks at once open one payment of the quoted amount', async () => {
    const draft = await submitted([{ ...BIOLOGY, catalogCode: 'TCH-HIST-5-12' }]);
    const b = elar.browser('10.9.6.2');
    await signInToElar(b, people.owner.userName);
    await b.get(`/elar/applications/${draft.id}`);
    const replies = await Promise.all(
      Array.from({ length: 40 }, () => b.post('/elar/payments/pay', payForm(draft.id))),
    );
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([303]));
    assert.equal(new Set(replies.map((r) => r.location)).size, 1);
    assert.deepEqual(await payments(draft.id), [{ state: 'open', amount_cents: 10_000 }]);
  });

  test('withdrawn while its checkout is open, then paid there: the payment is recorded with a receipt and refunded in full by itself', async () => {
    const draft = await submitted([{ ...BIOLOGY, catalogCode: 'TCH-ESL-5-12' }]);
    const b = elar.browser('10.9.6.5');
    await signInToElar(b, people.owner.userName);
    await b.get(`/elar/applications/${draft.id}`);
    const checkoutPage = await checkout(b, draft.id);
    await withdraw(deps(), people.owner.sub, draft.id, { reason: 'Changed my mind' });
    const paid = await b.post(checkoutPage, CARD);
    const back = await b.get(pathOf(paid.location!));
    assert.equal(back.status, 200);
    await elar.portal.elarJobs.runDue();
    assert.equal(await stateOf(draft.id), 'withdrawn', 'the payment does not bring it back');
    assert.deepEqual(await payments(draft.id), [{ state: 'refunded', amount_cents: 10_000 }]);
    const refunds = await elar.db
      .selectFrom('refund')
      .innerJoin('payment', 'payment.id', 'refund.payment_id')
      .select(['refund.amount_cents', 'refund.state', 'refund.reason'])
      .where('payment.payable_id', '=', draft.id)
      .execute();
    assert.equal(refunds.length, 1);
    assert.equal(refunds[0]!.amount_cents, 10_000);
    assert.equal(refunds[0]!.state, 'succeeded');
    assert.match(refunds[0]!.reason, /withdrawn before the payment went through/);
    // Callbacks arriving again change nothing.
    await elar.portal.elarJobs.runDue();
    assert.deepEqual(await payments(draft.id), [{ state: 'refunded', amount_cents: 10_000 }]);
  });

  test('someone else cannot pay for it, a draft cannot be paid, and the amount is never the browser’s', async () => {
    const draft = await submitted([{ ...BIOLOGY, catalogCode: 'TCH-MUS-ALL' }]);
    const stranger = elar.browser('10.9.6.3');
    await signInToElar(stranger, people.stranger.userName);
    assert.equal((await stranger.post('/elar/payments/pay', payForm(draft.id))).status, 404);
    assert.equal((await stranger.post('/elar/payments/pay', { ...payForm('not-a-uuid') })).status, 404);
    assert.equal(
      (await stranger.post('/elar/payments/pay', payForm('-'.repeat(36)))).status,
      404,
      'shaped like an id, not one',
    );

    const owner = elar.browser('10.9.6.4');
    await signInToElar(owner, people.owner.userName);
    const notSubmitted = await completeDraft(deps(), { sub: people.owner.sub, mepid: null, email: null }, [
      { ...BIOLOGY, catalogCode: 'TCH-ART-5-12' },
    ]);
    assert.equal((await owner.post('/elar/payments/pay', payForm(notSubmitted.id))).status, 404);
    await owner.post('/elar/payments/pay', { ...payForm(draft.id), amountCents: '1', amount: '1' });
    assert.deepEqual(await payments(draft.id), [{ state: 'open', amount_cents: 10_000 }]);
    assert.equal((await payments(notSubmitted.id)).length, 0);
  });
});
