// tracksPolicy as a table of cases (issue 13; ADR 0046): who sees, plays, shares, manages and moderates a track.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller, Decision } from '../../platform/policy/policy.ts';
import { tracksPolicy, type TrackSubject } from './tracks.policy.ts';

const CREATOR = '11111111-1111-4111-8111-111111111111';
const creator: Caller = { userId: CREATOR, role: 'user' };
const listener: Caller = { userId: '22222222-2222-4222-8222-222222222222', role: 'user' };
const moderator: Caller = { userId: '33333333-3333-4333-8333-333333333333', role: 'moderator' };
const admin: Caller = { userId: '44444444-4444-4444-8444-444444444444', role: 'admin' };

const published: TrackSubject = {
  creator_id: CREATOR,
  visibility: 'public',
  published_at: new Date(0),
  deleted_at: null,
};
const draft = { published_at: null };
const deleted = { deleted_at: new Date(0) };
const answer = (decision: Decision) => (decision.allowed ? 'allow' : decision.denial);

type Rule = 'mayListen' | 'mayShare' | 'mayManage' | 'mayModerateComments';
type Case = [string, Rule, Caller | null, Partial<TrackSubject> | null, string];

test('who may do what to a track', () => {
  const cases: Case[] = [
    ['anyone plays a published public track', 'mayListen', null, {}, 'allow'],
    ['… and a published unlisted one (the link is the secret)', 'mayListen', null, { visibility: 'unlisted' }, 'allow'],
    ['a private track is hidden from listeners', 'mayListen', listener, { visibility: 'private' }, 'hidden'],
    ['… from staff too', 'mayListen', admin, { visibility: 'private' }, 'hidden'],
    ['… and played by its creator', 'mayListen', creator, { visibility: 'private' }, 'allow'],
    ['a draft is hidden from listeners', 'mayListen', listener, draft, 'hidden'],
    ['… and from anonymous callers', 'mayListen', null, draft, 'hidden'],
    ['… and played by its creator', 'mayListen', creator, draft, 'allow'],
    ['a deleted track exists for nobody', 'mayListen', creator, deleted, 'hidden'],
    ['a missing track is hidden', 'mayListen', listener, null, 'hidden'],
    ['a listener shares a public track', 'mayShare', listener, {}, 'allow'],
    ['… not someone else’s private one', 'mayShare', listener, { visibility: 'private' }, 'hidden'],
    ['… not a deleted one', 'mayShare', creator, deleted, 'hidden'],
    ['a creator shares their own private track', 'mayShare', creator, { visibility: 'private' }, 'allow'],
    ['managing needs a sign-in', 'mayManage', null, {}, 'unauthenticated'],
    ['the creator manages', 'mayManage', creator, {}, 'allow'],
    ['… their drafts and private tracks too', 'mayManage', creator, { ...draft, visibility: 'private' }, 'allow'],
    ['a listener who sees the track is refused', 'mayManage', listener, {}, 'forbidden'],
    ['… staff too (no silent edits of others’ work)', 'mayManage', admin, {}, 'forbidden'],
    ['a listener who may not see it gets a 404', 'mayManage', listener, { visibility: 'private' }, 'hidden'],
    ['nobody manages a deleted track', 'mayManage', creator, deleted, 'hidden'],
    ['the creator moderates comments', 'mayModerateComments', creator, {}, 'allow'],
    ['a moderator does', 'mayModerateComments', moderator, {}, 'allow'],
    ['a listener does not', 'mayModerateComments', listener, {}, 'forbidden'],
    ['a moderator cannot see a private track', 'mayModerateComments', moderator, { visibility: 'private' }, 'hidden'],
    ['anonymous callers sign in first', 'mayModerateComments', null, {}, 'unauthenticated'],
  ];
  for (const [name, rule, caller, overrides, expected] of cases) {
    const track = overrides === null ? null : { ...published, ...overrides };
    assert.equal(answer(tracksPolicy[rule](caller, track)), expected, name);
  }
});

test('listed where anyone browses: public, published and not deleted only', () => {
  assert.equal(tracksPolicy.isListed(published), true);
  assert.equal(tracksPolicy.isListed({ ...published, visibility: 'unlisted' }), false);
  assert.equal(tracksPolicy.isListed({ ...published, visibility: 'private' }), false);
  assert.equal(tracksPolicy.isListed({ ...published, ...draft }), false);
  assert.equal(tracksPolicy.isListed({ ...published, ...deleted }), false);
});
