import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashSecret, verifySecret } from '../../src/portal/hashing.ts';

test('a wrong secret is a plain no', async () => {
  const stored = await hashSecret('Right1Pass');
  assert.equal(await verifySecret(stored, 'Right1Pass'), true);
  assert.equal(await verifySecret(stored, 'Wrong1Pass'), false);
});

test('a stored hash that cannot be read is a fault that reaches the log, not a silent no', async () => {
  await assert.rejects(verifySecret('not-an-argon2-hash', 'Right1Pass'));
});
