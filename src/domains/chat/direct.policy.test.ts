import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller, Decision } from '../../platform/policy/policy.ts';
import { directPolicy, type DirectMessageSubject } from './direct.policy.ts';

const ana: Caller = { userId: '11111111-1111-4111-8111-111111111111', role: 'user' };
const ben: Caller = { userId: '22222222-2222-4222-8222-222222222222', role: 'user' };
const admin: Caller = { userId: '33333333-3333-4333-8333-333333333333', role: 'admin' };
const answer = (decision: Decision) => (decision.allowed ? 'allow' : decision.denial);

const message: DirectMessageSubject = {
  sender_id: ana.userId,
  recipient_id: ben.userId,
  is_deleted_by_sender: false,
  is_deleted_by_recipient: false,
  deleted_at: null,
};

test('who may write to someone, or read the conversation with them', () => {
  const cases: [string, Caller | null, { exists: boolean; blocked: boolean } | null, string][] = [
    ['anyone signed in, to a live account', ana, { exists: true, blocked: false }, 'allow'],
    ['nobody, under a block either way', ana, { exists: true, blocked: true }, 'hidden'],
    ['nobody, to a deleted account', ana, { exists: false, blocked: false }, 'hidden'],
    ['nobody, to no account', ana, null, 'hidden'],
    ['staff no more than anyone, under a block', admin, { exists: true, blocked: true }, 'hidden'],
    ['nobody anonymous', null, { exists: true, blocked: false }, 'unauthenticated'],
  ];
  for (const [what, caller, counterpart, expected] of cases)
    assert.equal(answer(directPolicy.mayConverse(caller, counterpart)), expected, what);
});

test('who may delete a message from their view, and who may name it as the read mark', () => {
  const cases: [string, Caller | null, Partial<DirectMessageSubject> | null, string, string][] = [
    ['the sender', ana, {}, 'allow', 'hidden'],
    ['the recipient', ben, {}, 'allow', 'allow'],
    ['the sender, once deleted on their side', ana, { is_deleted_by_sender: true }, 'hidden', 'hidden'],
    ['the recipient, when only the sender deleted it', ben, { is_deleted_by_sender: true }, 'allow', 'allow'],
    ['the recipient, once deleted on their side', ben, { is_deleted_by_recipient: true }, 'hidden', 'hidden'],
    ['anyone, once deleted for good', ben, { deleted_at: new Date(0) }, 'hidden', 'hidden'],
    ['a third person, staff included', admin, {}, 'hidden', 'hidden'],
    ['anyone, of no message', ana, null, 'hidden', 'hidden'],
    ['nobody anonymous', null, {}, 'unauthenticated', 'unauthenticated'],
  ];
  for (const [what, caller, state, deletion, reading] of cases) {
    const subject = state === null ? null : { ...message, ...state };
    assert.equal(answer(directPolicy.mayDeleteForSelf(caller, subject)), deletion, `delete: ${what}`);
    assert.equal(answer(directPolicy.mayMarkRead(caller, subject)), reading, `read mark: ${what}`);
  }
});
