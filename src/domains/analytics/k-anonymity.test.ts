// The k-anonymity rule on its own (ADR 0093): the merge of small cells, complementary suppression, sums of
// published cells only, and a k that configuration may raise but never lower.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../platform/config/config.ts';
import { checkedK, MIN_K, OTHER, publishBreakdown, sumPublished } from './k-anonymity.ts';

test('cells of at least k people are published as they are; nothing merged means no `other`', () => {
  assert.deepEqual(
    publishBreakdown(
      [
        { value: 'mobile', events: 12, people: 6 },
        { value: 'desktop', events: 9, people: 5 },
      ],
      5,
    ),
    [
      { value: 'desktop', events: 9, people: 5 },
      { value: 'mobile', events: 12, people: 6 },
    ],
  );
});

test('small cells merge into `other`; when they stay under k together, the smallest published cell joins them', () => {
  // web (1 person) alone under k: `other` would be day total minus the named cells = that one person's plays.
  const published = publishBreakdown(
    [
      { value: 'mobile', events: 30, people: 9 },
      { value: 'desktop', events: 11, people: 6 },
      { value: 'web', events: 4, people: 1 },
    ],
    5,
  );
  assert.deepEqual(published, [
    { value: 'mobile', events: 30, people: 9 },
    { value: OTHER, events: 15, people: null },
  ]);
  // Nothing to merge with: the whole breakdown is withheld.
  assert.deepEqual(
    publishBreakdown(
      [
        { value: 'mobile', events: 3, people: 3 },
        { value: 'web', events: 2, people: 1 },
      ],
      5,
    ),
    [],
  );
  // Anonymous events (no person) are never a cell of their own.
  assert.deepEqual(
    publishBreakdown(
      [
        { value: 'mobile', events: 7, people: 5 },
        { value: 'unknown', events: 40, people: 0 },
      ],
      5,
    ),
    [{ value: OTHER, events: 47, people: null }],
  );
});

test('whatever the cells, a published named cell has k people and `other` stands for at least k', () => {
  // Exhaustive over small breakdowns of three values, people 0-7, events = people + 1.
  const k = 5;
  for (let a = 0; a < 8; a++)
    for (let b = 0; b < 8; b++)
      for (let c = 0; c < 8; c++) {
        const cells = [
          { value: 'a', events: a + 1, people: a },
          { value: 'b', events: b + 1, people: b },
          { value: 'c', events: c + 1, people: c },
        ];
        const out = publishBreakdown(cells, k);
        const named = out.filter((cell) => cell.value !== OTHER);
        for (const cell of named) assert.ok(cell.people !== null && cell.people >= k);
        const merged = cells.filter((cell) => !named.some((n) => n.value === cell.value));
        if (out.some((cell) => cell.value === OTHER)) {
          assert.ok(Math.max(...merged.map((cell) => cell.people)) >= k, JSON.stringify(cells));
          assert.equal(
            out.reduce((sum, cell) => sum + cell.events, 0),
            a + b + c + 3,
          );
        } else if (out.length === 0) {
          assert.ok(cells.every((cell) => cell.people < k));
        }
      }
});

test('range totals add up the published cells only', () => {
  assert.deepEqual(
    sumPublished([
      { cells: [{ value: 'mobile', events: 3, people: 5 }] },
      { cells: [] },
      {
        cells: [
          { value: 'mobile', events: 4, people: 6 },
          { value: OTHER, events: 9, people: null },
        ],
      },
    ]),
    [
      { value: 'mobile', events: 7 },
      { value: OTHER, events: 9 },
    ],
  );
});

test('k: 5 by default, raised by configuration, a lower value refused at startup', () => {
  assert.equal(MIN_K, 5);
  assert.equal(checkedK(undefined), 5);
  assert.equal(checkedK(8), 8);
  assert.throws(() => checkedK(4), /at least 5/);
  assert.throws(() => checkedK(5.5), /at least 5/);
  assert.equal(loadConfig({}).analytics?.kAnonymity, 5);
  assert.equal(loadConfig({ VEZA_ANALYTICS_K_ANONYMITY: '12' }).analytics?.kAnonymity, 12);
  for (const bad of ['4', '0', '-5', 'five', '5.5']) {
    assert.throws(
      () => loadConfig({ VEZA_ANALYTICS_K_ANONYMITY: bad }),
      (error: unknown) => error instanceof ConfigError && /VEZA_ANALYTICS_K_ANONYMITY/.test(error.message),
      bad,
    );
  }
});
