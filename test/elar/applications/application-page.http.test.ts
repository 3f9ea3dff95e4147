import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_APPLICATION_SETTINGS,
  GATE_ITEMS,
  markPaid,
  startDraft,
  submit,
} from '../../../src/elar/applications/index.ts';
import { profilesFor, signInToElar, startElar, type TestElar } from '../../helpers/elar.ts';
import { BIOLOGY, CHEMISTRY, completeDraft } from './helpers.ts';

/** The page about one application, through ELAR's real sign-in (OpenID Connect against the portal). */
let elar: TestElar;
let people: Record<'owner' | 'stranger', { userName: string; sub: string }>;

before(async () => {
  elar = await startElar();
  people = await profilesFor(elar, ['owner', 'stranger'], 20);
});
after(() => elar.close());

async function draftFor(sub: string, licenses = [BIOLOGY, CHEMISTRY]) {
  const started = await startDraft(
    { db: elar.db, settings: DEFAULT_APPLICATION_SETTINGS },
    { sub, mepid: null, email: null },
    licenses,
  );
  assert.ok(started.ok);
  return started;
}

describe('the application page', () => {
  test('the owner sees its reference, its status in words, its fee and its timeline', async () => {
    const draft = await draftFor(people.owner.sub);
    const b = elar.browser('10.9.1.1');
    await signInToElar(b, people.owner.userName);
    const page = await b.get(`/elar/applications/${draft.id}`);
    assert.equal(page.status, 200);
    assert.equal(/data-application-reference(?:="")?[^>]*>([^<]*)</.exec(page.body)?.[1], draft.reference);
    assert.match(page.body, /data-application-status="draft"/);
    assert.match(page.body, /Fee if you submit today: <strong>\$125\.00<\/strong>/);
    assert.match(page.body, /You started this application\./);
    assert.match(page.body, /<label[^>]*for="reason"/, 'the withdraw reason has a visible label');
  });

  test('someone else’s application, a missing one and a malformed id are the same 404; a signed-out visitor is sent to log in', async () => {
    const draft = await draftFor(people.owner.sub, [{ ...BIOLOGY, catalogCode: 'TCH-MUS-ALL' }]);
    const b = elar.browser('10.9.1.2');
    await signInToElar(b, people.stranger.userName);
    const theirs = await b.get(`/elar/applications/${draft.id}`);
    const missing = await b.get('/elar/applications/00000000-0000-4000-8000-000000000000');
    const malformed = await b.get('/elar/applications/1%27%20OR%201=1');
    for (const res of [theirs, missing, malformed]) {
      assert.equal(res.status, 404);
      assert.match(res.body, /We could not find that application\./);
      assert.doesNotMatch(res.body, new RegExp(draft.reference));
    }
    const withdrawn = await b.post(`/elar/applications/${draft.id}/withdraw`, { version: '1', reason: '' });
    assert.equal(withdrawn.status, 404, 'nor can they withdraw it');

    const signedOut = await elar.browser('10.9.1.3').get(`/elar/applications/${draft.id}`);
    assert.equal(signedOut.status, 303);
  });

  test('the owner withdraws it: 303 back to the page, now Withdrawn with their reason; a stale page is told it changed', async () => {
    const draft = await draftFor(people.owner.sub, [{ ...BIOLOGY, catalogCode: 'TCH-ART-5-12' }]);
    const b = elar.browser('10.9.1.4');
    await signInToElar(b, people.owner.userName);
    const page = await b.get(`/elar/applications/${draft.id}`);
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;

    const forged = await b.post(`/elar/applications/${draft.id}/withdraw`, { version, reason: 'x' }, { csrf: false });
    assert.equal(forged.status, 403, 'no CSRF token, no change');

    const done = await b.post(`/elar/applications/${draft.id}/withdraw`, { version, reason: 'Applying elsewhere' });
    assert.equal(done.status, 303);
    assert.equal(done.location, `/elar/applications/${draft.id}`);
    const after = await b.get(done.location!);
    assert.match(after.body, /data-application-status="withdrawn"/);
    assert.match(after.body, /The application was withdrawn\./);
    assert.match(after.body, /Reason given: Applying elsewhere/);
    assert.doesNotMatch(after.body, /action="[^"]*\/withdraw"/, 'no withdraw form on a closed application');

    const stale = await b.post(`/elar/applications/${draft.id}/withdraw`, { version, reason: '' });
    assert.equal(stale.status, 409);
    assert.match(stale.body, /changed while you were looking at it/);
  });

  test('a withdraw form with no version or a made-up one is told the page changed, and changes nothing', async () => {
    const draft = await draftFor(people.owner.sub, [{ ...BIOLOGY, catalogCode: 'TCH-PE-5-12' }]);
    const b = elar.browser('10.9.1.5');
    await signInToElar(b, people.owner.userName);
    await b.get(`/elar/applications/${draft.id}`);
    const forms: Record<string, string>[] = [
      { reason: 'no version' },
      { version: 'one', reason: '' },
      { version: '99999999999' },
    ];
    for (const form of forms) {
      const res = await b.post(`/elar/applications/${draft.id}/withdraw`, form);
      assert.equal(res.status, 409, JSON.stringify(form));
    }
    const page = await b.get(`/elar/applications/${draft.id}`);
    assert.match(page.body, /data-application-status="draft"/);
  });
});

