import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/platform/config.ts';
import { startPortal, type TestPortal } from '../helpers/portal.ts';

/**
 * Behind a reverse proxy, the client is the first address that is not a trusted proxy,
 * counted from the right of X-Forwarded-For: whatever a client writes on the left is its
 * own claim and must never become the address the limits and the audit log see.
 */

let counter = 0;

/** A failed login from `socket` with these forwarding headers; returns the address the audit log recorded. */
async function recordedAddress(portal: TestPortal, socket: string, forwardedFor?: string): Promise<string | null> {
  const headers: Record<string, string> = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  const form = await portal.app.inject({ url: '/login', remoteAddress: socket, headers });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
  const cookie = (form.cookies as Array<{ name: string; value: string }>).map((c) => `${c.name}=${c.value}`).join('; ');
  const userName = `nobody${++counter}`;
  const res = await portal.app.inject({
    method: 'POST',
    url: '/login',
    remoteAddress: socket,
    headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ username: userName, password: 'Wrong1', _csrf: csrf }).toString(),
  });
  assert.equal(res.statusCode, 422);
  const rows = await portal.db
    .selectFrom('audit_event')
    .select('ip')
    .where('type', '=', 'login.failed')
    .orderBy('id', 'desc')
    .limit(1)
    .execute();
  return rows[0]!.ip;
}

describe('TRUST_PROXY', () => {
  test('a hop count: addresses a client writes on the left of X-Forwarded-For are ignored', async () => {
    const portal = await startPortal({ TRUST_PROXY: '1' });
    try {
      const proxy = '10.0.0.1';
      assert.equal(await recordedAddress(portal, proxy, '198.51.100.7'), '198.51.100.7', 'what the proxy saw');
      assert.equal(await recordedAddress(portal, proxy, '6.6.6.6, 198.51.100.7'), '198.51.100.7', 'one spoofed entry');
      assert.equal(
        await recordedAddress(portal, proxy, '1.1.1.1, 2.2.2.2,3.3.3.3 , 198.51.100.7'),
        '198.51.100.7',
        'several spoofed entries',
      );
      assert.equal(
        await recordedAddress(portal, proxy, 'not-an-address, 198.51.100.7'),
        '198.51.100.7',
        'garbage on the left',
      );
      assert.equal(await recordedAddress(portal, proxy, '2001:db8::66, 2001:db8::7'), '2001:db8::7', 'IPv6');
      assert.equal(await recordedAddress(portal, proxy), proxy, 'no header: the socket');
    } finally {
      await portal.close();
    }
  });

  test('two proxies: the client is the second address from the right', async () => {
    const portal = await startPortal({ TRUST_PROXY: '2' });
    try {
      assert.equal(await recordedAddress(portal, '10.0.0.1', '6.6.6.6, 198.51.100.9, 10.0.0.2'), '198.51.100.9');
    } finally {
      await portal.close();
    }
  });

  test('a list of proxy addresses and ranges: only those are skipped, and only when the request came through one', async () => {
    const portal = await startPortal({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.1' });
    try {
      assert.equal(
        await recordedAddress(portal, '10.0.0.1', '6.6.6.6, 198.51.100.11, 192.168.1.1, 10.9.9.9'),
        '198.51.100.11',
      );
      assert.equal(await recordedAddress(portal, '10.0.0.1', '6.6.6.6, 198.51.100.12'), '198.51.100.12');
      // A client connecting directly cannot claim any address at all.
      assert.equal(await recordedAddress(portal, '203.0.113.50', '10.0.0.3'), '203.0.113.50');
      assert.equal(await recordedAddress(portal, '203.0.113.51', '6.6.6.6'), '203.0.113.51');
    } finally {
      await portal.close();
    }
  });

  test('the per-address limit cannot be escaped by changing the left of X-Forwarded-For', async () => {
    const portal = await startPortal({ TRUST_PROXY: '1', RATE_LIMIT_POSTS_PER_MINUTE: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const headers = { 'x-forwarded-for': `6.6.6.${i}, 198.51.100.20` };
        const form = await portal.app.inject({ url: '/login', remoteAddress: '10.0.0.1', headers });
        const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
        const cookie = (form.cookies as Array<{ name: string; value: string }>)
          .map((c) => `${c.name}=${c.value}`)
          .join('; ');
        const res = await portal.app.inject({
          method: 'POST',
          url: '/login',
          remoteAddress: '10.0.0.1',
          headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ username: `limit${i}`, password: 'Wrong1', _csrf: csrf }).toString(),
        });
        statuses.push(res.statusCode);
      }
      assert.deepEqual(statuses, [422, 422, 422, 429]);
    } finally {
      await portal.close();
    }
  });

  test('the setting is 0, a number of proxies or a list of addresses; anything else stops the start', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '0' }).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8,::1, 192.168.1.1' }).trustProxy, [
      '10.0.0.0/8',
      '::1',
      '192.168.1.1',
    ]);
    for (const bad of ['true', 'yes', '-1', '1.5', '10.0.0.0/33', '10.0.0.256', 'proxy.example']) {
      assert.throws(
        () => loadConfig({ TRUST_PROXY: bad }),
        /^Error: Invalid configuration: TRUST_PROXY must be 0, a number of proxies, or a list of proxy addresses/,
        bad,
      );
    }
  });
});
