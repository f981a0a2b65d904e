import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller, Decision } from '../../platform/policy/policy.ts';
import { profilesPolicy, type ProfileSubject } from './profiles.policy.ts';

const OWNER = '11111111-1111-4111-8111-111111111111';
const owner: Caller = { userId: OWNER, role: 'user' };
const stranger: Caller = { userId: '22222222-2222-4222-8222-222222222222', role: 'user' };
const admin: Caller = { userId: '33333333-3333-4333-8333-333333333333', role: 'admin' };
const moderator: Caller = { userId: '44444444-4444-4444-8444-444444444444', role: 'moderator' };
const creator: Caller = { userId: '55555555-5555-4555-8555-555555555555', role: 'creator' };

const live: ProfileSubject = {
  id: OWNER,
  deleted_at: null,
  is_banned: false,
  is_active: true,
  profile_visibility: 'public',
};
const answer = (decision: Decision) => (decision.allowed ? 'allow' : decision.denial);

test('who sees a profile', () => {
  const cases: [string, Caller | null, Partial<ProfileSubject>, string][] = [
    ['anyone sees a public profile', null, {}, 'allow'],
    ['anyone with the link sees an unlisted one', stranger, { profile_visibility: 'unlisted' }, 'allow'],
    ['a private profile is hidden from others', stranger, { profile_visibility: 'private' }, 'hidden'],
    ['… and from anonymous callers', null, { profile_visibility: 'private' }, 'hidden'],
    ['… and from staff (they use the admin routes)', admin, { profile_visibility: 'private' }, 'hidden'],
    ['its owner sees a private profile', owner, { profile_visibility: 'private' }, 'allow'],
    ['a deleted account exists for nobody', owner, { deleted_at: new Date(0) }, 'hidden'],
    ['a banned account exists for nobody', stranger, { is_banned: true }, 'hidden'],
    ['a deactivated account exists for nobody', admin, { is_active: false }, 'hidden'],
    [
      'an accepted follower sees a private profile',
      stranger,
      { profile_visibility: 'private', followed_by_viewer: true },
      'allow',
    ],
    ['a blocked viewer, or the blocker, sees no profile', stranger, { blocked_with_viewer: true }, 'hidden'],
    [
      'a block hides even a followed private one',
      stranger,
      { profile_visibility: 'private', followed_by_viewer: true, blocked_with_viewer: true },
      'hidden',
    ],
    ['the owner is never blocked from their own', owner, { blocked_with_viewer: true }, 'allow'],
  ];
  for (const [name, viewer, change, expected] of cases)
    assert.equal(answer(profilesPolicy.viewProfile(viewer, { ...live, ...change })), expected, name);
});

test('who manages the badge catalogue, verifies roles and changes platform roles', () => {
  const cases: [keyof typeof profilesPolicy, Caller | null, string][] = [
    ['manageBadgeCatalogue', null, 'unauthenticated'],
    ['manageBadgeCatalogue', creator, 'forbidden'],
    ['manageBadgeCatalogue', moderator, 'forbidden'],
    ['manageBadgeCatalogue', admin, 'allow'],
    ['verifyDeclaredRoles', null, 'unauthenticated'],
    ['verifyDeclaredRoles', owner, 'forbidden'],
    ['verifyDeclaredRoles', moderator, 'allow'],
    ['verifyDeclaredRoles', admin, 'allow'],
    ['changePlatformRoles', moderator, 'forbidden'],
    ['changePlatformRoles', admin, 'allow'],
  ];
  for (const [rule, caller, expected] of cases) {
    const decide = profilesPolicy[rule] as (caller: Caller | null) => Decision;
    assert.equal(answer(decide(caller)), expected, `${rule} for ${caller?.role ?? 'anonymous'}`);
  }
});
