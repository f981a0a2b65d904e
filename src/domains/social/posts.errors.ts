// Error catalogue of posts, reposts, likes, comments and hashtags (issue 15 §3-4; ADR 0062, 0063): stable codes,
// rendered as RFC 9457 problem details. A post the caller may not see (deleted, private, a block either way, a
// private group they are not in) answers postNotFound, whatever the route: who blocked whom is never told.
import { problemType } from '../../platform/http/problem.ts';

export const PostProblems = {
  /** No such post, or one the caller may not see. */
  postNotFound: problemType('POST_NOT_FOUND', 404, 'No such post'),
  /** No such comment on this post, or one the caller may not see. */
  commentNotFound: problemType('POST_COMMENT_NOT_FOUND', 404, 'No such comment'),
  /** No such attachment on this post. */
  attachmentNotFound: problemType('POST_ATTACHMENT_NOT_FOUND', 404, 'No such attachment on this post'),
  /** The file named cannot be attached: missing or not the caller's, deleted, not cleared, not processed, wrong kind. */
  attachmentUnusable: problemType('POST_ATTACHMENT_UNUSABLE', 422, 'This file cannot be attached'),
  /** More distinct hashtags than a post may carry (MAX_HASHTAGS_PER_POST). */
  tooManyHashtags: problemType('POST_TOO_MANY_HASHTAGS', 422, 'Too many hashtags in this post'),
  /** A hashtag longer than 100 characters. */
  hashtagTooLong: problemType('POST_HASHTAG_TOO_LONG', 422, 'A hashtag is too long'),
  /** The group named is not one the caller is an active member of. */
  groupNotWritable: problemType('POST_GROUP_NOT_WRITABLE', 422, 'You may not post in this group'),
  /** Only public or unlisted posts of public profiles, outside private groups, may be reposted. */
  notShareable: problemType('POST_NOT_SHAREABLE', 422, 'This post cannot be reposted'),
  /** The author pins at most MAX_PINNED posts. */
  tooManyPinned: problemType('POST_TOO_MANY_PINNED', 409, 'Unpin a post first'),
  /** Only the author may do this to a post (edit, pin). */
  notAuthor: problemType('POST_NOT_AUTHOR', 403, 'Only the author may do this'),
  /** Only the comment's author may edit it; its author or the post's author may delete it. */
  notCommentAuthor: problemType('POST_COMMENT_NOT_AUTHOR', 403, 'You may not change this comment'),
  /** A reply names a comment of another post, or a deleted one. */
  parentCommentInvalid: problemType('POST_COMMENT_PARENT_INVALID', 422, 'The parent comment is not on this post'),
  /** The comment is deleted: it cannot be edited. */
  commentDeleted: problemType('POST_COMMENT_DELETED', 409, 'The comment is deleted'),
  /** No such hashtag. */
  hashtagNotFound: problemType('HASHTAG_NOT_FOUND', 404, 'No such hashtag'),
} as const;
