// Who may see, join and run a group (issue 15 §5, ADR 0065). Pure: the caller, the group's row and the caller's
// group_members row (or null) are passed in; the routes and the post visibility rule agree with it (a private
// group's posts are for its active members, post-visibility.ts).
//
// Roles rank owner > admin > moderator > member. Only an `active` row is a membership: a `pending` row is a request
// to join, a `banned` row keeps someone out (they still see the group's page, and are told why they cannot join:
// a ban is a moderation act of the group, not a personal block).
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';

export type GroupRole = 'owner' | 'admin' | 'moderator' | 'member';
export type MemberStatus = 'pending' | 'active' | 'banned';

/** What a rule needs to know of a `groups` row. */
export interface GroupSubject {
  group_type: 'public' | 'private';
  deleted_at: Date | null;
}

/** What a rule needs to know of a `group_members` row. */
export interface GroupMembershipSubject {
  role: GroupRole;
  status: MemberStatus;
}

export const GROUP_ROLE_RANK: Record<GroupRole, number> = { owner: 3, admin: 2, moderator: 1, member: 0 };

const HIDDEN = 'No such group';

export const isActiveMember = (
  membership: GroupMembershipSubject | null | undefined,
): membership is GroupMembershipSubject => membership?.status === 'active';

const rank = (membership: GroupMembershipSubject | null | undefined) =>
  isActiveMember(membership) ? GROUP_ROLE_RANK[membership.role] : -1;

/** The group's page (name, description, counts): anyone, signed in or not; nothing once deleted. */
export function mayView(
  _caller: Caller | null,
  group: GroupSubject | null | undefined,
  _membership?: GroupMembershipSubject | null,
): Decision {
  if (!group || group.deleted_at !== null) return deny('hidden', HIDDEN);
  return ALLOW;
}

/** The group's posts and members: anyone for a public group, active members for a private one. */
export function mayReadContent(
  caller: Caller | null,
  group: GroupSubject | null | undefined,
  membership: GroupMembershipSubject | null | undefined,
): Decision {
  const visible = mayView(caller, group, membership);
  if (!visible.allowed) return visible;
  if (group!.group_type === 'public' || isActiveMember(membership)) return ALLOW;
  if (!caller) return deny('unauthenticated', 'Sign in to see a private group’s posts');
  return deny('forbidden', 'Only the members of this private group may see its posts and members');
}

/** A rule open to active members of at least `least` rank. */
function atLeast(least: GroupRole, what: string) {
  return (
    caller: Caller | null,
    group: GroupSubject | null | undefined,
    membership: GroupMembershipSubject | null | undefined,
  ): Decision => {
    if (!caller) return deny('unauthenticated', `Sign in to ${what}`);
    const visible = mayView(caller, group, membership);
    if (!visible.allowed) return visible;
    if (rank(membership) >= GROUP_ROLE_RANK[least]) return ALLOW;
    return deny('forbidden', `Only a group ${least}${least === 'owner' ? '' : ' or above'} may ${what}`);
  };
}

/** Acting on another member: the actor's rank must be above the target's (a pending or banned target ranks -1). */
function onLowerRank(least: GroupRole, what: string) {
  const base = atLeast(least, what);
  return (
    caller: Caller | null,
    group: GroupSubject | null | undefined,
    membership: GroupMembershipSubject | null | undefined,
    target: GroupMembershipSubject | null | undefined,
  ): Decision => {
    const allowed = base(caller, group, membership);
    if (!allowed.allowed) return allowed;
    if (rank(membership) > rank(target)) return ALLOW;
    return deny('forbidden', `You may only ${what} members of a lower role than yours`);
  };
}

/** The matrix of ADR 0065. */
export const groupsPolicy = {
  mayView,
  mayReadContent,

  /** Joining (or asking to): anyone signed in who is not banned from the group. */
  mayJoin: (
    caller: Caller | null,
    group: GroupSubject | null | undefined,
    membership: GroupMembershipSubject | null | undefined,
  ): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to join a group');
    const visible = mayView(caller, group, membership);
    if (!visible.allowed) return visible;
    if (membership?.status === 'banned') return deny('forbidden', 'You are banned from this group');
    return ALLOW;
  },

  /** Approving or declining requests to join: moderators and above. */
  mayReviewRequests: atLeast('moderator', 'approve or decline requests to join'),
  /** Editing the group's name, description, images, type and approval rule: admins and the owner. */
  mayEdit: atLeast('admin', 'edit the group'),
  /** Deleting the group and handing it over: the owner only. */
  mayDelete: atLeast('owner', 'delete the group'),
  mayTransfer: atLeast('owner', 'transfer the group'),
  /** Removing a member (they may ask to join again): moderators and above, on lower roles. */
  mayKick: onLowerRank('moderator', 'remove'),
  /** Banning and lifting bans: admins and the owner, on lower roles. */
  mayBan: onLowerRank('admin', 'ban'),
  /**
   * Changing a member's role: admins and the owner, on lower roles, to a role below their own (checked by
   * mayAssign). Ownership moves by transfer only.
   */
  mayChangeRole: onLowerRank('admin', 'change the role of'),
  mayAssign: (membership: GroupMembershipSubject | null | undefined, role: GroupRole): Decision =>
    rank(membership) > GROUP_ROLE_RANK[role] ? ALLOW : deny('forbidden', 'You may only give roles below your own'),
};