describe('what the educator tells us is on file, and the receipt', () => {
  const deps = () => ({ db: elar.db, settings: DEFAULT_APPLICATION_SETTINGS });

  async function paidNotReady(sub: string, catalogCode: string) {
    const person = { sub, mepid: null, email: null };
    const draft = await completeDraft(deps(), person, [{ ...BIOLOGY, catalogCode }]);
    await submit(deps(), person, draft.id);
    await elar.db.transaction().execute((trx) => markPaid(trx, DEFAULT_APPLICATION_SETTINGS, draft.id, randomUUID()));
    return draft;
  }

  test('a Not Ready application asks for the gate items; ticking them all makes it Ready for Review', async () => {
    const application = await paidNotReady(people.owner.sub, 'TCH-PHYS-8-12');
    const b = elar.browser('10.9.2.1');
    await signInToElar(b, people.owner.userName);
    const page = await b.get(`/elar/applications/${application.id}`);
    assert.match(page.body, /data-application-status="not-ready"/);
    for (const item of GATE_ITEMS) assert.match(page.body, new RegExp(`name="items" value="${item}"`));
    assert.match(page.body, /<label[^>]*for="gate-literacy-test"/, 'each item has its label');

    const unknown = await b.post(`/elar/applications/${application.id}/gate-items`, { items: 'fee-waived' });
    assert.equal(unknown.status, 422);
    const one = await b.post(`/elar/applications/${application.id}/gate-items`, { items: 'literacy-test' });
    assert.equal(one.status, 303);
    const still = await b.get(`/elar/applications/${application.id}`);
    assert.match(still.body, /data-application-status="not-ready"/);
    assert.match(still.body, /data-gate-item="literacy-test" data-reported="yes"/);

    const rest = await b.post(`/elar/applications/${application.id}/gate-items`, { items: 'bachelors-transcript' });
    assert.equal(rest.status, 303);
    const ready = await b.get(`/elar/applications/${application.id}`);
    assert.match(ready.body, /data-application-status="ready-for-review"/);
    assert.doesNotMatch(ready.body, /name="items"/, 'nothing more to tell');

    const stranger = elar.browser('10.9.2.2');
    await signInToElar(stranger, people.stranger.userName);
    assert.equal(
      (await stranger.post(`/elar/applications/${application.id}/gate-items`, { items: 'literacy-test' })).status,
      404,
    );
  });

  test('a paid application links to its receipt; a withdrawn draft shows no fee to pay', async () => {
    const paid = await paidNotReady(people.owner.sub, 'TCH-ENG-5-12');
    const paymentRef = (
      await elar.db.selectFrom('application').select('payment_ref').where('id', '=', paid.id).executeTakeFirstOrThrow()
    ).payment_ref;
    const b = elar.browser('10.9.2.3');
    await signInToElar(b, people.owner.userName);
    const page = await b.get(`/elar/applications/${paid.id}`);
    assert.match(page.body, new RegExp(`href="/elar/payments/${paymentRef}/receipt"`));

    const draft = await draftFor(people.owner.sub, [{ ...BIOLOGY, catalogCode: 'TCH-ART-5-12' }]);
    const version = /name="version" value="(\d+)"/.exec((await b.get(`/elar/applications/${draft.id}`)).body)![1]!;
    assert.equal((await b.post(`/elar/applications/${draft.id}/withdraw`, { version, reason: '' })).status, 303);
    const withdrawn = await b.get(`/elar/applications/${draft.id}`);
    assert.match(withdrawn.body, /data-application-status="withdrawn"/);
    assert.doesNotMatch(withdrawn.body, /Fee if you submit today/);
  });
});
