import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { signTestNotice, TEST_SIGNATURE_HEADER } from '../../../src/elar/payments/test-provider.ts';
import { startElar, type TestElar } from '../../helpers/elar.ts';

/**
 * Provider callbacks are proven by their signature, not by a person's browser: the per-address
 * limit on form posts must not throttle them (attack review F7). They have a limit of their
 * own, far higher, and the browser limit still holds for everything else.
 */
const CLIENT_SECRET = 'elar-callback-limits-secret-0123456789abcdef';
let elar: TestElar;
before(async () => {
  elar = await startElar({ RATE_LIMIT_POSTS_PER_MINUTE: '5', ELAR_CLIENT_SECRET: CLIENT_SECRET });
});
after(() => elar.close());

// As the plugin derives it: the test provider's callbacks are signed with a key from ELAR's client secret.
const webhookSecret = createHmac('sha256', CLIENT_SECRET).update('elar test payment provider callbacks').digest('hex');
const IP = '10.70.0.1';

function notice(n: number) {
  const payload = JSON.stringify({ id: `tevt_burst_${n}`, type: 'checkout.ended', session: `tcs_burst_${n}` });
  return elar.portal.app.inject({
    method: 'POST',
    url: '/elar/payments/webhooks/test',
    remoteAddress: IP,
    payload,
    headers: { 'content-type': 'application/json', [TEST_SIGNATURE_HEADER]: signTestNotice(webhookSecret, payload) },
  });
}

describe('provider callbacks and the form-post limit', () => {
  test('200 signed callbacks from one address within a minute are all answered, none 429; a form post from it is limited', async () => {
    const statuses = new Map<number, number>();
    for (let i = 0; i < 200; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, (_, j) => notice(i + j)));
      for (const res of batch) statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    }
    assert.deepEqual([...statuses], [[200, 200]]);
    // The browser limit (5 a minute here) is still there for people's forms from that address.
    const forms = [];
    for (let i = 0; i < 7; i++)
      forms.push(
        (await elar.portal.app.inject({ method: 'POST', url: '/elar/payments/pay', remoteAddress: IP, payload: {} }))
          .statusCode,
      );
    assert.equal(forms.at(-1), 429);
  });
});
