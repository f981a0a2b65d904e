import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller, Decision } from '../../platform/policy/policy.ts';
import { presencePolicy, type PresenceSubject } from './presence.policy.ts';

const viewer: Caller = { userId: '11111111-1111-4111-8111-111111111111', role: 'user' };
const admin: Caller = { userId: '33333333-3333-4333-8333-333333333333', role: 'admin' };
const SUBJECT = '22222222-2222-4222-8222-222222222222';
const answer = (decision: Decision) => (decision.allowed ? 'allow' : decision.denial);

test('who sees whose presence', () => {
  const base: PresenceSubject = { user_id: SUBJECT, visibility: 'shared_rooms', shares_room: false, blocked: false };
  const cases: [string, Caller | null, Partial<PresenceSubject>, string][] = [
    ['everyone: a stranger', viewer, { visibility: 'everyone' }, 'allow'],
    ['everyone: but not across a block', viewer, { visibility: 'everyone', blocked: true }, 'hidden'],
    ['shared rooms: someone in a room with them', viewer, { shares_room: true }, 'allow'],
    ['shared rooms: a stranger', viewer, {}, 'hidden'],
    ['shared rooms: a roommate across a block', viewer, { shares_room: true, blocked: true }, 'hidden'],
    ['nobody: not even a roommate', viewer, { visibility: 'nobody', shares_room: true }, 'hidden'],
    ['nobody: staff no more than anyone', admin, { visibility: 'nobody' }, 'hidden'],
    ['oneself, whatever the choice', viewer, { user_id: viewer.userId, visibility: 'nobody' }, 'allow'],
    ['nobody anonymous', null, { visibility: 'everyone' }, 'unauthenticated'],
  ];
  for (const [what, caller, state, expected] of cases)
    assert.equal(answer(presencePolicy.maySeePresence(caller, { ...base, ...state })), expected, what);
});

test('who types, and who sees typing, in a room', () => {
  const cases: [string, Caller | null, { is_banned: boolean; is_muted: boolean } | null, string, string][] = [
    ['a member', viewer, { is_banned: false, is_muted: false }, 'allow', 'allow'],
    ['a muted member sees but may not type', viewer, { is_banned: false, is_muted: true }, 'allow', 'forbidden'],
    ['a banned member: the room does not exist', viewer, { is_banned: true, is_muted: false }, 'hidden', 'hidden'],
    ['a non-member, staff included', admin, null, 'hidden', 'hidden'],
    ['nobody anonymous', null, { is_banned: false, is_muted: false }, 'unauthenticated', 'unauthenticated'],
  ];
  for (const [what, caller, membership, seeing, typing] of cases) {
    assert.equal(answer(presencePolicy.maySeeTyping(caller, membership)), seeing, `see: ${what}`);
    assert.equal(answer(presencePolicy.mayType(caller, membership)), typing, `type: ${what}`);
  }
});
