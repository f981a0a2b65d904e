// The social graph's rules as a table of cases (issue 15 §1-2; ADRs 0060, 0061).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller, Decision } from '../../platform/policy/policy.ts';
import { followsPolicy, type AccountSubject } from './follows.policy.ts';

const ana: Caller = { userId: '11111111-1111-4111-8111-111111111111', role: 'user' };
const ben: Caller = { userId: '22222222-2222-4222-8222-222222222222', role: 'user' };
const admin: Caller = { userId: '33333333-3333-4333-8333-333333333333', role: 'admin' };
const answer = (decision: Decision) => (decision.allowed ? 'allow' : decision.denial);

const anaAccount: AccountSubject = {
  id: ana.userId,
  exists: true,
  blocked: false,
  profile_visibility: 'public',
  followed_by_caller: false,
};

test('who may follow (or ask to follow) an account', () => {
  const cases: [string, Caller | null, Partial<AccountSubject> | null, string][] = [
    ['anyone signed in, a public profile', ben, {}, 'allow'],
    ['anyone signed in, an unlisted profile', ben, { profile_visibility: 'unlisted' }, 'allow'],
    ['anyone signed in, a private profile (a request)', ben, { profile_visibility: 'private' }, 'allow'],
    ['nobody, under a block either way', ben, { blocked: true }, 'hidden'],
    ['staff no more than anyone, under a block', admin, { blocked: true }, 'hidden'],
    ['nobody, a missing or closed account', ben, { exists: false }, 'hidden'],
    ['nobody, no account', ben, null, 'hidden'],
    ['nobody anonymous', null, {}, 'unauthenticated'],
  ];
  for (const [what, caller, state, expected] of cases)
    assert.equal(
      answer(followsPolicy.mayFollow(caller, state === null ? null : { ...anaAccount, ...state })),
      expected,
      what,
    );
});

test('who may list an account’s followers and following', () => {
  const cases: [string, Caller | null, Partial<AccountSubject> | null, string][] = [
    ['anyone, anonymous too, a public profile', null, {}, 'allow'],
    ['anyone, an unlisted profile', ben, { profile_visibility: 'unlisted' }, 'allow'],
    ['a stranger, a private profile', ben, { profile_visibility: 'private' }, 'hidden'],
    ['an anonymous caller, a private profile', null, { profile_visibility: 'private' }, 'hidden'],
    ['staff, a private profile', admin, { profile_visibility: 'private' }, 'hidden'],
    [
      'an accepted follower, a private profile',
      ben,
      { profile_visibility: 'private', followed_by_caller: true },
      'allow',
    ],
    ['the owner, a private profile', ana, { profile_visibility: 'private' }, 'allow'],
    ['nobody under a block, a public profile', ben, { blocked: true }, 'hidden'],
    ['nobody, a missing account', ben, { exists: false }, 'hidden'],
    ['nobody, no account', ben, null, 'hidden'],
  ];
  for (const [what, caller, state, expected] of cases)
    assert.equal(
      answer(followsPolicy.mayListConnections(caller, state === null ? null : { ...anaAccount, ...state })),
      expected,
      what,
    );
});

test('who may block an account', () => {
  assert.equal(answer(followsPolicy.mayBlock(ben, { exists: true })), 'allow');
  assert.equal(answer(followsPolicy.mayBlock(ben, { exists: false })), 'hidden');
  assert.equal(answer(followsPolicy.mayBlock(ben, null)), 'hidden');
  assert.equal(answer(followsPolicy.mayBlock(null, { exists: true })), 'unauthenticated');
});
