import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startElar, type TestElar } from '../../helpers/elar.ts';
import { completeDraft } from '../applications/helpers.ts';
import { staffScene } from '../staff/scene.ts';

/**
 * Attack review s18 (S1): "a draft is the educator's alone until it is sent" (staff/service.ts).
 * The staff page keeps to it (a draft is "not found"), but the action route does not look:
 * a supervisor who has a draft's id (a shared screen, a support call, a link in an email
 * the educator forwarded) withdraws it with one POST, and the educator's answers are closed.
 */
let elar: TestElar;
let scene: Awaited<ReturnType<typeof staffScene>>;

before(async () => {
  elar = await startElar();
  scene = await staffScene(elar, 83);
});
after(() => elar.close());

describe('a draft is the educator’s alone until it is sent', () => {
  test('a supervisor’s “withdraw” posted at an educator’s draft is refused as not found, and the draft stays a draft', async () => {
    const person = { sub: scene.people.educator.sub, mepid: null, email: null };
    const draft = await completeDraft(scene.deps, person);
    const before = await scene.stateOf(draft.id);
    assert.equal(before.state, 'draft');

    const supervisor = await scene.signedIn('supervisor');
    const page = await supervisor.get(`/elar/staff/applications/${draft.id}`);
    assert.equal(page.status, 404, 'the staff page does not show a draft');

    // The version of a draft is a small counter: the number of saves, easily tried.
    const res = await supervisor.post(`/elar/staff/applications/${draft.id}/actions`, {
      action: 'withdraw',
      version: String(before.version),
      reason: 'Tidying up old drafts',
    });
    assert.equal(res.status, 404, `a draft is not found by staff, got ${res.status}`);
    assert.equal((await scene.stateOf(draft.id)).state, 'draft', 'the educator’s draft is still theirs');
  });
});
