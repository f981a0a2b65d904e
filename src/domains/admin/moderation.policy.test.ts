// The moderation policy as a table of cases (ADR 0095).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Role } from '../../platform/http/caller.ts';
import { mayActOn, mayHandleReports, mayModerate, mayReport } from './moderation.policy.ts';

const who = (role: Role, userId = 'caller') => ({ userId, role });

test('who reports and who moderates', () => {
  assert.equal(mayReport(null).allowed, false);
  assert.equal(mayReport(who('user')).allowed, true);
  const cases: [Role | null, string][] = [
    [null, 'unauthenticated'],
    ['user', 'forbidden'],
    ['creator', 'forbidden'],
    ['premium', 'forbidden'],
    ['moderator', 'allowed'],
    ['admin', 'allowed'],
  ];
  for (const [role, expected] of cases) {
    const decision = mayModerate(role === null ? null : who(role));
    assert.equal(decision.allowed ? 'allowed' : decision.denial, expected, String(role));
  }
});

test('on whom: never oneself, never an admin unless one is an admin', () => {
  const cases: [Role, { id: string; role: string } | undefined, boolean][] = [
    ['moderator', { id: 'other', role: 'user' }, true],
    ['moderator', { id: 'other', role: 'moderator' }, true],
    ['moderator', { id: 'other', role: 'admin' }, false],
    ['moderator', { id: 'caller', role: 'moderator' }, false],
    ['admin', { id: 'other', role: 'admin' }, true],
    ['admin', { id: 'caller', role: 'admin' }, false],
    ['admin', undefined, true],
    ['user', { id: 'other', role: 'user' }, false],
  ];
  for (const [role, concerned, allowed] of cases)
    assert.equal(mayActOn(who(role), concerned).allowed, allowed, `${role} on ${JSON.stringify(concerned)}`);
  assert.deepEqual(
    ['user', 'creator', 'moderator', 'admin'].map((role) => mayHandleReports({ role })),
    [false, false, true, true],
  );
  assert.equal(mayHandleReports(undefined), false);
});
