// Error catalogue of the social graph (issue 15 §1-2; ADRs 0060, 0061): follows, follow requests and blocks.
// Stable codes, rendered as RFC 9457 problem details (docs/api.md).
import { problemType } from '../../platform/http/problem.ts';

export const SocialGraphProblems = {
  /**
   * No such account, a deleted, banned or deactivated one, a block either way, or a private profile the caller
   * does not follow: the same answer as the profile page (profiles' USER_NOT_FOUND), so that a blocked person
   * cannot tell a block from a missing account (ADR 0061).
   */
  userNotFound: problemType('USER_NOT_FOUND', 404, 'No such user'),
  /** chk_follows_not_self: following oneself. */
  followSelf: problemType('FOLLOW_SELF', 422, 'You cannot follow yourself'),
  /** chk_blocks_not_self: blocking oneself. */
  blockSelf: problemType('BLOCK_SELF', 422, 'You cannot block yourself'),
  /** No pending request from this person to follow the caller (never made, cancelled, answered, or blocked). */
  followRequestNotFound: problemType('FOLLOW_REQUEST_NOT_FOUND', 404, 'No such follow request'),
} as const;
