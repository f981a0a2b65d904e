// The room matrix of ADR 0056 as a table: every rule, for every role of the actor (and a stranger, a banned user,
// nobody signed in), against targets of every role.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller } from '../../platform/policy/policy.ts';
import { mayRead, roomsPolicy, type MembershipSubject, type RoomRole, type RoomSubject } from './rooms.policy.ts';

const caller: Caller = { userId: 'u-1', role: 'user' };
const publicRoom: RoomSubject = { room_type: 'public', deleted_at: null };
const privateRoom: RoomSubject = { room_type: 'private', deleted_at: null };
const deletedRoom: RoomSubject = { room_type: 'public', deleted_at: new Date('2026-01-01T00:00:00Z') };
const as = (role: RoomRole, extra: Partial<MembershipSubject> = {}): MembershipSubject => ({
  role,
  is_banned: false,
  is_muted: false,
  ...extra,
});
const banned = as('member', { is_banned: true });
const outcome = (d: { allowed: boolean; denial?: string }) => (d.allowed ? 'allow' : d.denial);

test('mayRead: members in good standing only; strangers, the banned and deleted rooms are hidden', () => {
  const cases: [string, RoomSubject | null, MembershipSubject | null, string][] = [
    ['member of a private room', privateRoom, as('member'), 'allow'],
    ['owner', publicRoom, as('owner'), 'allow'],
    ['muted member still reads', publicRoom, as('member', { is_muted: true }), 'allow'],
    ['stranger, public room', publicRoom, null, 'hidden'],
    ['stranger, private room', privateRoom, null, 'hidden'],
    ['banned', publicRoom, banned, 'hidden'],
    ['deleted room, owner', deletedRoom, as('owner'), 'hidden'],
    ['no room', null, as('member'), 'hidden'],
  ];
  for (const [name, room, membership, expected] of cases)
    assert.equal(outcome(mayRead(caller, room, membership)), expected, name);
  assert.equal(outcome(mayRead(null, publicRoom, as('member'))), 'unauthenticated');
});

test('mayView and mayJoin: a public room shows to everyone but the banned; a private one only to members', () => {
  const cases: [string, RoomSubject, MembershipSubject | null, string, string][] = [
    ['stranger, public', publicRoom, null, 'allow', 'allow'],
    ['stranger, private', privateRoom, null, 'hidden', 'hidden'],
    ['member, private', privateRoom, as('member'), 'allow', 'allow'],
    ['banned, public', publicRoom, banned, 'hidden', 'hidden'],
    ['deleted', deletedRoom, null, 'hidden', 'hidden'],
  ];
  for (const [name, room, membership, view, join] of cases) {
    assert.equal(outcome(roomsPolicy.mayView(caller, room, membership)), view, `view: ${name}`);
    assert.equal(outcome(roomsPolicy.mayJoin(caller, room, membership)), join, `join: ${name}`);
  }
});

test('the role matrix: least role for each room-wide rule', () => {
  const rules: [string, (m: MembershipSubject) => { allowed: boolean }, RoomRole][] = [
    ['invite', (m) => roomsPolicy.mayInvite(caller, publicRoom, m), 'moderator'],
    ['pin', (m) => roomsPolicy.mayPin(caller, publicRoom, m), 'moderator'],
    ['edit room', (m) => roomsPolicy.mayEditRoom(caller, publicRoom, m), 'admin'],
    ['delete room', (m) => roomsPolicy.mayDeleteRoom(caller, publicRoom, m), 'owner'],
    ['transfer', (m) => roomsPolicy.mayTransfer(caller, publicRoom, m), 'owner'],
    ['send', (m) => roomsPolicy.maySend(caller, publicRoom, m), 'member'],
  ];
  const order: RoomRole[] = ['member', 'moderator', 'admin', 'owner'];
  for (const [name, rule, least] of rules) {
    for (const role of order) {
      const expected = order.indexOf(role) >= order.indexOf(least);
      assert.equal(rule(as(role)).allowed, expected, `${name} by ${role}`);
    }
    assert.equal(outcome(rule(banned) as never), 'hidden', `${name} by a banned user`);
  }
  assert.equal(outcome(roomsPolicy.maySend(caller, publicRoom, as('owner', { is_muted: true }))), 'forbidden');
});

test('acting on a member needs a role above theirs; bans need an admin; roles go below one’s own', () => {
  const order: RoomRole[] = ['member', 'moderator', 'admin', 'owner'];
  for (const actor of order) {
    for (const target of order) {
      const above = order.indexOf(actor) > order.indexOf(target);
      const atLeast = (least: RoomRole) => order.indexOf(actor) >= order.indexOf(least);
      const name = `${actor} on ${target}`;
      assert.equal(
        roomsPolicy.mayKick(caller, publicRoom, as(actor), as(target)).allowed,
        above && atLeast('moderator'),
        `kick ${name}`,
      );
      assert.equal(
        roomsPolicy.mayMute(caller, publicRoom, as(actor), as(target)).allowed,
        above && atLeast('moderator'),
        `mute ${name}`,
      );
      assert.equal(
        roomsPolicy.mayBan(caller, publicRoom, as(actor), as(target)).allowed,
        above && atLeast('admin'),
        `ban ${name}`,
      );
      for (const to of ['admin', 'moderator', 'member'] as RoomRole[]) {
        const expected = above && atLeast('admin') && order.indexOf(to) < order.indexOf(actor);
        assert.equal(
          roomsPolicy.mayChangeRole(caller, publicRoom, as(actor), as(target), to).allowed,
          expected,
          `role ${to}: ${name}`,
        );
      }
    }
  }
});

test('messages: the sender edits; the sender or a moderator above them deletes', () => {
  const mine = { sender_id: caller.userId };
  const theirs = { sender_id: 'u-2' };
  assert.ok(roomsPolicy.mayEditMessage(caller, publicRoom, as('member'), mine).allowed);
  assert.equal(outcome(roomsPolicy.mayEditMessage(caller, publicRoom, as('owner'), theirs)), 'forbidden');
  assert.equal(
    outcome(roomsPolicy.mayEditMessage(caller, publicRoom, as('member', { is_muted: true }), mine)),
    'forbidden',
  );
  const del = (me: MembershipSubject, sender: MembershipSubject | null, message = theirs) =>
    outcome(roomsPolicy.mayDeleteMessage(caller, publicRoom, me, message, sender));
  assert.equal(del(as('member'), null, mine), 'allow');
  assert.equal(del(as('member'), as('member')), 'forbidden');
  assert.equal(del(as('moderator'), as('member')), 'allow');
  assert.equal(del(as('moderator'), as('moderator')), 'forbidden');
  assert.equal(del(as('moderator'), null), 'allow', 'a sender who left ranks lowest');
  assert.equal(del(as('admin'), as('owner')), 'forbidden');
  assert.equal(del(banned, as('member')), 'hidden');
});
