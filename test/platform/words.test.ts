import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withArticle } from '../../src/platform/views/words.ts';

test('"a" or "an" by the sound a phrase starts with, not only its letter', () => {
  assert.equal(withArticle('Initial license'), 'an Initial license');
  assert.equal(withArticle('Endorsement'), 'an Endorsement');
  assert.equal(withArticle('Professional license'), 'a Professional license');
  assert.equal(withArticle('Military spouse license'), 'a Military spouse license');
  assert.equal(withArticle('Other'), 'an Other');
  assert.equal(withArticle('university'), 'a university', 'a "u" said "you"');
  assert.equal(withArticle('one-year license'), 'a one-year license', 'an "o" said "w"');
  assert.equal(withArticle('hour'), 'an hour', 'a silent "h"');
  assert.equal(withArticle('umbrella'), 'an umbrella');
});

test('at the start of a sentence the article takes a capital', () => {
  assert.equal(withArticle('Initial license', { startsSentence: true }), 'An Initial license');
  assert.equal(withArticle('Temporary license', { startsSentence: true }), 'A Temporary license');
});
