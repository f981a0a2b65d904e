import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller, Decision } from '../../platform/policy/policy.ts';
import { commentsPolicy, type CommentSubject } from './comments.policy.ts';
import type { TrackSubject } from './tracks.policy.ts';

const CREATOR = '11111111-1111-4111-8111-111111111111';
const AUTHOR = '22222222-2222-4222-8222-222222222222';
const creator: Caller = { userId: CREATOR, role: 'creator' };
const author: Caller = { userId: AUTHOR, role: 'user' };
const reader: Caller = { userId: '33333333-3333-4333-8333-333333333333', role: 'user' };
const moderator: Caller = { userId: '44444444-4444-4444-8444-444444444444', role: 'moderator' };
const admin: Caller = { userId: '55555555-5555-4555-8555-555555555555', role: 'admin' };

const publicTrack: TrackSubject = {
  creator_id: CREATOR,
  visibility: 'public',
  published_at: new Date(0),
  deleted_at: null,
};
const live: CommentSubject = { user_id: AUTHOR, is_deleted: false, deleted_at: null, track: publicTrack };
const placeholder: Partial<CommentSubject> = { is_deleted: true };
const gone: Partial<CommentSubject> = { is_deleted: true, deleted_at: new Date(0) };
const onTrack = (change: Partial<TrackSubject>): Partial<CommentSubject> => ({ track: { ...publicTrack, ...change } });
const privateTrack = onTrack({ visibility: 'private' });
const draftTrack = onTrack({ published_at: null });
const deletedTrack = onTrack({ deleted_at: new Date(0) });

const answer = (decision: Decision) => (decision.allowed ? 'allow' : decision.denial);
type Case = [string, Caller | null, Partial<CommentSubject> | null, string];
const check = (rule: (caller: Caller | null, comment: CommentSubject | null) => Decision, cases: Case[]) => {
  for (const [name, caller, change, expected] of cases) {
    const comment = change === null ? null : { ...live, ...change };
    assert.equal(answer(rule(caller, comment)), expected, name);
  }
};

test('who reads a comment', () => {
  check(commentsPolicy.mayRead, [
    ['anyone, on a public track', null, {}, 'allow'],
    ['a signed-in reader', reader, {}, 'allow'],
    ['the placeholder of a deleted comment that holds replies', reader, placeholder, 'allow'],
    ['a comment gone for good exists for nobody', author, gone, 'hidden'],
    ['… nor for moderators', moderator, gone, 'hidden'],
    ['a comment on an unlisted track: whoever has the link', reader, onTrack({ visibility: 'unlisted' }), 'allow'],
    ['on a private track: hidden from others', reader, privateTrack, 'hidden'],
    ['… from its author too, who no longer sees the track', author, privateTrack, 'hidden'],
    ['… but not from the track’s creator', creator, privateTrack, 'allow'],
    ['on a draft: hidden from anonymous callers', null, draftTrack, 'hidden'],
    ['on a deleted track: hidden from everyone', creator, deletedTrack, 'hidden'],
    ['a missing comment', reader, null, 'hidden'],
  ]);
});

test('who comments on a track', () => {
  const cases: [string, Caller | null, TrackSubject | null, string][] = [
    ['a signed-in listener, on a public track', reader, publicTrack, 'allow'],
    ['nobody signed in', null, publicTrack, 'unauthenticated'],
    ['another user’s private track', reader, { ...publicTrack, visibility: 'private' }, 'hidden'],
    ['the creator, on their own draft', creator, { ...publicTrack, published_at: null }, 'allow'],
    ['a moderator, on someone’s draft', moderator, { ...publicTrack, published_at: null }, 'hidden'],
    ['a deleted track', creator, { ...publicTrack, deleted_at: new Date(0) }, 'hidden'],
    ['a missing track', reader, null, 'hidden'],
  ];
  for (const [name, caller, track, expected] of cases)
    assert.equal(answer(commentsPolicy.mayComment(caller, track)), expected, name);
});

test('who edits a comment', () => {
  check(commentsPolicy.mayEdit, [
    ['its author', author, {}, 'allow'],
    ['another reader: the comment is no secret, the answer is 403', reader, {}, 'forbidden'],
    ['the track’s creator (moderation removes, never rewrites)', creator, {}, 'forbidden'],
    ['a moderator', moderator, {}, 'forbidden'],
    ['nobody signed in', null, {}, 'unauthenticated'],
    ['a placeholder, even by its author', author, placeholder, 'hidden'],
    ['a comment gone for good', author, gone, 'hidden'],
    ['its author, once the track is hidden from them', author, privateTrack, 'hidden'],
    ['someone who cannot see the track', reader, privateTrack, 'hidden'],
    ['a missing comment', author, null, 'hidden'],
  ]);
});

test('who deletes or removes a comment', () => {
  check(commentsPolicy.mayDelete, [
    ['its author', author, {}, 'allow'],
    ['its author, even once the track is hidden from them (their words are theirs)', author, privateTrack, 'allow'],
    ['… or deleted', author, deletedTrack, 'allow'],
    ['the track’s creator', creator, {}, 'allow'],
    ['the track’s creator, on their private track', creator, privateTrack, 'allow'],
    ['a moderator', moderator, {}, 'allow'],
    ['an admin', admin, {}, 'allow'],
    ['a moderator, on a private track they cannot see', moderator, privateTrack, 'hidden'],
    ['another reader: 403', reader, {}, 'forbidden'],
    ['someone who cannot see the track: 404', reader, privateTrack, 'hidden'],
    ['nobody signed in', null, {}, 'unauthenticated'],
    ['a placeholder: already deleted', author, placeholder, 'hidden'],
    ['… also for moderators', moderator, placeholder, 'hidden'],
    ['a comment gone for good', creator, gone, 'hidden'],
    ['a missing comment', moderator, null, 'hidden'],
  ]);
});

test('in whose name a removal is made', () => {
  assert.equal(commentsPolicy.remover(author, live), 'author');
  assert.equal(commentsPolicy.remover(creator, live), 'creator');
  assert.equal(commentsPolicy.remover(moderator, live), 'moderator');
  assert.equal(commentsPolicy.remover(admin, live), 'moderator');
  // The creator deleting their own comment on their track deletes it as its author.
  assert.equal(commentsPolicy.remover(creator, { ...live, user_id: CREATOR }), 'author');
});
