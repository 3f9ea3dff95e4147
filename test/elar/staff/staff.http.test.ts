import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { EventStream } from '../../helpers/event-stream.ts';
import { startElar, type TestElar } from '../../helpers/elar.ts';
import { completeDraft } from '../applications/helpers.ts';
import { staffScene, versionOn } from './scene.ts';

/**
 * Department staff act on applications in ELAR, signed in through the portal with roles
 * granted as the console grants them: the staff home, the queue, one application and the
 * changes the transitions table lets this staff member make now.
 */
let elar: TestElar;
let scene: Awaited<ReturnType<typeof staffScene>>;

before(async () => {
  elar = await startElar();
  scene = await staffScene(elar, 41);
});
after(() => elar.close());

const errorCode = (body: string) => /data-error-code="([^"]+)"/.exec(body)?.[1];

describe('the staff home page says what this person’s roles let them do', () => {
  test('an evaluator is pointed to the applications to review; a payments officer to refunds and not the queue', async () => {
    const evaluator = await scene.signedIn('evaluator');
    const home = await evaluator.get('/elar/staff');
    assert.equal(home.status, 200);
    assert.match(home.body, /You are signed in as a licensure evaluator\./);
    assert.match(home.body, /href="\/elar\/staff\/applications"/);
    assert.doesNotMatch(home.body, /Refund a payment/);

    const officer = await scene.signedIn('payments');
    const page = await officer.get('/elar/staff');
    assert.equal(page.status, 200);
    assert.match(page.body, /payments officer/);
    assert.match(page.body, /Refund a payment/);
    assert.doesNotMatch(page.body, /href="\/elar\/staff\/applications"/);
  });

  test('the Welcome Page links a staff member to it', async () => {
    const evaluator = await scene.signedIn('evaluator');
    const welcome = await evaluator.get('/elar');
    assert.match(welcome.body, /href="\/elar\/staff"/);
    assert.doesNotMatch(welcome.body, /soon/);
  });

  test('an educator with no staff role gets a 403 page with no staff data; a signed-out visitor is sent to sign in', async () => {
    const educator = await scene.signedIn('educator');
    const refused = await educator.get('/elar/staff');
    assert.equal(refused.status, 403);
    assert.doesNotMatch(refused.body, /data-staff-work/);
    const queue = await educator.get('/elar/staff/applications');
    assert.equal(queue.status, 403);
    assert.doesNotMatch(queue.body, /data-queue/);

    const anonymous = await elar.browser('10.41.250.99').get('/elar/staff/applications');
    assert.equal(anonymous.status, 303);
    assert.match(anonymous.location!, /\/oidc\/auth\?/);
  });
});

