// The role matrix of ADR 0065 as a table of cases: who may do what in a group, by role and membership status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller } from '../../platform/policy/policy.ts';
import { groupsPolicy, type GroupMembershipSubject, type GroupRole, type GroupSubject } from './groups.policy.ts';

const caller = { userId: '00000000-0000-4000-8000-000000000001', roles: ['user'] } as unknown as Caller;
const publicGroup: GroupSubject = { group_type: 'public', deleted_at: null };
const privateGroup: GroupSubject = { group_type: 'private', deleted_at: null };
const deletedGroup: GroupSubject = { group_type: 'public', deleted_at: new Date() };
const as = (role: GroupRole, status: GroupMembershipSubject['status'] = 'active'): GroupMembershipSubject => ({
  role,
  status,
});

type Outcome = 'allow' | 'hidden' | 'forbidden' | 'unauthenticated';
const outcome = (decision: { allowed: boolean; denial?: string }): Outcome =>
  decision.allowed ? 'allow' : (decision.denial as Outcome);

// [rule, group, actor, target (acting on a member), expected]
type Row = [string, GroupSubject, GroupMembershipSubject | null, GroupMembershipSubject | null, Outcome];
const ROWS: Row[] = [
  // Seeing the group's page: anyone, private groups included; a deleted group is gone.
  ['mayView', publicGroup, null, null, 'allow'],
  ['mayView', privateGroup, null, null, 'allow'],
  ['mayView', privateGroup, as('member', 'banned'), null, 'allow'],
  ['mayView', deletedGroup, as('owner'), null, 'hidden'],
  // Posts and members: anyone for a public group; active members only for a private one.
  ['mayReadContent', publicGroup, null, null, 'allow'],
  ['mayReadContent', privateGroup, null, null, 'forbidden'],
  ['mayReadContent', privateGroup, as('member', 'pending'), null, 'forbidden'],
  ['mayReadContent', privateGroup, as('member', 'banned'), null, 'forbidden'],
  ['mayReadContent', privateGroup, as('member'), null, 'allow'],
  ['mayReadContent', deletedGroup, as('member'), null, 'hidden'],
  // Joining: anyone but the banned.
  ['mayJoin', publicGroup, null, null, 'allow'],
  ['mayJoin', privateGroup, null, null, 'allow'],
  ['mayJoin', publicGroup, as('member', 'banned'), null, 'forbidden'],
  ['mayJoin', deletedGroup, null, null, 'hidden'],
  // Reviewing requests: moderators and above, active.
  ['mayReviewRequests', publicGroup, as('member'), null, 'forbidden'],
  ['mayReviewRequests', publicGroup, as('moderator'), null, 'allow'],
  ['mayReviewRequests', publicGroup, as('moderator', 'pending'), null, 'forbidden'],
  ['mayReviewRequests', publicGroup, as('admin'), null, 'allow'],
  ['mayReviewRequests', publicGroup, as('owner'), null, 'allow'],
  // Editing: admins and the owner.
  ['mayEdit', publicGroup, as('moderator'), null, 'forbidden'],
  ['mayEdit', publicGroup, as('admin'), null, 'allow'],
  ['mayEdit', publicGroup, as('owner'), null, 'allow'],
  ['mayEdit', publicGroup, null, null, 'forbidden'],
  // Deleting and transferring: the owner only.
  ['mayDelete', publicGroup, as('admin'), null, 'forbidden'],
  ['mayDelete', publicGroup, as('owner'), null, 'allow'],
  ['mayTransfer', publicGroup, as('admin'), null, 'forbidden'],
  ['mayTransfer', publicGroup, as('owner'), null, 'allow'],
  // Kicking: moderators and above, on lower roles only.
  ['mayKick', publicGroup, as('member'), as('member'), 'forbidden'],
  ['mayKick', publicGroup, as('moderator'), as('member'), 'allow'],
  ['mayKick', publicGroup, as('moderator'), as('moderator'), 'forbidden'],
  ['mayKick', publicGroup, as('admin'), as('moderator'), 'allow'],
  ['mayKick', publicGroup, as('admin'), as('owner'), 'forbidden'],
  ['mayKick', publicGroup, as('owner'), as('admin'), 'allow'],
  // Banning: admins and the owner, on lower roles (anyone outside the group ranks lowest).
  ['mayBan', publicGroup, as('moderator'), as('member'), 'forbidden'],
  ['mayBan', publicGroup, as('admin'), as('member'), 'allow'],
  ['mayBan', publicGroup, as('admin'), null, 'allow'],
  ['mayBan', publicGroup, as('admin'), as('admin'), 'forbidden'],
  ['mayBan', publicGroup, as('owner'), as('admin'), 'allow'],
  // Role changes: admins and the owner, on lower roles.
  ['mayChangeRole', publicGroup, as('moderator'), as('member'), 'forbidden'],
  ['mayChangeRole', publicGroup, as('admin'), as('member'), 'allow'],
  ['mayChangeRole', publicGroup, as('admin'), as('admin'), 'forbidden'],
  ['mayChangeRole', publicGroup, as('owner'), as('admin'), 'allow'],
];

type Rule = (
  caller: Caller | null,
  group: GroupSubject,
  membership: GroupMembershipSubject | null,
  target: GroupMembershipSubject | null,
) => { allowed: boolean; denial?: string };

for (const [rule, group, actor, target, expected] of ROWS) {
  const who = actor ? `${actor.role}/${actor.status}` : 'outsider';
  test(`${rule}: ${who} on ${group.deleted_at ? 'deleted' : group.group_type} group${target ? ` -> ${target.role}` : ''} = ${expected}`, () => {
    const check = groupsPolicy[rule as keyof typeof groupsPolicy] as unknown as Rule;
    assert.equal(outcome(check(caller, group, actor, target)), expected);
  });
}

test('anonymous callers may look, not act', () => {
  assert.equal(outcome(groupsPolicy.mayJoin(null, publicGroup, null)), 'unauthenticated');
  assert.equal(outcome(groupsPolicy.mayEdit(null, publicGroup, null)), 'unauthenticated');
  assert.equal(outcome(groupsPolicy.mayReadContent(null, privateGroup, null)), 'unauthenticated');
});

test('roles are given below one’s own only', () => {
  assert.equal(groupsPolicy.mayAssign(as('admin'), 'moderator').allowed, true);
  assert.equal(groupsPolicy.mayAssign(as('admin'), 'admin').allowed, false);
  assert.equal(groupsPolicy.mayAssign(as('owner'), 'admin').allowed, true);
  assert.equal(groupsPolicy.mayAssign(as('moderator'), 'member').allowed, true);
});
