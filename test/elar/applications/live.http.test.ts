import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_APPLICATION_SETTINGS, startDraft, withdraw } from '../../../src/elar/applications/index.ts';
import type { Browser } from '../../helpers/portal.ts';
import { profilesFor, signInToElar, startElar, type TestElar } from '../../helpers/elar.ts';
import { BIOLOGY } from './helpers.ts';

/**
 * Live status (SPEC E4) over a real socket: an open page's stream hears its person's status
 * changes within a second, only theirs, and a reconnecting page misses nothing.
 */
let elar: TestElar;
let people: Record<'owner' | 'stranger', { userName: string; sub: string }>;
const deps = () => ({ db: elar.db, settings: DEFAULT_APPLICATION_SETTINGS });
let codes = 0;
/** Teacher licenses of the catalog, one a draft: the owner may hold only one open application for each. */
const LICENSES = ['TCH-PHYS-8-12', 'TCH-ESS-5-8', 'TCH-ESS-8-12', 'TCH-GSCI-1-6', 'TCH-GSCI-5-8', 'TCH-ENG-5-12'];

before(async () => {
  elar = await startElar();
  people = await profilesFor(elar, ['owner', 'stranger'], 22);
});
after(() => elar.close());

interface Frame {
  id?: string;
  event?: string;
  data: Record<string, string>;
}

/** An open stream as a browser's EventSource holds it: frames as they arrive. */
class Listener {
  readonly frames: Frame[] = [];
  status = 0;
  #res?: IncomingMessage;
  #waiters: (() => void)[] = [];

