import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller, Decision } from '../../platform/policy/policy.ts';
import { playlistsPolicy, type PlaylistSubject } from './playlists.policy.ts';

const OWNER = '11111111-1111-4111-8111-111111111111';
const COLLABORATOR = '44444444-4444-4444-8444-444444444444';
const owner: Caller = { userId: OWNER, role: 'user' };
const collaborator: Caller = { userId: COLLABORATOR, role: 'user' };
const stranger: Caller = { userId: '22222222-2222-4222-8222-222222222222', role: 'user' };
const admin: Caller = { userId: '33333333-3333-4333-8333-333333333333', role: 'admin' };

const base: PlaylistSubject = { user_id: OWNER, visibility: 'public', is_collaborative: true, deleted_at: null };
const answer = (decision: Decision) => (decision.allowed ? 'allow' : decision.denial);
const collaborates = (caller: Caller | null) => caller?.userId === COLLABORATOR;

type Rule = (caller: Caller | null, playlist: PlaylistSubject, collaborates: boolean) => Decision;
type Case = [string, Caller | null, Partial<PlaylistSubject>, string];

function check(rule: Rule, cases: Case[]) {
  for (const [name, caller, changes, expected] of cases) {
    assert.equal(answer(rule(caller, { ...base, ...changes }, collaborates(caller))), expected, name);
  }
}

test('who sees a playlist', () => {
  check(playlistsPolicy.mayView, [
    ['anyone sees a public playlist, signed in or not', null, {}, 'allow'],
    ['an unlisted one too (whoever holds its id)', stranger, { visibility: 'unlisted' }, 'allow'],
    ['a private one is hidden from others', stranger, { visibility: 'private' }, 'hidden'],
    ['… from staff', admin, { visibility: 'private' }, 'hidden'],
    ['… and from anonymous callers', null, { visibility: 'private' }, 'hidden'],
    ['its owner sees it', owner, { visibility: 'private' }, 'allow'],
    ['a collaborator sees it', collaborator, { visibility: 'private' }, 'allow'],
    ['… even while collaboration is paused', collaborator, { visibility: 'private', is_collaborative: false }, 'allow'],
    ['a deleted playlist exists for nobody', owner, { deleted_at: new Date(0) }, 'hidden'],
  ]);
  assert.equal(answer(playlistsPolicy.mayView(stranger, null, false)), 'hidden', 'a missing playlist');
});

test('who changes details, deletes, invites', () => {
  for (const rule of [playlistsPolicy.mayEditDetails, playlistsPolicy.mayDelete, playlistsPolicy.mayInvite]) {
    check(rule, [
      ['the owner', owner, {}, 'allow'],
      ['… of a private playlist', owner, { visibility: 'private' }, 'allow'],
      ['a collaborator may not (403: they see it)', collaborator, {}, 'forbidden'],
      ['a stranger who sees it may not', stranger, {}, 'forbidden'],
      ['a stranger who does not see it is told nothing', stranger, { visibility: 'private' }, 'hidden'],
      ['staff may not either', admin, {}, 'forbidden'],
      ['anonymous callers sign in first', null, {}, 'unauthenticated'],
      ['nobody on a deleted playlist', owner, { deleted_at: new Date(0) }, 'hidden'],
    ]);
  }
});

test('who adds, removes and moves entries', () => {
  check(playlistsPolicy.mayEditEntries, [
    ['the owner', owner, { is_collaborative: false }, 'allow'],
    ['a collaborator of a collaborative playlist', collaborator, {}, 'allow'],
    ['… of a private one', collaborator, { visibility: 'private' }, 'allow'],
    ['not while collaboration is paused', collaborator, { is_collaborative: false }, 'forbidden'],
    ['a stranger who sees it may not', stranger, {}, 'forbidden'],
    ['a stranger who does not see it is told nothing', stranger, { visibility: 'private' }, 'hidden'],
    ['anonymous callers sign in first', null, {}, 'unauthenticated'],
    ['nobody on a deleted playlist', collaborator, { deleted_at: new Date(0) }, 'hidden'],
  ]);
});

test('who removes a collaborator', () => {
  const removing =
    (target: string): Rule =>
    (caller, playlist, collaborating) =>
      playlistsPolicy.mayRemoveCollaborator(caller, playlist, collaborating, target);
  check(removing(COLLABORATOR), [
    ['the owner removes anyone', owner, {}, 'allow'],
    ['a collaborator leaves', collaborator, {}, 'allow'],
    ['… even while collaboration is paused', collaborator, { is_collaborative: false }, 'allow'],
    ['a stranger may not', stranger, {}, 'forbidden'],
    ['… nor learn a private playlist exists', stranger, { visibility: 'private' }, 'hidden'],
    ['anonymous callers sign in first', null, {}, 'unauthenticated'],
  ]);
  check(removing(OWNER), [['a collaborator does not remove anyone else', collaborator, {}, 'forbidden']]);
});

test('who follows, and where a playlist is listed', () => {
  check(playlistsPolicy.mayFollow, [
    ['anyone signed in who sees it', stranger, {}, 'allow'],
    ['an unlisted one too', stranger, { visibility: 'unlisted' }, 'allow'],
    ['not a playlist one cannot see', stranger, { visibility: 'private' }, 'hidden'],
    ['a collaborator of a private one', collaborator, { visibility: 'private' }, 'allow'],
    ['anonymous callers sign in first', null, {}, 'unauthenticated'],
  ]);
  const listed: [string, Caller | null, Partial<PlaylistSubject>, boolean][] = [
    ['public: listed for anyone', null, {}, true],
    ['unlisted: not listed for others', stranger, { visibility: 'unlisted' }, false],
    ['private: not listed for others', stranger, { visibility: 'private' }, false],
    ['… listed for its owner', owner, { visibility: 'private' }, true],
    ['deleted: listed for nobody', owner, { deleted_at: new Date(0) }, false],
  ];
  for (const [name, caller, changes, expected] of listed) {
    assert.equal(playlistsPolicy.isListedFor(caller, { ...base, ...changes }), expected, name);
  }
});
