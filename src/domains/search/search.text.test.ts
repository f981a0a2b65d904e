// The query preparation of search (ADR 0088): only words of letters and digits ever reach SQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_QUERY_WORDS, MAX_WORD_LENGTH, prepareQuery } from './search.text.ts';

test('words are letters and digits, lower case, accents kept for the configurations to fold', () => {
  assert.deepEqual(prepareQuery('  Café  Nocturne—Élise  ').words, ['café', 'nocturne', 'élise']);
  assert.equal(prepareQuery('Café  Nocturne').phrase, 'café nocturne');
  assert.equal(prepareQuery('  Café \t Nocturne ').display, 'Café Nocturne');
});

test('tsquery syntax, SQL and punctuation become plain words or nothing', () => {
  assert.deepEqual(prepareQuery("a & !b | c:* <-> 'd' \\ (e)").words, ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(prepareQuery("'; DROP TABLE users; --").words, ['drop', 'table', 'users']);
  assert.deepEqual(prepareQuery('!!! ... ??? &&& ***').words, []);
});

test('null bytes and other control characters are dropped, lone surrogates mended', () => {
  const prepared = prepareQuery('lo\u0000fi\u0007 \ud800beat');
  assert.deepEqual(prepared.words, ['lo', 'fi', 'beat']);
  assert.ok(!prepared.display.includes('\u0000'));
});

test('a huge query is bounded in words and word length', () => {
  const prepared = prepareQuery(`${'x'.repeat(10_000)} ${'word '.repeat(2_000)}`);
  assert.equal(prepared.words.length, MAX_QUERY_WORDS);
  assert.equal(prepared.words[0]!.length, MAX_WORD_LENGTH);
  assert.ok(prepared.display.length <= 500);
});
