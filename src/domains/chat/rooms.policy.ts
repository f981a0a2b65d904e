// Who may see, join and run a chat room (issue 14 §1, ADR 0056): one answer for the HTTP routes and the WebSocket
// gateway's subscriptions. Pure: the caller, the room's row and the caller's membership row (or null) are passed in.
//
// Roles rank owner > admin > moderator > member. A banned member keeps a row (the ban) but sees nothing of the
// room: to them, as to a stranger, a private room does not exist, and neither does a public one.
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';

export type RoomRole = 'owner' | 'admin' | 'moderator' | 'member';
export type RoomType = 'public' | 'private' | 'dm';

/** What a rule needs to know of a `rooms` row. */
export interface RoomSubject {
  room_type: RoomType;
  deleted_at: Date | null;
}

/** What a rule needs to know of the caller's `room_members` row. */
export interface MembershipSubject {
  role: RoomRole;
  is_banned: boolean;
  is_muted: boolean;
}

export const ROLE_RANK: Record<RoomRole, number> = { owner: 3, admin: 2, moderator: 1, member: 0 };

const HIDDEN = 'No such room';

/** A member in good standing: a row, not banned. */
export const isMember = (membership: MembershipSubject | null | undefined): membership is MembershipSubject =>
  membership !== null && membership !== undefined && !membership.is_banned;

const rank = (membership: MembershipSubject | null | undefined) =>
  isMember(membership) ? ROLE_RANK[membership.role] : -1;

/**
 * Reading the room's messages, members and events (and subscribing to them over WebSocket): members in good
 * standing only. Everyone else is told the room does not exist, so a private room's existence stays unknown.
 */
export function mayRead(
  caller: Caller | null,
  room: RoomSubject | null | undefined,
  membership: MembershipSubject | null | undefined,
): Decision {
  if (!caller) return deny('unauthenticated', 'Sign in to read a room');
  if (!room || room.deleted_at !== null) return deny('hidden', HIDDEN);
  if (!isMember(membership)) return deny('hidden', HIDDEN);
  return ALLOW;
}

/** Seeing the room's card (name, description, counts): anyone signed in for a public room, members otherwise. */
export function mayView(
  caller: Caller | null,
  room: RoomSubject | null | undefined,
  membership: MembershipSubject | null | undefined,
): Decision {
  if (!caller) return deny('unauthenticated', 'Sign in to see a room');
  if (!room || room.deleted_at !== null) return deny('hidden', HIDDEN);
  if (membership?.is_banned) return deny('hidden', HIDDEN);
  if (room.room_type === 'public' || isMember(membership)) return ALLOW;
  return deny('hidden', HIDDEN);
}

/** A rule open to members of at least `least` rank; to other members a 403, to anyone else no room. */
function atLeast(least: RoomRole, what: string) {
  return (
    caller: Caller | null,
    room: RoomSubject | null | undefined,
    membership: MembershipSubject | null | undefined,
  ): Decision => {
    const readable = mayRead(caller, room, membership);
    if (!readable.allowed) return readable;
    if (rank(membership) >= ROLE_RANK[least]) return ALLOW;
    return deny('forbidden', `Only a room ${least}${least === 'owner' ? '' : ' or above'} may ${what}`);
  };
}

/** Acting on another member (kick, mute, ban, role change): the actor's rank must be above the target's. */
function onLowerRank(least: RoomRole, what: string) {
  const base = atLeast(least, what);
  return (
    caller: Caller | null,
    room: RoomSubject | null | undefined,
    membership: MembershipSubject | null | undefined,
    target: MembershipSubject | null | undefined,
  ): Decision => {
    const allowed = base(caller, room, membership);
    if (!allowed.allowed) return allowed;
    if (rank(membership) > rank(target)) return ALLOW;
    return deny('forbidden', `You may only ${what} members of a lower role than yours`);
  };
}

