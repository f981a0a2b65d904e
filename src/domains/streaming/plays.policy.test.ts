import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller, Decision } from '../../platform/policy/policy.ts';
import { playsPolicy } from './plays.policy.ts';
import type { TrackSubject } from './tracks.policy.ts';

const CREATOR = '11111111-1111-4111-8111-111111111111';
const creator: Caller = { userId: CREATOR, role: 'creator' };
const listener: Caller = { userId: '22222222-2222-4222-8222-222222222222', role: 'user' };
const admin: Caller = { userId: '33333333-3333-4333-8333-333333333333', role: 'admin' };

const published: TrackSubject = {
  creator_id: CREATOR,
  visibility: 'public',
  published_at: new Date(0),
  deleted_at: null,
};
const answer = (decision: Decision) => (decision.allowed ? 'allow' : decision.denial);

test('who may report a play', () => {
  const cases: [string, Caller | null, Partial<TrackSubject> | null, string][] = [
    ['a listener of a public track', listener, {}, 'allow'],
    ['… of an unlisted one (holding the link)', listener, { visibility: 'unlisted' }, 'allow'],
    ['… not of a private track of someone else', listener, { visibility: 'private' }, 'hidden'],
    ['… nor of a draft', listener, { published_at: null }, 'hidden'],
    ['… nor of a deleted track', listener, { deleted_at: new Date(0) }, 'hidden'],
    ['… nor of a track that does not exist', listener, null, 'hidden'],
    ['staff see no more than anyone', admin, { visibility: 'private' }, 'hidden'],
    ['the creator, of their own private draft', creator, { visibility: 'private', published_at: null }, 'allow'],
    ['nobody anonymous, even of a public track', null, {}, 'unauthenticated'],
  ];
  for (const [what, caller, state, expected] of cases) {
    const track = state === null ? null : { ...published, ...state };
    assert.equal(answer(playsPolicy.mayReportPlay(caller, track)), expected, what);
  }
});

test('who may touch a history entry: its listener only; a cleared entry is nobody’s', () => {
  const cases: [string, Caller | null, { user_id: string | null } | null, string][] = [
    ['the listener', listener, { user_id: listener.userId }, 'allow'],
    ['the creator of the track', creator, { user_id: listener.userId }, 'hidden'],
    ['an admin', admin, { user_id: listener.userId }, 'hidden'],
    ['the former listener, once cleared', listener, { user_id: null }, 'hidden'],
    ['anyone, of a missing entry', listener, null, 'hidden'],
    ['an anonymous caller', null, { user_id: listener.userId }, 'unauthenticated'],
  ];
  for (const [what, caller, entry, expected] of cases) {
    assert.equal(answer(playsPolicy.mayTouchHistoryEntry(caller, entry)), expected, what);
  }
});

test('what may be embedded: public, published, not deleted', () => {
  const cases: [string, Partial<TrackSubject> | null, string][] = [
    ['a public published track', {}, 'allow'],
    ['an unlisted one', { visibility: 'unlisted' }, 'hidden'],
    ['a private one', { visibility: 'private' }, 'hidden'],
    ['a draft', { published_at: null }, 'hidden'],
    ['a deleted one', { deleted_at: new Date(0) }, 'hidden'],
    ['none', null, 'hidden'],
  ];
  for (const [what, state, expected] of cases) {
    assert.equal(answer(playsPolicy.mayEmbed(state === null ? null : { ...published, ...state })), expected, what);
  }
});
