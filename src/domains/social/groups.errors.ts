// Error catalogue of groups and the home feed (issue 15 §5-6; ADR 0065): stable codes, rendered as RFC 9457
// problem details. A group the caller may not know about (deleted, or one they are banned from) answers
// groupNotFound, whatever the route.
import { problemType } from '../../platform/http/problem.ts';

export const GroupProblems = {
  /** No such group, or one the caller may not see (deleted, banned from it). */
  groupNotFound: problemType('GROUP_NOT_FOUND', 404, 'No such group'),
  /** uq_groups_slug: another group has this slug (deleted groups keep theirs). */
  groupSlugTaken: problemType('GROUP_SLUG_TAKEN', 409, 'Another group has this slug'),
  /** A private group's posts and members are for its active members. */
  membersOnly: problemType('GROUP_MEMBERS_ONLY', 403, 'Only the group’s members may see this'),
  /** The caller's role is not high enough for this action (ADR 0065's matrix). */
  roleTooLow: problemType('GROUP_ROLE_TOO_LOW', 403, 'Your role in the group does not allow this'),
  /** The caller is banned from the group: they may not join again until unbanned. */
  banned: problemType('GROUP_BANNED', 403, 'You are banned from this group'),
  /** No such member (or pending request) in the group. */
  memberNotFound: problemType('GROUP_MEMBER_NOT_FOUND', 404, 'No such member in the group'),
  /** The owner leaves only after transferring ownership (or deletes the group). */
  ownerCannotLeave: problemType('GROUP_OWNER_CANNOT_LEAVE', 409, 'Transfer ownership before leaving the group'),
  /** The request is not pending (already approved, or never made). */
  notPending: problemType('GROUP_MEMBER_NOT_PENDING', 409, 'This membership is not awaiting approval'),
  /** Ownership goes to an active member only. */
  transferTargetInvalid: problemType('GROUP_TRANSFER_TARGET_INVALID', 422, 'Ownership goes to an active member'),
} as const;