/** The matrix of ADR 0056. */
export const roomsPolicy = {
  mayRead,
  mayView,

  /**
   * Joining: a public room, by anyone signed in who is not banned (the service checks the password and the
   * seats); a private room only by invitation (403 once the caller knows the room, else 404).
   */
  mayJoin: (
    caller: Caller | null,
    room: RoomSubject | null | undefined,
    membership: MembershipSubject | null | undefined,
  ): Decision => {
    const visible = mayView(caller, room, membership);
    if (!visible.allowed) return visible;
    if (isMember(membership)) return ALLOW;
    if (room?.room_type !== 'public') return deny('forbidden', 'This room is joined by invitation only');
    return ALLOW;
  },

  /** Sending, reacting, editing one's own messages: members who are not muted. */
  maySend: (
    caller: Caller | null,
    room: RoomSubject | null | undefined,
    membership: MembershipSubject | null | undefined,
  ): Decision => {
    const readable = mayRead(caller, room, membership);
    if (!readable.allowed) return readable;
    if (membership?.is_muted) return deny('forbidden', 'You are muted in this room');
    return ALLOW;
  },

  /** Inviting someone (adds them as a member): moderators and above. */
  mayInvite: atLeast('moderator', 'invite'),
  /** Pinning and unpinning messages: moderators and above. */
  mayPin: atLeast('moderator', 'pin messages'),
  /** Name, description, password, member limit: admins and the owner. */
  mayEditRoom: atLeast('admin', 'edit the room'),
  /** Soft delete of the room: the owner only. */
  mayDeleteRoom: atLeast('owner', 'delete the room'),
  /** Handing the room to another member (the owner becomes an admin): the owner only. */
  mayTransfer: atLeast('owner', 'transfer the room'),
  /** Removing a member (they may join again): moderators, on members of a lower role. */
  mayKick: onLowerRank('moderator', 'kick'),
  /** Muting and unmuting: moderators, on members of a lower role. */
  mayMute: onLowerRank('moderator', 'mute'),
  /** Banning and unbanning: admins, on members of a lower role. */
  mayBan: onLowerRank('admin', 'ban'),

  /**
   * Changing a member's role to `to`: admins and the owner, on members of a lower role, to a role below their own
   * (so an admin names moderators and members; the owner also admins). Ownership moves by transfer only.
   */
  mayChangeRole: (
    caller: Caller | null,
    room: RoomSubject | null | undefined,
    membership: MembershipSubject | null | undefined,
    target: MembershipSubject | null | undefined,
    to: RoomRole,
  ): Decision => {
    const allowed = onLowerRank('admin', 'change the role of')(caller, room, membership, target);
    if (!allowed.allowed) return allowed;
    if (ROLE_RANK[to] < rank(membership)) return ALLOW;
    return deny('forbidden', 'You may only give roles below your own; ownership moves by transfer');
  },

  /**
   * Deleting a message: its sender (while a member), or a moderator and above when the sender's current role is
   * lower than theirs (a sender who left or was banned ranks lowest).
   */
  mayDeleteMessage: (
    caller: Caller | null,
    room: RoomSubject | null | undefined,
    membership: MembershipSubject | null | undefined,
    message: { sender_id: string },
    senderMembership: MembershipSubject | null | undefined,
  ): Decision => {
    const readable = mayRead(caller, room, membership);
    if (!readable.allowed) return readable;
    if (caller?.userId === message.sender_id) return ALLOW;
    if (rank(membership) >= ROLE_RANK.moderator && rank(membership) > rank(senderMembership)) return ALLOW;
    return deny('forbidden', 'Only the sender, or a moderator above the sender’s role, may delete this message');
  },

  /** Editing a message: its sender only, while allowed to send. */
  mayEditMessage: (
    caller: Caller | null,
    room: RoomSubject | null | undefined,
    membership: MembershipSubject | null | undefined,
    message: { sender_id: string },
  ): Decision => {
    const sending = roomsPolicy.maySend(caller, room, membership);
    if (!sending.allowed) return sending;
    if (caller?.userId === message.sender_id) return ALLOW;
    return deny('forbidden', 'Only the sender may edit a message');
  },
};