describe('the queue', () => {
  test('shows sent, paid applications oldest first with their licenses by name; drafts and unpaid ones are not in it', async () => {
    const biology = await scene.application('educator', { catalogCode: 'TCH-BIO-8-12' });
    const notReady = await scene.application('stranger', { ready: false });
    assert.equal(biology.state, 'ready-for-review');
    assert.equal(notReady.state, 'not-ready');
    const evaluator = await scene.signedIn('evaluator');
    const page = await evaluator.get('/elar/staff/applications');
    assert.equal(page.status, 200);
    const rows = [...page.body.matchAll(/data-queue-application="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(rows.indexOf(biology.id) >= 0 && rows.indexOf(biology.id) < rows.indexOf(notReady.id), 'oldest first');
    assert.match(page.body, /Biology \(8-12\), Initial license/);
    assert.match(page.body, new RegExp(`>${biology.reference}</a>`));
    assert.match(page.body, /data-application-status="not-ready">\s*Not ready for review/);
    assert.doesNotMatch(page.body, /TCH-BIO-8-12/, 'no catalog codes shown');
  });

  test('names an application’s licenses in the order asked, as its own page does: an endorsement by itself', async () => {
    const application = await scene.application('educator', { catalogCode: 'TCH-CHEM-8-12' });
    // An endorsement asked for beside the license, as the license chooser adds one to a draft;
    // submitted long ago, so the application leads the queue's first page.
    await sql`
      INSERT INTO elar.application_license (application_id, position, person_sub, catalog_code, type_code, route)
      SELECT application_id, 2, person_sub, 'SEI-TEACHER', 'END', 'SEI-TEST'
      FROM elar.application_license WHERE application_id = ${application.id}`.execute(elar.db);
    await sql`UPDATE elar.application SET submitted_at = timestamptz '2000-01-01 00:00:00Z' WHERE id = ${application.id}`.execute(
      elar.db,
    );
    const evaluator = await scene.signedIn('evaluator');
    const queue = await evaluator.get('/elar/staff/applications');
    const row = new RegExp(`data-queue-application="${application.id}"[\\s\\S]*?</tr>`).exec(queue.body)?.[0];
    assert.ok(row, 'the application is on the first page');
    const named = [...row.matchAll(/<div>([^<]+)<\/div>/g)].map((m) => m[1]);
    assert.deepEqual(named, [
      'Chemistry (8-12), Initial license',
      'Sheltered English Immersion (SEI) Teacher endorsement',
    ]);
    const own = await evaluator.get(`/elar/staff/applications/${application.id}`);
    for (const name of named) assert.ok(own.body.includes(`<div>${name}</div>`), `its page names ${name} alike`);
  });

  test('pages of 50 by keyset: every application once, in order, even three submitted in the same microsecond', async () => {
    // Submitted long ago, so they lead the queue; three to a microsecond, so the id breaks ties.
    await sql`
      INSERT INTO elar.application (person_sub, state, submitted_at)
      SELECT 'queue-' || g, 'ready-for-review', timestamptz '2001-01-01 00:00:00Z' + (g / 3) * interval '1 microsecond'
      FROM generate_series(1, 120) AS g`.execute(elar.db);
    const expected = (
      await elar.db
        .selectFrom('application')
        .select('id')
        .where('person_sub', 'like', 'queue-%')
        .orderBy('submitted_at')
        .orderBy('id')
        .execute()
    ).map((r) => r.id);
    const evaluator = await scene.signedIn('evaluator');
    const seen: string[] = [];
    const sizes: number[] = [];
    let url: string | undefined = '/elar/staff/applications';
    while (url) {
      const page = await evaluator.get(url);
      assert.equal(page.status, 200);
      const ids = [...page.body.matchAll(/data-queue-application="([^"]+)"/g)].map((m) => m[1]!);
      sizes.push(ids.length);
      seen.push(...ids);
      url = /href="([^"]+)" rel="next"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
    }
    assert.equal(sizes[0], 50);
    assert.ok(sizes.slice(0, -1).every((n) => n === 50));
    assert.equal(new Set(seen).size, seen.length, 'no application twice');
    assert.deepEqual(
      seen.filter((id) => expected.includes(id)),
      expected,
    );
  });

  test('a cursor that is not one of ours is a 400, not a 500', async () => {
    const evaluator = await scene.signedIn('evaluator');
    for (const after of ['x', '2026-13-01T00:00:00.000000Z_' + randomUUID(), "1' OR 1=1"])
      assert.equal((await evaluator.get(`/elar/staff/applications?after=${encodeURIComponent(after)}`)).status, 400);
  });
});

