// Feature flag evaluation (issue 18 §14; ADR 0096) as a table of cases, the stability of the rollout hash, and its
// distribution over many accounts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { Role } from '../../platform/http/caller.ts';
import { flagApplies, rolloutBucket, type EvaluatedFlag } from './flags.evaluate.ts';
import { conditionsOf } from './flags.service.ts';

/** The n-th of a fixed sequence of UUID-shaped ids: the same ids on every run. */
function idNumber(n: number): string {
  const hex = createHash('sha256').update(`account-${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

test('the bucket is a fixed function of flag key and account id (the same after a restart, on any instance)', () => {
  // Pinned values: a change of the hash would silently move every account in and out of every rollout.
  assert.equal(rolloutBucket('demo.flag', '00000000-0000-4000-8000-000000000001').toFixed(6), '21.463877');
  assert.equal(rolloutBucket('other.flag', '00000000-0000-4000-8000-000000000001').toFixed(6), '90.239634');
  for (let n = 0; n < 100; n += 1) {
    const bucket = rolloutBucket('demo.flag', idNumber(n));
    assert.ok(bucket >= 0 && bucket < 100);
    assert.equal(rolloutBucket('demo.flag', idNumber(n)), bucket);
  }
});

test('a rollout of p % reaches about p % of 20,000 accounts, and raising it only adds accounts', () => {
  const ids = Array.from({ length: 20_000 }, (_, n) => idNumber(n));
  const flag = (rollout: number): EvaluatedFlag => ({
    key: 'player.new_waveform',
    is_enabled: true,
    rollout_percentage: rollout,
    conditions: {},
  });
  let previous = new Set<string>();
  for (const rollout of [0, 1, 10, 25, 50, 90, 100]) {
    const reached = new Set(ids.filter((id) => flagApplies(flag(rollout), { userId: id, role: 'user' })));
    const share = (reached.size / ids.length) * 100;
    // 20,000 draws: the standard deviation is at most 0.36 points; 1.5 points is over 4 of them.
    assert.ok(Math.abs(share - rollout) <= 1.5, `${rollout} % reached ${share.toFixed(2)} %`);
    for (const id of previous) assert.ok(reached.has(id), `raising to ${rollout} % dropped ${id}`);
    previous = reached;
  }
  assert.equal(previous.size, ids.length);
  // Each flag draws its own sample: two 50 % rollouts overlap about half, not entirely.
  const other: EvaluatedFlag = { ...flag(50), key: 'player.lyrics' };
  const both = ids.filter(
    (id) => flagApplies(flag(50), { userId: id, role: 'user' }) && flagApplies(other, { userId: id, role: 'user' }),
  ).length;
  assert.ok(Math.abs((both / ids.length) * 100 - 25) <= 1.5, `overlap ${both}`);
});

test('who gets a flag: master switch, testers, roles, rollout', () => {
  const tester = idNumber(1);
  const someone = idNumber(2);
  const cases: [string, Partial<EvaluatedFlag>, string, Role, boolean][] = [
    [
      'disabled: nobody, not even a tester',
      { is_enabled: false, conditions: { testers: [tester] } },
      tester,
      'admin',
      false,
    ],
    ['enabled at 0 %: nobody', { rollout_percentage: 0 }, someone, 'user', false],
    ['enabled at 0 %: its testers', { rollout_percentage: 0, conditions: { testers: [tester] } }, tester, 'user', true],
    [
      'testers get it whatever the roles',
      { conditions: { roles: ['admin'], testers: [tester] } },
      tester,
      'user',
      true,
    ],
    ['100 % for admins: an admin', { conditions: { roles: ['admin'] } }, someone, 'admin', true],
    ['100 % for admins: a moderator', { conditions: { roles: ['admin'] } }, someone, 'moderator', false],
    ['empty role list: every role', { conditions: { roles: [] } }, someone, 'creator', true],
    ['100 %, no condition: anyone', {}, someone, 'user', true],
  ];
  for (const [name, overrides, userId, role, expected] of cases) {
    const flag: EvaluatedFlag = {
      key: 'demo.flag',
      is_enabled: true,
      rollout_percentage: 100,
      conditions: {},
      ...overrides,
    };
    assert.equal(flagApplies(flag, { userId, role }), expected, name);
  }
});

test('conditions stored in an unknown shape narrow the flag, never widen it', () => {
  const applies = (stored: unknown, role: Role) =>
    flagApplies(
      { key: 'demo.flag', is_enabled: true, rollout_percentage: 100, conditions: conditionsOf(stored) },
      { userId: idNumber(3), role },
    );
  assert.equal(applies({}, 'user'), true);
  assert.equal(applies(null, 'user'), true);
  assert.equal(applies({ roles: 'admin' }, 'admin'), false);
  assert.equal(applies({ roles: [7] }, 'user'), false);
  assert.equal(applies({ roles: ['superuser'] }, 'admin'), false);
  assert.equal(applies({ roles: ['admin', 7] }, 'admin'), true);
  assert.equal(applies({ testers: 'x' }, 'user'), true);
});
