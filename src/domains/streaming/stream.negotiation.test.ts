// Which audio a stream sends (ADR 0047), as tables: preference order, Accept, Subsonic's bit rates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  acceptance,
  negotiate,
  preferenceOrder,
  qualityForBitRate,
  type Candidate,
  type Quality,
} from './stream.negotiation.ts';

const low: Candidate = { quality: 'low', fileId: 'low', mimeType: 'audio/mp4' };
const high: Candidate = { quality: 'high', fileId: 'high', mimeType: 'audio/mp4' };
const original: Candidate = { quality: 'original', fileId: 'original', mimeType: 'audio/flac' };
const ids = (candidates: Candidate[]) => candidates.map((candidate) => candidate.fileId);

test('the quality asked for first, then the other rendition, then the original when it may go', () => {
  const cases: [Quality, Candidate[], boolean, string[]][] = [
    ['high', [low, high, original], true, ['high', 'low', 'original']],
    ['low', [low, high, original], false, ['low', 'high']],
    ['low', [high, original], false, ['high']],
    ['high', [original], false, []],
    ['high', [original], true, ['original']],
    ['original', [low, high, original], true, ['original']],
    ['original', [low, high, original], false, []],
  ];
  for (const [quality, available, originalAllowed, expected] of cases)
    assert.deepEqual(ids(preferenceOrder(quality, available, originalAllowed)), expected, `${quality} ${expected}`);
});

test('Accept: the most specific range decides, q=0 refuses, no header accepts all', () => {
  const cases: [string | undefined, string, number][] = [
    [undefined, 'audio/mp4', 1],
    ['', 'audio/mp4', 1],
    ['*/*', 'audio/mp4', 1],
    ['audio/*', 'audio/mp4', 1],
    ['audio/mpeg', 'audio/mp4', 0],
    ['audio/*;q=0.5, audio/mp4;q=0', 'audio/mp4', 0],
    ['audio/*;q=0.5, audio/mp4;q=0', 'audio/flac', 0.5],
    ['AUDIO/MP4; q=0.8', 'audio/mp4', 0.8],
    ['application/json', 'audio/mp4', 0],
    ['text/html, */*;q=0.1', 'audio/mp4', 0.1],
    ['garbage', 'audio/mp4', 1],
  ];
  for (const [accept, type, q] of cases) assert.equal(acceptance(accept, type), q, `${accept} → ${type}`);
});

test('negotiation keeps the preference order among equally accepted types, and says when none fits', () => {
  assert.equal(negotiate([high, low, original], undefined)?.fileId, 'high');
  assert.equal(negotiate([high, low, original], 'audio/flac, audio/mp4;q=0.5')?.fileId, 'original');
  assert.equal(negotiate([high, low], 'audio/ogg'), undefined);
  assert.equal(negotiate([], undefined), undefined);
});

test('Subsonic bit rates and formats map onto qualities', () => {
  assert.equal(qualityForBitRate(undefined, undefined), 'high');
  assert.equal(qualityForBitRate(0, undefined), 'high');
  assert.equal(qualityForBitRate(96, 'mp3'), 'low');
  assert.equal(qualityForBitRate(128, undefined), 'low');
  assert.equal(qualityForBitRate(192, undefined), 'high');
  assert.equal(qualityForBitRate(320, 'raw'), 'original');
});
