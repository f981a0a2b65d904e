// What each shared text pattern lets through, compiled as Ajv compiles a JSON Schema `pattern` (the `u` flag).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  NO_CONTROL_PATTERN,
  NO_NUL_PATTERN,
  ONE_LINE_NO_DIRECTION_MARKS_PATTERN,
  ONE_LINE_PATTERN,
  TEXT_PATTERN,
} from './text-patterns.ts';

const samples = {
  empty: '',
  spaces: '  \t ',
  plain: 'Café 東京 🎧',
  lines: 'one\r\ntwo\tthree',
  nul: 'a\u0000b',
  bell: 'a\u0007b',
  c1: 'a\u0085b',
  override: 'a\u202eb',
  isolate: 'a\u2067b',
  mark: 'a\u200fb',
} as const;

const accepted: Record<string, (keyof typeof samples)[]> = {
  NO_CONTROL_PATTERN: ['empty', 'spaces', 'plain', 'lines', 'mark'],
  TEXT_PATTERN: ['plain', 'lines', 'mark'],
  ONE_LINE_PATTERN: ['empty', 'plain', 'mark'],
  ONE_LINE_NO_DIRECTION_MARKS_PATTERN: ['empty', 'plain'],
  NO_NUL_PATTERN: ['empty', 'spaces', 'plain', 'lines', 'bell', 'c1', 'override', 'isolate', 'mark'],
};
const patterns: Record<string, string> = {
  NO_CONTROL_PATTERN,
  TEXT_PATTERN,
  ONE_LINE_PATTERN,
  ONE_LINE_NO_DIRECTION_MARKS_PATTERN,
  NO_NUL_PATTERN,
};

test('each pattern accepts exactly the samples its name promises', () => {
  for (const [name, pattern] of Object.entries(patterns)) {
    const regex = new RegExp(pattern, 'u');
    const passing = Object.entries(samples)
      .filter(([, text]) => regex.test(text))
      .map(([sample]) => sample);
    assert.deepEqual(passing, accepted[name], name);
  }
});