  static open(b: Browser, headers: Record<string, string> = {}, query = ''): Promise<Listener> {
    const listener = new Listener();
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        `${elar.origin}/elar/applications/events${query}`,
        { headers: { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...headers } },
        (res) => {
          listener.status = res.statusCode ?? 0;
          listener.#res = res;
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let end;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              listener.#take(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
            }
          });
          resolve(listener);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  #take(block: string) {
    const frame: Partial<Frame> = {};
    for (const line of block.split('\n')) {
      const [field, ...rest] = line.split(': ');
      const value = rest.join(': ');
      if (field === 'id') frame.id = value;
      if (field === 'event') frame.event = value;
      if (field === 'data') frame.data = JSON.parse(value) as Record<string, string>;
    }
    if (frame.data) {
      this.frames.push(frame as Frame);
      for (const wake of this.#waiters.splice(0)) wake();
    }
  }

  /** Resolves once `count` frames have come, or fails after `ms`. */
  async until(count: number, ms = 1000): Promise<Frame[]> {
    const deadline = Date.now() + ms;
    while (this.frames.length < count) {
      const left = deadline - Date.now();
      assert.ok(left > 0, `expected ${count} events within ${ms} ms, got ${this.frames.length}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
    return this.frames;
  }

  close() {
    this.#res?.destroy();
  }
}

async function draft() {
  codes += 1;
  const person = { sub: people.owner.sub, mepid: null, email: null };
  const started = await startDraft(deps(), person, [{ ...BIOLOGY, catalogCode: LICENSES[codes % LICENSES.length]! }]);
  assert.ok(started.ok);
  return started;
}

async function signedIn(who: 'owner' | 'stranger', ip: string) {
  const b = elar.browser(ip);
  await signInToElar(b, people[who].userName);
  return b;
}

describe('live status', () => {
  test('an open stream hears its own application withdrawn within a second; another person’s stream hears nothing', async () => {
    const application = await draft();
    const owner = await Listener.open(await signedIn('owner', '10.22.1.1'));
    const stranger = await Listener.open(await signedIn('stranger', '10.22.1.2'));
    assert.equal(owner.status, 200);
    const started = Date.now();
    await withdraw(deps(), people.owner.sub, application.id, { reason: null });
    const [frame] = await owner.until(1, 1000);
    assert.ok(Date.now() - started < 1000);
    assert.equal(frame!.event, 'status');
    assert.match(frame!.id!, /^\d+$/);
    assert.equal(frame!.data.reference, application.reference);
    assert.equal(frame!.data.state, 'withdrawn');
    assert.equal(frame!.data.stateName, 'Withdrawn');
    assert.match(
      frame!.data.when!,
      /^[A-Z][a-z]+ \d{1,2}, \d{4} at \d{1,2}:\d{2} [AP]M$/,
      'the page’s own words for when',
    );
    assert.doesNotMatch(JSON.stringify(frame!.data), /withdraw_by|elar\.|_ERR_/, 'plain words, no internal codes');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(stranger.frames, []);
    owner.close();
    stranger.close();
  });

  test('every tab a person has open hears each change once; a tab closed is let go and the others go on', async () => {
    const first = await draft();
    const second = await draft();
    const b = await signedIn('owner', '10.22.1.5');
    const tabs = await Promise.all([Listener.open(b), Listener.open(b), Listener.open(b)]);
    await withdraw(deps(), people.owner.sub, first.id, { reason: null });
    for (const tab of tabs)
      assert.deepEqual(
        (await tab.until(1)).map((f) => f.data.reference),
        [first.reference],
      );
    tabs[0]!.close();
    await new Promise((r) => setTimeout(r, 100));
    await withdraw(deps(), people.owner.sub, second.id, { reason: null });
    for (const tab of tabs.slice(1))
      assert.deepEqual(
        (await tab.until(2)).map((f) => f.data.reference),
        [first.reference, second.reference],
      );
    await new Promise((r) => setTimeout(r, 200));
    for (const tab of tabs.slice(1)) assert.equal(tab.frames.length, 2, 'nothing twice');
    tabs[1]!.close();
    tabs[2]!.close();
  });

  test('a page reconnecting with Last-Event-ID gets what it missed, in order, and nothing twice', async () => {
    const first = await draft();
    const second = await draft();
    const b = await signedIn('owner', '10.22.2.1');
    const before = await Listener.open(b);
    await withdraw(deps(), people.owner.sub, first.id, { reason: null });
    const [seen] = await before.until(1);
    before.close();
    // While the page was away:
    await withdraw(deps(), people.owner.sub, second.id, { reason: null });
    const again = await Listener.open(b, { 'last-event-id': seen!.id! });
    const frames = await again.until(1);
    assert.deepEqual(
      frames.map((f) => f.data.reference),
      [second.reference],
    );
    assert.ok(BigInt(frames[0]!.id!) > BigInt(seen!.id!));
    // The lastEventId query parameter (a page's own first connection) works the same.
    const fromPage = await Listener.open(b, {}, `?lastEventId=${seen!.id}`);
    assert.deepEqual(
      (await fromPage.until(1)).map((f) => f.data.reference),
      [second.reference],
    );
    again.close();
    fromPage.close();
  });

  test('tabs opening while changes come close together each get every change after their point once, in order', async () => {
    const b = await signedIn('owner', '10.22.2.9');
    const first = await draft();
    const tab = await Listener.open(b);
    await withdraw(deps(), people.owner.sub, first.id, { reason: null });
    const [seen] = await tab.until(1);
    // Tabs share the reads of a notice: each still gets every entry after its own point, once, in order.
    for (let round = 0; round < 6; round++) {
      const before = tab.frames.length;
      const changes = [await draft(), await draft()];
      // Each draft's start is an entry too: heard before the two changes race the new tabs.
      await tab.until(before + 2);
      const had = tab.frames.length;
      const [late, fresh] = await Promise.all([
        Listener.open(b, { 'last-event-id': seen!.id! }),
        Listener.open(b),
        ...changes.map((c) => withdraw(deps(), people.owner.sub, c.id, { reason: null })),
      ]);
      assert.deepEqual(
        (await tab.until(had + 2))
          .slice(had)
          .map((f) => f.data.reference)
          .sort(),
        changes.map((c) => c.reference).sort(),
      );
      const lateFrames = await (late as Listener).until(tab.frames.length - 1);
      assert.deepEqual(
        lateFrames.map((f) => f.id),
        tab.frames.slice(1).map((f) => f.id),
        'a tab reconnecting from an earlier entry gets all after it, in order',
      );
      // A tab opened from now gets whichever of the two came after it subscribed, once each.
      await new Promise((r) => setTimeout(r, 150));
      const freshIds = (fresh as Listener).frames.map((f) => f.id);
      assert.equal(new Set(freshIds).size, freshIds.length, 'nothing twice');
      assert.deepEqual(
        freshIds,
        tab.frames.slice(tab.frames.length - freshIds.length).map((f) => f.id),
      );
      (late as Listener).close();
      (fresh as Listener).close();
    }
    tab.close();
  });

  test('one person holds at most a few streams at once (tabs), so one account cannot take every stream of the instance', async () => {
    const b = await signedIn('owner', '10.22.4.1');
    const open = await Promise.all(Array.from({ length: 5 }, () => Listener.open(b)));
    assert.deepEqual(
      open.map((l) => l.status),
      [200, 200, 200, 200, 200],
    );
    const sixth = await Listener.open(b);
    assert.equal(sixth.status, 429);
    sixth.close();
    open[0]!.close();
    // The server lets the closed stream go when the socket ends.
    let again = await Listener.open(b);
    for (let i = 0; again.status !== 200 && i < 20; i++) {
      again.close();
      await new Promise((r) => setTimeout(r, 50));
      again = await Listener.open(b);
    }
    assert.equal(again.status, 200);
    for (const l of [...open, again]) l.close();
  });

  test('a Last-Event-ID that is not one of ours is a 400; a signed-out visitor is a 401 (see live-session.http.test.ts)', async () => {
    const b = await signedIn('owner', '10.22.3.1');
    const bad = await Listener.open(b, { 'last-event-id': '1; DROP TABLE x' });
    assert.equal(bad.status, 400);
    bad.close();
    const signedOut = await Listener.open(elar.browser('10.22.3.2'));
    assert.equal(signedOut.status, 401);
    signedOut.close();
  });
});
