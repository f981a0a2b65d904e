import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller, Decision } from '../../platform/policy/policy.ts';
import { authPolicy } from './auth.policy.ts';

const ada: Caller = { userId: '11111111-1111-4111-8111-111111111111', role: 'user' };
const admin: Caller = { userId: '22222222-2222-4222-8222-222222222222', role: 'admin' };
const adas = { user_id: ada.userId };
const answer = (decision: Decision) => (decision.allowed ? 'allow' : decision.denial);

test('linked identities are their owner’s alone, and hidden from everyone else', () => {
  const cases: [keyof typeof authPolicy, Caller | null, { user_id: string } | undefined, string][] = [
    ['unlinkIdentity', ada, adas, 'allow'],
    ['unlinkIdentity', admin, adas, 'hidden'],
    ['unlinkIdentity', null, adas, 'unauthenticated'],
    ['unlinkIdentity', ada, undefined, 'hidden'],
  ];
  for (const [rule, caller, object, expected] of cases)
    assert.equal(answer(authPolicy[rule](caller, object)), expected, `${rule} by ${caller?.role ?? 'anonymous'}`);
});
