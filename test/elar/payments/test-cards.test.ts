import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chargeTestCard, type CardForm } from '../../../src/elar/payments/test-cards.ts';

const today = new Date('2026-12-02T10:00:00Z');
const card = (over: Partial<CardForm> = {}): CardForm => ({
  cardholderName: 'Ella Elar',
  cardNumber: '4242 4242 4242 4242',
  expiry: '04/29',
  cvc: '123',
  ...over,
});

describe('the test checkout answers as a card network would', () => {
  test('4242 4242 4242 4242 pays, with or without spaces, and keeps only the last 4 digits', () => {
    assert.deepEqual(chargeTestCard(card(), today), { ok: true, result: 'paid', last4: '4242' });
    assert.deepEqual(chargeTestCard(card({ cardNumber: '4242-4242-4242-4242' }), today), {
      ok: true,
      result: 'paid',
      last4: '4242',
    });
  });

  test('4000 0000 0000 0002 is declined with a plain reason', () => {
    const outcome = chargeTestCard(card({ cardNumber: '4000000000000002' }), today);
    assert.deepEqual(outcome, { ok: true, result: 'declined', last4: '0002', reason: 'Your card was declined.' });
  });

  test('each missing field gets its own message', () => {
    const outcome = chargeTestCard({ cardholderName: ' ', cardNumber: '', expiry: '', cvc: '' }, today);
    assert.equal(outcome.ok, false);
    assert.deepEqual(Object.keys(!outcome.ok ? outcome.errors : {}), ['cardholderName', 'cardNumber', 'expiry', 'cvc']);
  });

  test('a number that fails the check digit, or any other card, is refused on the card number', () => {
    for (const cardNumber of ['4242 4242 4242 4241', '12ab', '5555 5555 5555 4444']) {
      const outcome = chargeTestCard(card({ cardNumber }), today);
      assert.ok(!outcome.ok && outcome.errors.cardNumber, cardNumber);
    }
  });

  test('the expiry is MM/YY and in the future; this month still counts', () => {
    assert.ok(chargeTestCard(card({ expiry: '12/26' }), today).ok);
    for (const expiry of ['11/26', '13/29', '4/29', '2029-04']) {
      const outcome = chargeTestCard(card({ expiry }), today);
      assert.ok(!outcome.ok && outcome.errors.expiry, expiry);
    }
  });

  test('the security code is 3 or 4 digits', () => {
    assert.ok(chargeTestCard(card({ cvc: '1234' }), today).ok);
    for (const cvc of ['12', '12345', 'abc']) {
      const outcome = chargeTestCard(card({ cvc }), today);
      assert.ok(!outcome.ok && outcome.errors.cvc, cvc);
    }
  });
});