describe('one application, and the changes staff may make to it', () => {
  test('an evaluator sees the answers, gate items and timeline, starts the review, and the educator’s open page hears it within a second', async () => {
    const application = await scene.application('educator');
    const evaluator = await scene.signedIn('evaluator');
    const page = await evaluator.get(`/elar/staff/applications/${application.id}`);
    assert.equal(page.status, 200);
    assert.equal(/data-application-reference[^>]*>(\d{7})</.exec(page.body)?.[1], application.reference);
    assert.match(page.body, /data-application-status="ready-for-review"/);
    assert.match(page.body, /UMass Boston/, 'the applicant’s answers');
    assert.match(page.body, /data-gate-item="literacy-test" data-reported="yes"/);
    assert.match(page.body, /We have your payment and everything needed to start/, 'the timeline');
    assert.match(page.body, /value="start-review"/);
    assert.doesNotMatch(page.body, /value="withdraw"|value="deny"/, 'an evaluator does not decide');

    const owner = await scene.signedIn('educator');
    const stream = await EventStream.open(elar.origin, owner);
    assert.equal(stream.status, 200);
    const started = Date.now();
    const moved = await evaluator.post(`/elar/staff/applications/${application.id}/actions`, {
      action: 'start-review',
      version: versionOn(page.body),
      reason: '',
    });
    assert.equal(moved.status, 303);
    assert.equal(moved.location, `/elar/staff/applications/${application.id}`);
    const [frame] = await stream.until(1, 1000);
    assert.ok(Date.now() - started < 1000);
    assert.equal(frame!.data.reference, application.reference);
    assert.equal(frame!.data.state, 'in-review');
    stream.close();

    assert.equal((await scene.stateOf(application.id)).state, 'in-review');
    assert.deepEqual((await scene.timelineOf(application.id)).at(-1), {
      transition: 'start-review',
      actor: `staff:${scene.people.evaluator.sub}`,
      reason: null,
    });
    const audited = await elar.db
      .selectFrom('audit_event')
      .select(['actor_id'])
      .where('subject_id', '=', application.id)
      .where('type', '=', 'elar.application.transitioned')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(audited.actor_id, scene.people.evaluator.sub);
    const ownerPage = await owner.get(`/elar/applications/${application.id}`);
    assert.match(ownerPage.body, /data-application-status="in-review"/);
  });

  test('a page older than the application gets a clear 409 “someone else changed it” page, and nothing changes', async () => {
    const application = await scene.application('educator');
    const first = await scene.signedIn('evaluator');
    const second = await scene.signedIn('supervisor');
    const seen = versionOn((await first.get(`/elar/staff/applications/${application.id}`)).body);
    const seenToo = versionOn((await second.get(`/elar/staff/applications/${application.id}`)).body);
    const ok = await second.post(`/elar/staff/applications/${application.id}/actions`, {
      action: 'start-review',
      version: seenToo,
    });
    assert.equal(ok.status, 303);
    const late = await first.post(`/elar/staff/applications/${application.id}/actions`, {
      action: 'start-review',
      version: seen,
    });
    assert.equal(late.status, 409);
    assert.match(late.body, /Someone else has changed this application/);
    assert.equal(errorCode(late.body), 'ELAR_ERR_APPLICATION_CHANGED');
    assert.equal((await scene.timelineOf(application.id)).filter((e) => e.transition === 'start-review').length, 1);
  });

  test('forty identical “start review” posts at once make one change; the others are told someone else moved it', async () => {
    const application = await scene.application('educator');
    const evaluator = await scene.signedIn('evaluator');
    const version = versionOn((await evaluator.get(`/elar/staff/applications/${application.id}`)).body);
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        evaluator.post(`/elar/staff/applications/${application.id}/actions`, { action: 'start-review', version }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [303, ...Array<number>(39).fill(409)]);
    assert.equal((await scene.timelineOf(application.id)).filter((e) => e.transition === 'start-review').length, 1);
    assert.equal((await scene.stateOf(application.id)).state, 'in-review');
  });

  test('a supervisor withdraws only with a reason: without one the page comes back 422 with the problem; the educator reads the reason', async () => {
    const application = await scene.application('educator');
    const supervisor = await scene.signedIn('supervisor');
    const page = await supervisor.get(`/elar/staff/applications/${application.id}`);
    assert.match(page.body, /value="withdraw"/);
    const version = versionOn(page.body);
    const noReason = await supervisor.post(`/elar/staff/applications/${application.id}/actions`, {
      action: 'withdraw',
      version,
      reason: '   ',
    });
    assert.equal(noReason.status, 422);
    assert.match(noReason.body, /There is a problem/);
    assert.match(
      noReason.body,
      /<a href="#reason">Give the reason the Department is withdrawing this application\.<\/a>/,
    );
    assert.match(noReason.body, /<title>Error: /);
    assert.match(noReason.body, /value="withdraw"[^>]*checked/, 'the choice made is kept');
    assert.equal((await scene.stateOf(application.id)).state, 'ready-for-review');

    const done = await supervisor.post(`/elar/staff/applications/${application.id}/actions`, {
      action: 'withdraw',
      version,
      reason: 'The educator asked us by phone to withdraw it.',
    });
    assert.equal(done.status, 303);
    assert.equal((await scene.stateOf(application.id)).state, 'withdrawn');
    const owner = await scene.signedIn('educator');
    const ownerPage = await owner.get(`/elar/applications/${application.id}`);
    assert.match(ownerPage.body, /Reason given: The educator asked us by phone to withdraw it\./);
  });

  test('a supervisor denies an application in review only with a reason', async () => {
    const application = await scene.application('educator');
    const supervisor = await scene.signedIn('supervisor');
    const start = await supervisor.post(`/elar/staff/applications/${application.id}/actions`, {
      action: 'start-review',
      version: versionOn((await supervisor.get(`/elar/staff/applications/${application.id}`)).body),
    });
    assert.equal(start.status, 303);
    const page = await supervisor.get(`/elar/staff/applications/${application.id}`);
    assert.match(page.body, /value="deny"/);
    assert.doesNotMatch(page.body, /value="start-review"/, 'only what the state allows now');
    const version = versionOn(page.body);
    const noReason = await supervisor.post(`/elar/staff/applications/${application.id}/actions`, {
      action: 'deny',
      version,
    });
    assert.equal(noReason.status, 422);
    const denied = await supervisor.post(`/elar/staff/applications/${application.id}/actions`, {
      action: 'deny',
      version,
      reason: 'The subject test was not passed.',
    });
    assert.equal(denied.status, 303);
    assert.equal((await scene.stateOf(application.id)).state, 'denied');
  });

  test('a change the table does not give this role is a 403, and one not offered to staff is a 422; nothing changes', async () => {
    const application = await scene.application('educator');
    const evaluator = await scene.signedIn('evaluator');
    const version = versionOn((await evaluator.get(`/elar/staff/applications/${application.id}`)).body);
    const withdraw = await evaluator.post(`/elar/staff/applications/${application.id}/actions`, {
      action: 'withdraw',
      version,
      reason: 'No.',
    });
    assert.equal(withdraw.status, 403);
    assert.equal(errorCode(withdraw.body), 'ELAR_ERR_FORBIDDEN');
    const system = await evaluator.post(`/elar/staff/applications/${application.id}/actions`, {
      action: 'payment-received-ready',
      version,
    });
    assert.equal(system.status, 422);
    const noVersion = await evaluator.post(`/elar/staff/applications/${application.id}/actions`, {
      action: 'start-review',
    });
    assert.equal(noVersion.status, 400);
    assert.equal((await scene.stateOf(application.id)).state, 'ready-for-review');
  });

  test('an evaluator who is also an applicant cannot act on their own application (ELAR_ERR_OWN_APPLICATION)', async () => {
    const own = await scene.application('evaluatorApplicant');
    const b = await scene.signedIn('evaluatorApplicant');
    const page = await b.get(`/elar/staff/applications/${own.id}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /data-own-application/);
    assert.doesNotMatch(page.body, /data-staff-actions/, 'no change is offered');
    const { version } = await scene.stateOf(own.id);
    const refused = await b.post(`/elar/staff/applications/${own.id}/actions`, {
      action: 'start-review',
      version: String(version),
    });
    assert.equal(refused.status, 403);
    assert.equal(errorCode(refused.body), 'ELAR_ERR_OWN_APPLICATION');
    assert.equal((await scene.stateOf(own.id)).state, 'ready-for-review');
  });

  test('a draft, a missing application and a malformed id are all “not found”; a payments officer is refused', async () => {
    const evaluator = await scene.signedIn('evaluator');
    const draft = await completeDraft(scene.deps, { sub: scene.people.educator.sub, mepid: null, email: null }, [
      { catalogCode: 'TCH-LIB-ALL', typeCode: 'INI', route: 'PREP' },
    ]);
    assert.equal((await evaluator.get(`/elar/staff/applications/${draft.id}`)).status, 404);
    assert.equal((await evaluator.get(`/elar/staff/applications/${randomUUID()}`)).status, 404);
    assert.equal((await evaluator.get('/elar/staff/applications/not-an-id')).status, 404);
    const officer = await scene.signedIn('payments');
    const application = await scene.application('educator');
    const refused = await officer.get(`/elar/staff/applications/${application.id}`);
    assert.equal(refused.status, 403);
    assert.doesNotMatch(refused.body, new RegExp(application.reference));
  });
});
